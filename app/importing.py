"""Importing incidents from a file, all or nothing.

Every row is read and checked first (streamed, with progress); the first bad row refuses the
whole file with an :class:`~app.errors.ImportFailedError` that names the file, the row, the
field and the reason. Only then are all records written with ONE ``store.commit`` (one
transaction), so a refused import leaves no trace.

Re-importing is safe: a record's id is the file's id (``IOM-<id>`` for IOM records); for a
record the store already holds, only the fields the file gives that differ are written, so an
unchanged re-import writes no op at all. An import never changes a partner's record: if it
would, the import is refused.

Supported: CSV (``id, time, lat, lon, category, description`` plus optional ``title, impact,
confidence, status, reported_by``), IOM Missing Migrants Project extracts (recognised by the
columns ``dead, missing, route``), GeoJSON FeatureCollections of Points.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from app.errors import ImportFailedError
from app.import_mapping import Defaults, ImportedRecord, mapper_for
from app.import_readers import ImportRowError, Progress, open_table
from app.records import INCIDENT
from app.store import Change, Store
from app.store.schema import incidents

__all__ = ["ImportFailedError", "ImportReport", "ImportRowError", "import_file", "read_file"]

READ_CHUNK = 500  # ids per lookup of existing records


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int
    rows: int
    skipped_deleted: int = 0  # rows whose record was deleted in this store (left deleted)
    ops: int = 0  # ops written


def read_file(
    path: Path | str,
    *,
    center: str,
    user: str = "import",
    now: datetime | None = None,
    progress: Progress | None = None,
    release_by_category: Mapping[str, list[str]] | None = None,
) -> list[ImportedRecord]:
    """Every row of ``path`` as a checked record; the first bad row raises ImportFailedError."""
    path = Path(path)
    defaults = Defaults(
        center=center,
        user=user,
        now=now or datetime.now(UTC),
        release_by_category=release_by_category or {},
    )
    table = open_table(path, progress)
    with closing(table.rows):
        mapper = mapper_for(table.columns, path.name)
        records: list[ImportedRecord] = []
        first_row: dict[str, ImportedRecord] = {}
        for row in table.rows:
            record = mapper(row, defaults)
            earlier = first_row.get(record.record_id)
            if earlier is not None:
                raise ImportRowError(
                    f"{row.where}: id: {record.record_id!r} is already used by "
                    f"{_short_where(earlier.row.where, path.name)}; ids must be unique in a file",
                    row=row.row,
                    line=row.line,
                    field="id",
                )
            first_row[record.record_id] = record
            records.append(record)
    if not records:
        raise ImportFailedError(f"{path.name}: the file holds no incidents (no data rows)")
    return records


def _short_where(where: str, file_name: str) -> str:
    return where.removeprefix(f"{file_name}: ")


def import_file(
    store: Store,
    path: Path | str,
    *,
    user: str = "import",
    now: datetime | None = None,
    progress: Progress | None = None,
    release_by_category: Mapping[str, list[str]] | None = None,
) -> ImportReport:
    """Check every row of ``path``, then write all records in one commit (or nothing)."""
    records = read_file(
        path,
        center=store.center_id,
        user=user,
        now=now,
        progress=progress,
        release_by_category=release_by_category,
    )
    # Compare with what the store holds inside the write transaction, so an edit made while
    # the file was being read is neither overwritten nor missed.
    return store.commit_planned(
        lambda connection: plan_changes(store, records, connection), user
    ).result()


def plan_changes(
    store: Store, records: Sequence[ImportedRecord], connection: Connection | None = None
) -> tuple[list[Change], ImportReport]:
    """The changes that bring the store in line with ``records``, and what they amount to."""
    changes: list[Change] = []
    created = updated = unchanged = skipped = 0
    ids = [record.record_id for record in records]
    if connection is None:
        with store.read() as reading:
            existing = _existing_records(reading, ids)
    else:
        existing = _existing_records(connection, ids)
    for record in records:
        held = existing.get(record.record_id)
        if held is None:
            changes.append(Change("incident", record.record_id, dict(record.fields)))
            created += 1
            continue
        if held["deleted"]:
            skipped += 1
            continue
        differing = {
            name: record.fields[name]
            for name in sorted(record.given)
            if held.get(name) != record.fields[name]
        }
        if not differing:
            unchanged += 1
            continue
        if held.get("owner") not in (None, store.center_id):
            raise ImportRowError(
                f"{record.row.where}: {', '.join(differing)}: record {record.record_id!r} is "
                f"owned by partner center {held['owner']}; an import may not change it",
                row=record.row.row,
                line=record.row.line,
                field=next(iter(differing)),
            )
        if not held["complete"]:
            differing = dict(record.fields)  # its first op has not arrived: send every field
        changes.append(Change("incident", record.record_id, differing))
        updated += 1
    report = ImportReport(
        created=created,
        updated=updated,
        unchanged=unchanged,
        rows=len(records),
        skipped_deleted=skipped,
        ops=len(changes),
    )
    return changes, report


def _existing_records(connection: Connection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = list(ids)
    found: dict[str, dict[str, Any]] = {}
    columns = [
        incidents.c.id,
        incidents.c.deleted,
        incidents.c.complete,
        *(incidents.c[name] for name in INCIDENT.fields),
    ]
    for start in range(0, len(wanted), READ_CHUNK):
        chunk = wanted[start : start + READ_CHUNK]
        for row in connection.execute(select(*columns).where(incidents.c.id.in_(chunk))):
            values = dict(row._mapping)
            for name in INCIDENT.json_fields:
                if values[name] is not None:
                    values[name] = json.loads(values[name])
            found[values["id"]] = values
    return found
