"""Timeline filters against a brute-force reference over generated incidents in a real store."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, shape

from app import incident_filter as f
from app.errors import ValidationError
from app.incident_filter import IncidentFilter, QuickRange
from app.oplog import Action
from app.store import Change, Store
from app.values import Category, IncidentStatus
from tests.factories import incident_fields

T0 = 1_795_000_000_000
OWNERS = ("GR-ORE", "BG-SVL", "TR-EDR")
WORDS = ("boat", "Van", "fence", "drone", "50%", "a_b")
# A triangle over the Evros delta; incidents are placed around and inside it.
SECTOR_GEOMETRY = {
    "type": "Polygon",
    "coordinates": [[[26.0, 40.8], [26.6, 40.8], [26.0, 41.4], [26.0, 40.8]]],
}

incidents = st.lists(
    st.fixed_dictionaries(
        {
            "occurred_at": st.integers(T0 - 10 * f.DAY_MS, T0),
            "category": st.sampled_from([c.value for c in Category]),
            "impact": st.sampled_from(["low", "medium", "high"]),
            "status": st.sampled_from([s.value for s in IncidentStatus]),
            "owner": st.sampled_from(OWNERS),
            "lon": st.floats(25.9, 26.7),
            "lat": st.floats(40.7, 41.5),
            "title": st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
            "description": st.sampled_from(["", "BOAT at the river", "seen 50% of the time"]),
        }
    ),
    max_size=40,
)
times = st.none() | st.integers(T0 - 11 * f.DAY_MS, T0 + f.DAY_MS)
filters = st.builds(
    IncidentFilter,
    start_ms=times,
    end_ms=st.none(),
    categories=st.frozensets(st.sampled_from([c.value for c in Category]), max_size=3),
    impacts=st.frozensets(st.sampled_from(["low", "medium", "high"]), max_size=2),
    statuses=st.frozensets(st.sampled_from([s.value for s in IncidentStatus]), max_size=3),
    owners=st.frozensets(st.sampled_from(OWNERS), max_size=2),
    sectors=st.sampled_from([frozenset(), frozenset({"sec-1"}), frozenset({"missing"})]),
    text=st.sampled_from(["", "boat", "BOAT van", "50%", "a_b", "zzz", "inc-1"]),
)


def matches(record_id: str, fields: dict, criteria: IncidentFilter) -> bool:
    """The reference: the filter's meaning, spelt out one incident at a time."""
    at = fields["occurred_at"]
    area = shape(SECTOR_GEOMETRY) if "sec-1" in criteria.sectors else None
    return (
        (criteria.start_ms is None or at >= criteria.start_ms)
        and (criteria.end_ms is None or at < criteria.end_ms)
        and (not criteria.categories or fields["category"] in criteria.categories)
        and (not criteria.impacts or fields["impact"] in criteria.impacts)
        and (not criteria.statuses or fields["status"] in criteria.statuses)
        and (not criteria.owners or fields["owner"] in criteria.owners)
        and (
            not criteria.sectors
            or (area is not None and area.covers(Point(fields["lon"], fields["lat"])))
        )
        and all(
            any(
                word.lower() in text.lower()
                for text in (fields["title"], fields["description"], record_id)
            )
            for word in criteria.words
        )
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=incidents, criteria=filters, span=st.integers(0, 5 * f.DAY_MS), deleted=st.data())
def test_filters_return_what_the_reference_selects_in_display_order(data, criteria, span, deleted):
    if criteria.start_ms is not None:
        criteria = criteria.with_window(criteria.start_ms, criteria.start_ms + span)
    with (
        tempfile.TemporaryDirectory() as folder,
        Store(Path(folder) / "t.sqlite3", "GR-ORE") as store,
    ):
        records = {
            f"inc-{i}": incident_fields(owner, **{k: v for k, v in fields.items() if k != "owner"})
            for i, fields in enumerate(data)
            for owner in [fields["owner"]]
        }
        changes = [Change("incident", rid, fields) for rid, fields in records.items()]
        changes.append(
            Change(
                "sector",
                "sec-1",
                {
                    "name": "Evros delta",
                    "country": "GRC",
                    "agency": "",
                    "impact": "medium",
                    "geometry": SECTOR_GEOMETRY,
                    "releasability": ["*"],
                },
            )
        )
        store.commit(changes, "test").result()
        # only the owner center deletes (this store is GR-ORE)
        ours = sorted(rid for rid, fields in records.items() if fields["owner"] == "GR-ORE")
        gone = (
            deleted.draw(st.frozensets(st.sampled_from(ours), max_size=3)) if ours else frozenset()
        )
        if gone:
            store.commit(
                [Change("incident", rid, action=Action.DELETE) for rid in gone], "t"
            ).result()
        with store.read() as connection:
            expected = sorted(
                (
                    rid
                    for rid, fields in records.items()
                    if rid not in gone and matches(rid, fields, criteria)
                ),
                key=lambda rid: records[rid]["occurred_at"],
                reverse=True,
            )
            rowids = f.filtered_rowids(connection, criteria)
            found = [
                connection.exec_driver_sql(
                    "SELECT id FROM incidents WHERE rowid = ?", (int(r),)
                ).scalar()
                for r in rowids
            ]
            # newest first; equal times in any (stable) order
            assert [records[rid]["occurred_at"] for rid in found] == [
                records[rid]["occurred_at"] for rid in expected
            ]
            assert sorted(found) == sorted(expected)
            assert f.filtered_rowids(connection, criteria).tolist() == rowids.tolist()
            for limit in (0, 1, 5):  # the first page: a prefix of the whole list
                first = f.filtered_rowids(connection, criteria, limit=limit)
                assert first.tolist() == rowids[:limit].tolist()
            assert f.count(connection, criteria) == len(expected)
            # one incident at a time, as the window asks when something is picked on the map
            assert {rid for rid in records if f.matches(connection, criteria, rid)} == set(expected)
            shown = f.marks(connection, criteria)
            assert sorted(shown["rowid"].tolist()) == sorted(rowids.tolist())
            counts = f.histogram(
                connection, criteria, T0 - 12 * f.DAY_MS, T0 + 2 * f.DAY_MS, f.HOUR_MS
            )
            assert counts.sum() == len(expected)
            lanes = tuple(c.value for c in Category)
            by_lane = f.histogram(
                connection, criteria, T0 - 12 * f.DAY_MS, T0 + 2 * f.DAY_MS, f.DAY_MS, lanes=lanes
            )
            assert by_lane.sum(axis=1).tolist() == [
                sum(records[rid]["category"] == lane for rid in expected) for lane in lanes
            ]
            for rid in expected:
                bin_index = (records[rid]["occurred_at"] - (T0 - 12 * f.DAY_MS)) // f.HOUR_MS
                assert counts[bin_index] >= 1


def test_quick_ranges_end_now_and_the_shift_starts_at_the_last_shift_change():
    now = int(datetime(2026, 11, 21, 3, 30, tzinfo=UTC).timestamp() * 1000)
    night = int(datetime(2026, 11, 20, 22, 0, tzinfo=UTC).timestamp() * 1000)
    assert QuickRange.THIS_SHIFT.window(now) == (night, now)
    assert QuickRange.LAST_HOUR.window(now) == (now - f.HOUR_MS, now)
    assert QuickRange.LAST_7D.window(now)[0] == now - 7 * f.DAY_MS
    afternoon = int(datetime(2026, 11, 21, 14, 0, tzinfo=UTC).timestamp() * 1000)
    assert f.shift_start(afternoon) == afternoon


def test_a_saved_view_round_trips_and_keeps_its_rolling_range():
    view = IncidentFilter(quick=QuickRange.LAST_24H, impacts=frozenset({"high"}), text="boat")
    again = IncidentFilter.from_json(view.to_json())
    assert again == view
    resolved = again.resolved(T0)
    assert (resolved.start_ms, resolved.end_ms) == (T0 - f.DAY_MS, None)


def test_bad_criteria_name_the_field():
    with pytest.raises(ValidationError, match="impacts"):
        IncidentFilter(impacts=frozenset({"huge"}))
    with pytest.raises(ValidationError, match="end"):
        IncidentFilter(start_ms=10, end_ms=5)
    with pytest.raises(ValidationError, match="view"):
        IncidentFilter.from_json({"quick": "last_century"})


def _sector_store(folder: Path) -> Store:
    store = Store(folder / "s.sqlite3", "GR-ORE")
    changes = [
        Change(
            "incident",
            f"inc-{i:02d}",
            incident_fields(occurred_at=T0 - i * 60_000, lon=25.95 + (i % 7) * 0.1, lat=40.9),
        )
        for i in range(60)
    ]
    sector = {"name": "Evros delta", "country": "GRC", "agency": "", "impact": "medium"}
    sector |= {"geometry": SECTOR_GEOMETRY, "releasability": ["*"]}
    store.commit([*changes, Change("sector", "sec-1", sector)], "test").result()
    return store


def test_a_long_read_in_chunks_gives_the_same_rows_and_stops_when_told(tmp_path, monkeypatch):
    monkeypatch.setattr(f, "CHUNK", 4)
    with _sector_store(tmp_path) as store, store.read() as connection:
        for criteria in (IncidentFilter(), IncidentFilter(sectors=frozenset({"sec-1"}))):
            whole = f.filtered_rowids(connection, criteria)
            monkeypatch.setattr(f, "CHUNK", 100_000)
            assert f.filtered_rowids(connection, criteria).tolist() == whole.tolist()
            monkeypatch.setattr(f, "CHUNK", 4)
            assert 10 < len(whole) <= 60
            for limit in (1, 3, 9, 1000):  # the sector's first page over several chunks
                first = f.filtered_rowids(connection, criteria, limit=limit)
                assert first.tolist() == whole[:limit].tolist()
            asked = []
            with pytest.raises(f.ReadSuperseded):
                f.filtered_rowids(
                    connection, criteria, stop=lambda asked=asked: asked.append(1) or True
                )
            assert asked == [1]  # gave up after its first chunk
        # the connection is still usable: the abandoned cursor was closed
        assert len(f.filtered_rowids(connection, IncidentFilter())) == 60
