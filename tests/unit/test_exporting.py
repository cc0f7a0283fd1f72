"""Exporting incidents: CSV and GeoJSON, streamed; a Limes CSV re-imports to the same incidents."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.domain import new_incident
from app.exporting import CSV_COLUMNS, export_csv, export_file, export_geojson, iso_utc
from app.importing import import_file
from app.oplog import Action
from app.store import Change, Store

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
IOM_FILE = (
    Path(__file__).resolve().parents[2] / "resources/data/iom_mmp_greece_turkey_border_50km.csv"
)
# what an import takes from a file; owner, originator and reported_at belong to the importer
CONTENT = (
    "occurred_at",
    "lat",
    "lon",
    "category",
    "impact",
    "confidence",
    "status",
    "title",
    "description",
    "reported_by",
)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    with (
        Store(tmp_path / "a.sqlite3", "GR-ORE", synchronous="OFF") as first,
        Store(tmp_path / "b.sqlite3", "BG-SVL", synchronous="OFF") as second,
    ):
        yield first, second


def content(store: Store) -> dict[str, tuple]:
    with store.read() as connection:
        rows = connection.execute(
            text(
                f"SELECT id, {', '.join(CONTENT)} FROM incidents WHERE deleted = 0 AND complete = 1"
            )
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def tricky_incidents(store: Store) -> None:
    texts = [
        ("T-1", "Group, about 12 people", 'Seen at "marker 7";\nsecond line, with comma'),
        ("T-2", "Όχημα κοντά στο φράχτη", "Ελληνικό κείμενο — και ümlaut, İpsala"),
        ("T-3", "=SUM(A1) looks like a formula", "  leading spaces are trimmed  "),
        ("T-4", "Southern hemisphere test", ""),
    ]
    changes = []
    for index, (record_id, title, description) in enumerate(texts):
        incident = new_incident(
            id=record_id,
            center="GR-ORE",
            reported_by="Op. Ä",
            title=title,
            occurred_at=NOW - timedelta(hours=index, milliseconds=250 * index),
            lon=26.123456789 if index != 3 else -70.6,
            lat=41.98765432 if index != 3 else -33.4,
            category=["smuggling", "crisis_sar", "other", "suspect_person"][index],
            impact=["low", "medium", "high", "low"][index],
            confidence="B2",
            description=description,
            now=NOW,
        )
        changes.append(Change("incident", incident.id, incident.to_fields()))
    store.commit(changes, "op").result()
    store.commit([Change("incident", "T-2", {"status": "validated"})], "op").result()


def test_csv_round_trip_gives_the_same_incidents(
    stores: tuple[Store, Store], tmp_path: Path
) -> None:
    source, target = stores
    tricky_incidents(source)
    path = tmp_path / "export.csv"
    assert export_file(source, path) == 4
    assert not (tmp_path / "export.csv.part").exists()
    report = import_file(target, path, now=NOW)
    assert report.created == 4
    assert content(target) == content(source)
    assert content(target)["T-2"][6] == "validated"


def test_iom_records_round_trip_through_csv(stores: tuple[Store, Store], tmp_path: Path) -> None:
    source, target = stores
    import_file(source, IOM_FILE, now=NOW)
    path = tmp_path / "iom_export.csv"
    export_file(source, path)
    assert import_file(target, path, now=NOW).created == 186
    assert content(target) == content(source)
    assert import_file(target, path, now=NOW).unchanged == 186  # and again: nothing new


def test_csv_columns_and_formats(stores: tuple[Store, Store]) -> None:
    source, _ = stores
    tricky_incidents(source)
    out = io.StringIO(newline="")
    export_csv(source, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_id = {row["id"]: row for row in rows}
    assert by_id["T-1"]["time"] == "2026-11-21T12:00:00Z"
    assert by_id["T-2"]["time"] == "2026-11-21T10:59:59.750Z"
    assert by_id["T-1"]["reported_at"] == "2026-11-21T12:00:00Z"
    assert by_id["T-1"]["owner"] == by_id["T-1"]["originator"] == "GR-ORE"
    assert float(by_id["T-1"]["lat"]) == 41.98765432
    assert [row["id"] for row in rows] == ["T-4", "T-3", "T-2", "T-1"]  # by time


def test_deleted_and_incomplete_incidents_are_not_exported(stores: tuple[Store, Store]) -> None:
    source, _ = stores
    tricky_incidents(source)
    source.commit([Change("incident", "T-3", action=Action.DELETE)], "op").result()
    source.commit([Change("incident", "PARTIAL", {"status": "validated"})], "op").result()
    out = io.StringIO()
    assert export_csv(source, out) == 3
    assert "T-3" not in out.getvalue()
    assert "PARTIAL" not in out.getvalue()


def test_geojson_export_is_valid_and_round_trips(
    stores: tuple[Store, Store], tmp_path: Path
) -> None:
    source, target = stores
    tricky_incidents(source)
    path = tmp_path / "export.geojson"
    assert export_file(source, path) == 4
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    first = {f["id"]: f for f in document["features"]}["T-1"]
    assert first["geometry"] == {"type": "Point", "coordinates": [26.123456789, 41.98765432]}
    assert first["properties"]["time"] == iso_utc(int(NOW.timestamp() * 1000))
    assert import_file(target, path, now=NOW).created == 4
    assert content(target) == content(source)


def test_export_streams_in_chunks_with_progress(stores: tuple[Store, Store]) -> None:
    source, _ = stores
    changes = [
        Change(
            "incident",
            f"N-{i:05d}",
            new_incident(
                id=f"N-{i:05d}",
                center="GR-ORE",
                reported_by="x",
                occurred_at=NOW,
                lon=26.5,
                lat=41.5,
                category="smuggling",
                title=f"Row {i}",
                now=NOW,
            ).to_fields(),
        )
        for i in range(4_500)
    ]
    source.commit(changes, "op").result()
    seen: list[int] = []
    assert export_geojson(source, io.StringIO(), progress=seen.append) == 4_500
    assert seen == [2_000, 4_000, 4_500]


def test_empty_export(stores: tuple[Store, Store]) -> None:
    source, _ = stores
    out = io.StringIO()
    assert export_csv(source, out) == 0
    assert out.getvalue().strip() == ",".join(CSV_COLUMNS)
    geo = io.StringIO()
    export_geojson(source, geo)
    assert json.loads(geo.getvalue()) == {"type": "FeatureCollection", "features": []}
