"""Cells of the CSV files Limes writes, safe to open in a spreadsheet, and read back exactly.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets: an incident titled ``=HYPERLINK(...)`` or an officer
named ``=cmd|' /C calc'!A0`` in an export would run when a supervisor opens the file (CSV
injection). Such a cell is written with a leading ``'``, which spreadsheets show as text; an
import takes that ``'`` off again, so an export still imports back into the same records.
A cell that only starts with ``'`` followed by such a character gets one more ``'`` the same
way, so every text survives the round trip unchanged.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _looks_like_formula(text: str) -> bool:
    rest = text.lstrip("'")
    return bool(rest) and rest[0] in FORMULA_START


def guarded(text: str) -> str:
    """``text`` as written to a CSV cell."""
    return "'" + text if _looks_like_formula(text) else text


def unguarded(text: str) -> str:
    """A CSV cell as the text it was written from (the inverse of :func:`guarded`)."""
    if text.startswith("'") and _looks_like_formula(text[1:]):
        return text[1:]
    return text
