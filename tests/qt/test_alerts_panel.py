"""Alerts in the window: raised by live changes, listed, flashed on the map, clickable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.store import Change
from app.store import queries as q
from maps.alerts import NEAR_BORDER, PATROL_OUTSIDE
from tests.factories import incident_fields, minutes_ago
from tests.qt.test_main_window import demo_store, window  # noqa: F401  -- shared fixtures

KASTANIES = (
    26.4814,
    41.6472,
)  # the village: under a kilometre from the 1:10m line (on its Turkish side, see README "Scale")


@pytest.fixture
def ready_window(qtbot, window):  # noqa: F811
    qtbot.waitUntil(lambda: window.map_panel.placements.settled, timeout=15_000)
    return window


def _report_at_kastanies(qtbot, store, main, incident_id: str, title: str, minutes: int) -> None:
    """An incident at Kastanies ``minutes`` ago; returns once it has raised its alert."""
    before = len(main.alert_panel.alerts())
    fields = incident_fields(
        lon=KASTANIES[0], lat=KASTANIES[1], title=title, occurred_at=minutes_ago(minutes)
    )
    store.commit([Change("incident", incident_id, fields)], "anna").result()
    qtbot.waitUntil(lambda: len(main.alert_panel.alerts()) > before, timeout=10_000)


def test_an_incident_near_the_line_raises_an_alert_that_flashes_and_selects(
    qtbot,
    ready_window,
    demo_store,  # noqa: F811
):
    store, _ = demo_store
    main = ready_window
    # five minutes ago: inside the timeline's opening range (the last 24 h)
    _report_at_kastanies(qtbot, store, main, "near-1", "Group on the riverbank", 5)
    alert = main.alert_panel.alerts()[0]  # newest first
    assert alert.kind == NEAR_BORDER
    assert alert.record_id == "near-1"
    assert "Group on the riverbank" in alert.text
    assert "from the border" in alert.text
    assert main.map_panel.flashes.flashing >= 1

    main.alert_panel.list.itemClicked.emit(main.alert_panel.list.item(0))
    qtbot.waitUntil(
        lambda: main.incident_view.currentIndex().data(Qt.ItemDataRole.UserRole) == "near-1",
        timeout=5000,
    )


def test_an_alert_on_an_incident_outside_the_timeline_filter_says_so(
    qtbot,
    ready_window,
    demo_store,  # noqa: F811
):
    """Weeks-old and newly reported: the timeline's last 24 h leaves it out, the window tells."""
    store, _ = demo_store
    main = ready_window
    fortnight = 14 * 24 * 60
    _report_at_kastanies(qtbot, store, main, "late-1", "Late report of a crossing", fortnight)
    main.alert_panel.list.itemClicked.emit(main.alert_panel.list.item(0))
    qtbot.waitUntil(
        lambda: "Late report of a crossing" in main.statusBar().currentMessage(), timeout=5000
    )
    assert "not in the timeline's current filter" in main.statusBar().currentMessage()
    assert main.details.incident_id == "late-1"


def test_an_incident_far_from_the_line_and_hot_sectors_raises_nothing(
    qtbot,
    ready_window,
    demo_store,  # noqa: F811
):
    store, _ = demo_store
    main = ready_window
    before = len(main.alert_panel.alerts())
    fields = incident_fields(lon=25.3, lat=41.1, title="Far inland")  # near Komotini
    store.commit([Change("incident", "far-1", fields)], "anna").result()
    qtbot.waitUntil(lambda: main.map_panel.placements.get("far-1") is not None, timeout=10_000)
    assert len(main.alert_panel.alerts()) == before


def test_a_patrol_leaving_its_sector_raises_an_alert(qtbot, ready_window, demo_store):  # noqa: F811
    store, _ = demo_store
    main = ready_window
    with store.read() as connection:
        patrol = next(p for p in q.patrols(connection) if p.sector_id and p.lon is not None)
    store.commit([Change("patrol", patrol.id, {"lon": 24.0, "lat": 40.0})], "anna").result()
    qtbot.waitUntil(
        lambda: any(a.kind == PATROL_OUTSIDE and a.record_id == patrol.id
                    for a in main.alert_panel.alerts()),
        timeout=10_000,
    )  # fmt: skip
    main.alert_panel.clear()
    assert main.alert_panel.alerts() == []


def test_alerts_are_kept_across_a_restart_and_clear_keeps_the_log(qtbot, tmp_path):
    from app.store import Store
    from app.store.alert_log import AlertLog
    from maps.alerts import Alert
    from widgets.alerts_panel import AlertPanel

    path = tmp_path / "center.sqlite3"
    with Store(path, "GR-ORE") as store:
        panel = AlertPanel(AlertLog(store))
        qtbot.addWidget(panel)
        panel.add(Alert(NEAR_BORDER, "New crossing — 300 m from the border", "incident", "i1",
                        26.48, 41.65))  # fmt: skip
        panel.add(Alert(PATROL_OUTSIDE, "Patrol EVROS-11 is 2.0 km outside its sector",
                        "patrol", "p1", 26.3, 41.7))  # fmt: skip
        before = panel.alerts()
    with Store(path, "GR-ORE") as store:  # the window opens again on the same file
        again = AlertPanel(AlertLog(store))
        qtbot.addWidget(again)
        after = again.alerts()
        assert [(a.kind, a.text, a.record_id, a.lon, a.lat) for a in after] == [
            (a.kind, a.text, a.record_id, a.lon, a.lat) for a in before
        ]
        assert [int(a.raised_at.timestamp() * 1000) for a in after] == [
            int(a.raised_at.timestamp() * 1000) for a in before
        ]
        # the monitor forgets a patrol's departure on restart and says it again: listed once
        again.add(Alert(PATROL_OUTSIDE, "Patrol EVROS-11 is 2.0 km outside its sector",
                        "patrol", "p1", 26.3, 41.7))  # fmt: skip
        assert len(again.alerts()) == 2
        again.clear()
        assert again.alerts() == []
    with Store(path, "GR-ORE") as store:
        cleared = AlertPanel(AlertLog(store))
        qtbot.addWidget(cleared)
        assert cleared.alerts() == []
        with store.read() as connection:
            kept = connection.exec_driver_sql(
                "SELECT COUNT(*) FROM alerts WHERE cleared_at IS NOT NULL"
            ).scalar()
        assert kept == 2, "Clear empties the list, the log keeps what was raised"
