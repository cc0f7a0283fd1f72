"""Replay in the whole window: the map and the roster show the picture at T, marked as a replay,
the roster refuses edits, live changes wait, and switching replay off brings back live."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from app.domain import Patrol
from app.settings import load_settings
from app.store import Change
from app.store.feed import ChangeFeed
from app.values import ImpactLevel, PatrolStatus
from tests.factories import incident_fields
from widgets.bridge import StoreBridge
from widgets.main_window import MainWindow

SECTOR = {
    "name": "Kastanies",
    "country": "GR",
    "agency": "Hellenic Police",
    "impact": "low",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[26.3, 41.5], [26.7, 41.5], [26.7, 41.8], [26.3, 41.8], [26.3, 41.5]]],
    },
    "releasability": [],
}
OLD_PLACE = (26.40, 41.60)
NEW_PLACE = (26.60, 41.70)


def _ms() -> int:
    return time.time_ns() // 1_000_000


@pytest.fixture
def scene(qtbot, store):
    """A sector at low, a patrol at its old place; then (after T) an incident, the patrol
    moved on scene and the sector raised to high."""
    now = datetime.now(UTC)
    patrol = Patrol(
        id="p1", call_sign="EVROS-12", crew=(), vehicle="4x4",
        shift_start=now - timedelta(hours=2), shift_end=now + timedelta(hours=6),
        sector_id="s1", status=PatrolStatus.AVAILABLE, lon=OLD_PLACE[0], lat=OLD_PLACE[1],
    )  # fmt: skip
    store.commit(
        [Change("sector", "s1", SECTOR), Change("patrol", "p1", patrol.to_fields())], "cdr"
    ).result()
    time.sleep(0.02)
    before = _ms()
    time.sleep(0.02)
    store.commit(
        [
            Change("incident", "boat-1", incident_fields(title="Boat on the river", lon=26.5)),
            Change(
                "patrol", "p1", {"lon": NEW_PLACE[0], "lat": NEW_PLACE[1], "status": "on_scene"}
            ),
            Change("sector", "s1", {"impact": "high"}),
        ],
        "anna",
    ).result()
    feed = ChangeFeed(store, interval_s=0.05)
    bridge = StoreBridge(feed, refresh_ms=50)
    settings = load_settings(overrides={"node": {"center_id": "GR-ORE", "name": "Orestiada"}})
    window = MainWindow(
        store, settings, bridge, region=(25.8, 40.7, 27.0, 42.2), restore_layout=False
    )
    qtbot.addWidget(window)
    feed.start()
    window.show()
    yield window, before
    window.close()  # ends the replay, as the application does before its store closes
    feed.stop()
    bridge.disconnect_feed()


def _patrol_place(window) -> tuple[float, float]:
    x, y = window.map_panel.view.patrols.scatter.getData()
    lon, lat = window.map_panel.view.projection.inverse(np.asarray(x), np.asarray(y))
    assert len(lon) == 1
    return round(float(lon[0]), 3), round(float(lat[0]), 3)


def _sector_level_drawn(window, level: ImpactLevel) -> bool:
    return not window.map_panel.view.sectors._level_items[level].path().isEmpty()


def _replay_at(qtbot, window, at_ms: int) -> None:
    timeline = window.timeline
    if not timeline.replay.toggle.isChecked():
        with qtbot.waitSignal(timeline.replay_changed, timeout=5000):
            timeline.replay.toggle.click()
    with qtbot.waitSignal(
        timeline.replay_changed, timeout=5000, check_params_cb=lambda at, _p: at is not None
    ):
        timeline.replay.set_at(at_ms)


def test_map_and_roster_show_the_picture_at_t_and_return_to_live(qtbot, scene, store):
    window, before = scene
    map_panel, roster = window.map_panel, window.roster_panel
    qtbot.waitUntil(lambda: map_panel.view.incident_layer.position("boat-1") is not None)
    assert _patrol_place(window) == NEW_PLACE
    assert _sector_level_drawn(window, ImpactLevel.HIGH)
    assert not map_panel.replay_banner.isVisible()

    _replay_at(qtbot, window, before)

    # The map: before the incident existed, the patrol at its old place, the sector still low.
    assert map_panel.view.incident_layer.position("boat-1") is None
    assert _patrol_place(window) == OLD_PLACE
    assert _sector_level_drawn(window, ImpactLevel.LOW)
    assert not _sector_level_drawn(window, ImpactLevel.HIGH)
    # Marked as a replay, on the map and on the roster, with the moment named.
    for banner in (map_panel.replay_banner, roster.replay_banner):
        assert banner.isVisible()
        assert banner.text().startswith("REPLAY — as known at ")
    assert map_panel.replay_banner.parent() is map_panel.view  # so an exported PNG carries it
    # The roster: the patrol as it was (available, not on scene), and read-only.
    patrol = roster.patrol_model.patrol_at(0)
    assert patrol.status is PatrolStatus.AVAILABLE
    assert roster.read_only
    assert not roster._commit([Change("patrol", "p1", {"status": "off_duty"})])
    assert "Replay is on" in roster.message.text()
    with store.read() as connection:
        assert (
            connection.exec_driver_sql("SELECT status FROM patrols WHERE id = 'p1'").scalar_one()
            == "on_scene"
        )  # nothing was written

    # A live change arrives during the replay: it waits.
    store.commit([Change("incident", "van-2", incident_fields(title="Van", lon=26.45))], "op")
    qtbot.wait(400)  # the feed and the bridge deliver it
    assert map_panel.view.incident_layer.position("van-2") is None

    with qtbot.waitSignal(window.timeline.replay_changed, timeout=5000):
        window.timeline.replay.toggle.click()  # back to live

    assert map_panel.view.incident_layer.position("boat-1") is not None
    assert map_panel.view.incident_layer.position("van-2") is not None  # nothing was lost
    assert _patrol_place(window) == NEW_PLACE
    assert _sector_level_drawn(window, ImpactLevel.HIGH)
    assert not map_panel.replay_banner.isVisible()
    assert not roster.replay_banner.isVisible()
    assert not roster.read_only
    assert roster.patrol_model.patrol_at(0).status is PatrolStatus.ON_SCENE


def test_closing_the_window_in_replay_lets_the_map_go_back_to_live(qtbot, scene):
    window, before = scene
    _replay_at(qtbot, window, before)
    assert window.map_panel.replaying
    window.timeline.end_replay()  # what closing the window does
    assert not window.map_panel.replaying
    assert not window.roster_panel.read_only
    window.map_panel.reload()  # reads the live store, not the removed picture file
    assert window.map_panel.view.incident_layer.position("boat-1") is not None
