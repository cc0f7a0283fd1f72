"""Exporting incidents as CSV or GeoJSON, streamed: rows are fetched and written in chunks.

Only complete, non-deleted incidents are exported, ordered by time then id. A CSV written here
imports back (:mod:`app.importing`) into the same incidents: times are ISO 8601 UTC with
milliseconds when they have any, coordinates are written with ``repr`` so they round-trip
exactly. ``owner``, ``originator`` and ``reported_at`` are exported for the reader; an import
ignores them (the importing center owns what it imports).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from app.csv_cells import guarded
from app.store import Store
from app.store.schema import incidents

CSV_COLUMNS = (
    "id",
    "time",
    "lat",
    "lon",
    "category",
    "impact",
    "confidence",
    "status",
    "title",
    "description",
    "owner",
    "originator",
    "reported_by",
    "reported_at",
)
FETCH_ROWS = 2_000  # rows fetched from SQLite at a time
ExportProgress = Callable[[int], None]

# the store columns behind CSV_COLUMNS: "time" is when it occurred
_SOURCE_COLUMNS = tuple("occurred_at" if name == "time" else name for name in CSV_COLUMNS)


def iso_utc(ms: int) -> str:
    """``2026-11-21T14:05:00Z``, or ``...:00.250Z`` when the time has milliseconds."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    if ms % 1000:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _incident_rows(store: Store) -> Iterator[dict[str, Any]]:
    """Exportable incidents as plain dicts, fetched FETCH_ROWS at a time in one snapshot."""
    query = (
        select(*(incidents.c[name] for name in _SOURCE_COLUMNS))
        .where(incidents.c.deleted.is_(False), incidents.c.complete.is_(True))
        .order_by(incidents.c.occurred_at, incidents.c.id)
    )
    with store.read() as connection:
        result = connection.execute(query)
        while True:
            batch = result.fetchmany(FETCH_ROWS)
            if not batch:
                break
            for row in batch:
                values = dict(row._mapping)
                values["time"] = iso_utc(values.pop("occurred_at"))
                values["reported_at"] = iso_utc(values["reported_at"])
                yield values


def csv_row(values: dict[str, Any]) -> list[str]:
    """One incident's cells in CSV_COLUMNS order: coordinates exact, text safe to open in a
    spreadsheet (:mod:`app.csv_cells`)."""
    cells = []
    for name in CSV_COLUMNS:
        value = values[name]
        if name in ("lat", "lon"):
            cells.append(repr(value))
        else:
            cells.append("" if value is None else guarded(str(value)))
    return cells


def export_csv(store: Store, out: TextIO, *, progress: ExportProgress | None = None) -> int:
    """Write the incidents to ``out`` (opened with ``newline=""``); returns the row count."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for values in _incident_rows(store):
        writer.writerow(csv_row(values))
        count += 1
        if progress is not None and count % FETCH_ROWS == 0:
            progress(count)
    if progress is not None:
        progress(count)
    return count


def export_geojson(store: Store, out: TextIO, *, progress: ExportProgress | None = None) -> int:
    """Write the incidents to ``out`` as a FeatureCollection of Points; returns the count."""
    out.write('{"type":"FeatureCollection","features":[\n')
    count = 0
    for values in _incident_rows(store):
        lon, lat = values.pop("lon"), values.pop("lat")
        feature = {
            "type": "Feature",
            "id": values["id"],
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": values,
        }
        if count:
            out.write(",\n")
        out.write(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
        count += 1
        if progress is not None and count % FETCH_ROWS == 0:
            progress(count)
    out.write("\n]}\n")
    if progress is not None:
        progress(count)
    return count


def export_file(store: Store, path: Path | str, *, progress: ExportProgress | None = None) -> int:
    """Export to ``path``: GeoJSON for ``.geojson``/``.json``, CSV otherwise (UTF-8).

    Written to a temporary file first and renamed, so a failed export leaves no half file.
    """
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    write = export_geojson if path.suffix.lower() in (".geojson", ".json") else export_csv
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            count = write(store, out, progress=progress)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count
