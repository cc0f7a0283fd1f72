"""A plain-text box that refuses a paste longer than what it may hold, with the reason.

QPlainTextEdit lays out one long line in quadratic time: a megabyte pasted by mistake (a
file's contents, a log) froze the window for minutes, for a text that would be refused at
save anyway. The paste is refused at once instead, and ``paste_refused`` says why.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtWidgets import QPlainTextEdit, QWidget


class BoundedTextEdit(QPlainTextEdit):
    paste_refused = Signal(str)  # "not pasted: the text is 1,000,000 characters long, and ..."

    def __init__(self, max_chars: int, holder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.max_chars = max_chars
        self._holder = holder  # "a description", "a note"

    def insertFromMimeData(self, source: QMimeData) -> None:
        pasted = source.text() if source.hasText() else ""
        kept = len(self.toPlainText()) - len(self.textCursor().selectedText())
        if kept + len(pasted) > self.max_chars:
            self.paste_refused.emit(
                f"not pasted: the text is {len(pasted):,} characters long, and "
                f"{self._holder} holds at most {self.max_chars:,}"
            )
            return
        super().insertFromMimeData(source)
