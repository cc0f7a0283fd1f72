"""Placements follow the store: built off the GUI thread, new incidents located as they come."""

from __future__ import annotations

import pytest

from app.domain import Sector
from app.store import Change
from app.store.feed import ChangeFeed
from app.values import ImpactLevel
from maps.geography import default_resources, load_border_lines, load_countries
from tests.factories import incident_fields
from widgets.bridge import StoreBridge
from widgets.incident_placements import IncidentPlacements


@pytest.fixture(scope="module")
def geography():
    resources = default_resources()
    return load_countries(resources.countries), load_border_lines(resources.world_borders)


@pytest.fixture
def live(qtbot, store, geography):
    store.commit(
        [Change("incident", "old", incident_fields(lon=26.531, lat=41.503))], "op"
    ).result()
    feed = ChangeFeed(store, interval_s=0.05)
    bridge = StoreBridge(feed, refresh_ms=50)
    placements = IncidentPlacements(store, *geography)
    bridge.records_changed.connect(placements.apply_changes)
    with qtbot.waitSignal(placements.ready, timeout=10_000):
        feed.start()
    yield store, placements
    feed.stop()
    bridge.disconnect_feed()


def test_existing_incidents_are_placed_when_ready_and_are_not_new(qtbot, store, geography):
    store.commit(
        [Change("incident", "old", incident_fields(lon=26.531, lat=41.503))], "op"
    ).result()
    placements = IncidentPlacements(store, *geography)
    assert placements.locate(26.5, 41.5) is None  # still building: no answer, no wait
    with qtbot.waitSignal(placements.placed, timeout=10_000) as blocker:
        pass
    ids, new = blocker.args
    assert ids == {"old"}
    assert new == frozenset()
    assert placements.get("old").country == "GRC"  # Orestiada
    assert placements.locate(26.555, 41.677).country == "TUR"  # Edirne


def test_a_new_incident_is_placed_and_reported_as_new(qtbot, live):
    store, placements = live
    with qtbot.waitSignal(placements.placed, timeout=5000) as blocker:
        store.commit([Change("incident", "edirne", incident_fields(lon=26.555, lat=41.677))], "op")
    ids, new = blocker.args
    assert ids == {"edirne"}
    assert new == {"edirne"}
    placed = placements.get("edirne")
    assert (placed.country, placed.across) == ("TUR", "GRC")
    assert 4 < placed.border_km < 9


def test_a_moved_incident_is_placed_again_and_is_not_new(qtbot, live):
    store, placements = live
    with qtbot.waitSignal(placements.placed, timeout=5000) as blocker:
        store.commit([Change("incident", "old", {"lon": 26.555, "lat": 41.677})], "op")
    assert blocker.args[1] == frozenset()
    assert placements.get("old").country == "TUR"


def test_a_new_sector_places_every_incident_again(qtbot, live):
    store, placements = live
    ring = [[26.4, 41.4], [26.7, 41.4], [26.7, 41.6], [26.4, 41.6], [26.4, 41.4]]
    sector = Sector(
        id="s-ore", name="Orestiada north", country="GRC", agency="HP",
        impact=ImpactLevel.HIGH, geometry={"type": "Polygon", "coordinates": [ring]},
    )  # fmt: skip
    with qtbot.waitSignal(placements.placed, timeout=5000):
        store.commit([Change("sector", "s-ore", sector.to_fields())], "op").result()
    assert placements.get("old").sector_id == "s-ore"
