"""The officers of the roster as CSV, in and out; an import is all or nothing.

Columns: ``id, name, agency, country, rank, languages, qualifications, available``. ``id``,
``name``, ``agency`` and ``country`` (ISO 3166-1 alpha-3, e.g. GRC) are required; lists
(``languages`` as ISO 639-1 codes, ``qualifications``) are separated by ``;``; ``available`` is
yes/no (empty: yes). Every row is checked before anything is written; the first bad row refuses
the file with its row number, the column and the reason. Re-importing is safe: only the fields
that differ from the store are written, an unchanged file writes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection

from app.csv_cells import guarded
from app.domain import Officer
from app.errors import ImportFailedError, ValidationError
from app.import_readers import ImportRowError, SourceRow, open_table
from app.iso_codes import COUNTRIES, LANGUAGES
from app.store import Change, Store
from app.store import queries as q

COLUMNS = ("id", "name", "agency", "country", "rank", "languages", "qualifications", "available")
REQUIRED = ("id", "name", "agency", "country")
_YES = {"yes", "y", "true", "1", ""}
_NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class RosterImportReport:
    rows: int
    created: int
    updated: int
    unchanged: int


def read_officers(path: Path | str) -> list[Officer]:
    """Every row of ``path`` as a checked officer; the first bad row raises ImportRowError."""
    path = Path(path)
    if path.suffix.lower() in (".geojson", ".json"):
        raise ImportFailedError(f"{path.name}: the roster is imported from CSV")
    table = open_table(path)
    with closing(table.rows):
        unknown = [c for c in table.columns if c not in COLUMNS]
        if unknown:
            raise ImportRowError(
                f"{path.name}: line 1: unknown column {unknown[0]!r} "
                f"(the columns are {', '.join(COLUMNS)})",
                line=1,
            )
        missing = [c for c in REQUIRED if c not in table.columns]
        if missing:
            raise ImportRowError(
                f"{path.name}: line 1: the column {missing[0]!r} is missing "
                f"(required: {', '.join(REQUIRED)})",
                line=1,
            )
        officers: list[Officer] = []
        seen: dict[str, int] = {}
        for row in table.rows:
            officer = _officer(row)
            if officer.id in seen:
                raise ImportRowError(
                    f"{row.where}: id: {officer.id!r} is already used by data row "
                    f"{seen[officer.id]}; ids must be unique in a file",
                    row=row.row,
                    line=row.line,
                    field="id",
                )
            seen[officer.id] = row.row
            officers.append(officer)
    if not officers:
        raise ImportFailedError(f"{path.name}: the file holds no officers (no data rows)")
    return officers


def _officer(row: SourceRow) -> Officer:
    cells = {name: (row.cells.get(name) or "").strip() for name in COLUMNS}
    try:
        for name in REQUIRED:
            if not cells[name]:
                raise ValidationError(name, "is required")
        country = cells["country"].upper()
        if country not in COUNTRIES:
            raise ValidationError(
                "country", f"{cells['country']!r} is not an ISO 3166 alpha-3 code (e.g. GRC)"
            )
        languages = _list(cells["languages"])
        for language in languages:
            if language.lower() not in LANGUAGES:
                raise ValidationError(
                    "languages", f"{language!r} is not an ISO 639-1 language code (e.g. el, en)"
                )
        available = cells["available"].lower()
        if available not in _YES | _NO:
            raise ValidationError("available", f"{cells['available']!r} is not yes or no")
        officer = Officer(
            id=cells["id"],
            name=cells["name"],
            agency=cells["agency"],
            country=country,
            rank=cells["rank"],
            languages=tuple(sorted({language.lower() for language in languages})),
            qualifications=tuple(sorted({q.lower() for q in _list(cells["qualifications"])})),
            available=available in _YES,
        )
        officer.to_fields()  # the record's own checks: lengths, control characters
    except ValidationError as error:
        raise ImportRowError(
            f"{row.where}: {error.field}: {error.message}",
            row=row.row,
            line=row.line,
            field=error.field,
        ) from None
    return officer


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def import_officers(store: Store, path: Path | str, *, user: str) -> RosterImportReport:
    """Check every row, then write the officers that are new or differ, in one commit."""
    officers = read_officers(path)
    return store.commit_planned(lambda connection: _plan(officers, connection), user).result()


def _plan(
    officers: Sequence[Officer], connection: Connection
) -> tuple[list[Change], RosterImportReport]:
    held = q.officer_index(connection)
    changes: list[Change] = []
    created = updated = 0
    for officer in officers:
        fields = officer.to_fields()
        before = held.get(officer.id)
        if before is None:
            changes.append(Change("officer", officer.id, fields))
            created += 1
            continue
        old = before.to_fields()
        differing = {
            name: value
            for name, value in fields.items()
            if name != "releasability" and old[name] != value
        }
        if differing:
            changes.append(Change("officer", officer.id, differing))
            updated += 1
    report = RosterImportReport(len(officers), created, updated, len(officers) - created - updated)
    return changes, report


def export_officers(connection: Connection, out: TextIO) -> int:
    """Write every officer as CSV (the import's columns); returns how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    officers = q.officers(connection)
    for officer in officers:
        writer.writerow(
            guarded(cell)
            for cell in (
                officer.id,
                officer.name,
                officer.agency,
                officer.country,
                officer.rank,
                ";".join(officer.languages),
                ";".join(officer.qualifications),
                "yes" if officer.available else "no",
            )
        )
    return len(officers)
