"""What a batch of changed incidents does to a listing: repaint in place, or read it again."""

from __future__ import annotations

import pytest

from app import incident_filter as f
from app.incident_filter import IncidentFilter
from app.listing_changes import listing_change
from app.oplog import Action
from app.store import Change, Store
from tests.factories import incident_fields

T0 = 1_795_000_000_000
MINUTE = 60_000


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "l.sqlite3", "GR-ORE") as opened:
        opened.commit(
            [
                Change("incident", f"inc-{i}", incident_fields(occurred_at=T0 - i * MINUTE))
                for i in range(10)
            ],
            "test",
        ).result()
        yield opened


def _change(store: Store, criteria: IncidentFilter, ids: set[str]):
    with store.read() as connection:
        listed = f.filtered_rowids(connection, criteria)
        return listed, listing_change(connection, criteria, ids, listed)


def _edit(store: Store, record_id: str, **fields) -> None:
    store.commit([Change("incident", record_id, fields)], "test").result()


def test_an_edit_in_place_names_its_row(store):
    with store.read() as connection:
        listed = f.filtered_rowids(connection, IncidentFilter())
    _edit(store, "inc-3", title="Boat")
    _edit(store, "inc-7", occurred_at=T0 - 7 * MINUTE + 30_000)  # still between 6 and 8
    with store.read() as connection:
        change = listing_change(connection, IncidentFilter(), {"inc-3", "inc-7"}, listed)
    assert (change.rows.tolist(), change.relist) == ([3, 7], False)


def test_a_new_or_deleted_incident_relists(store):
    with store.read() as connection:
        listed = f.filtered_rowids(connection, IncidentFilter())
    store.commit([Change("incident", "new", incident_fields(occurred_at=T0))], "t").result()
    with store.read() as connection:
        assert listing_change(connection, IncidentFilter(), {"new"}, listed).relist
    store.commit([Change("incident", "inc-2", action=Action.DELETE)], "t").result()
    with store.read() as connection:
        assert listing_change(connection, IncidentFilter(), {"inc-2"}, listed).relist


def test_matching_the_filter_or_not_any_more_relists(store):
    criteria = IncidentFilter(impacts=frozenset({"high"}))
    _edit(store, "inc-4", impact="high")
    listed, change = _change(store, criteria, {"inc-4"})
    assert listed.size == 1
    _edit(store, "inc-4", impact="low")  # leaves the filter
    with store.read() as connection:
        assert listing_change(connection, criteria, {"inc-4"}, listed).relist
    # a change to an incident the filter never listed, and still does not: nothing to do
    _edit(store, "inc-5", title="Still low")
    with store.read() as connection:
        change = listing_change(connection, criteria, {"inc-5"}, listed)
    assert (change.rows.tolist(), change.relist) == ([], False)


def test_a_time_moved_past_a_neighbour_relists(store):
    with store.read() as connection:
        listed = f.filtered_rowids(connection, IncidentFilter())
    _edit(store, "inc-0", occurred_at=T0 - 20 * MINUTE)  # from the top to the bottom
    with store.read() as connection:
        assert listing_change(connection, IncidentFilter(), {"inc-0"}, listed).relist


def test_ids_not_in_the_store_change_nothing(store):
    with store.read() as connection:
        listed = f.filtered_rowids(connection, IncidentFilter())
        change = listing_change(connection, IncidentFilter(), {"purged"}, listed)
    assert (change.rows.tolist(), change.relist) == ([], False)
