"""The main window over a real store: lazy timeline, live updates, linked selection, layout."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from app.demo import seed_demo
from app.incident_filter import IncidentFilter, QuickRange, filtered_rowids
from app.settings import load_settings
from app.store import Change, Store
from app.store.feed import ChangeFeed
from tests.unit.test_oplog_store import _incident_fields
from widgets.bridge import StoreBridge
from widgets.incident_table import PAGE, IncidentTableModel
from widgets.main_window import MainWindow


@pytest.fixture
def demo_store(tmp_path):
    with Store(tmp_path / "demo.sqlite3", "GR-ORE", synchronous="OFF") as store:
        scenario = seed_demo(store, datetime.now(UTC))
        yield store, scenario


@pytest.fixture
def window(qtbot, demo_store):
    store, scenario = demo_store
    feed = ChangeFeed(store, interval_s=0.05)
    bridge = StoreBridge(feed, refresh_ms=50)
    settings = load_settings(overrides={"node": {"center_id": "GR-ORE", "name": "Orestiada"}})
    main = MainWindow(store, settings, bridge, region=scenario.region, restore_layout=False)
    qtbot.addWidget(main)
    feed.start()
    main.show()
    qtbot.waitUntil(lambda: main.incident_model.complete, timeout=5000)  # first listing
    yield main
    main.close()  # as the application does: the window goes before its store closes
    feed.stop()
    bridge.disconnect_feed()


def _many_incidents(store: Store, count: int) -> None:
    changes = []
    for index in range(count):
        fields = _incident_fields(title=f"Incident {index}")
        fields["occurred_at"] += index * 60_000
        fields["reported_at"] = fields["occurred_at"]
        changes.append(Change("incident", f"i{index:05d}", fields))
    store.commit(changes, "anna").result()


def test_timeline_model_is_lazy_newest_first_and_passes_the_model_tester(qtmodeltester, store):
    _many_incidents(store, 1000)
    model = IncidentTableModel(store)
    assert model.rowCount() == 0  # nothing read on construction: the timeline lists off-thread
    qtmodeltester.check(model)
    model.reload()
    model._pages.clear()
    assert model.rowCount() == 1000
    first = model.index(0, 4).data()
    last = model.index(999, 4).data()
    assert (first, last) == ("Incident 999", "Incident 0")
    model._pages.clear()
    model.index(5, 0).data()
    assert len(model._pages) == 1  # only the page on screen became Python objects
    assert sum(len(page) for page in model._pages.values()) == PAGE


def test_the_rest_of_a_list_is_appended_under_its_first_page(qtmodeltester, store):
    _many_incidents(store, 1000)
    model = IncidentTableModel(store)
    qtmodeltester.check(model)  # stays attached: checks the signals of what follows
    with store.read() as connection:
        everything = filtered_rowids(connection, IncidentFilter())
    criteria = IncidentFilter()
    model.show(criteria, everything[:PAGE], complete=False)
    assert model.index(0, 4).data() == "Incident 999"  # page 0 read
    assert (model.rowCount(), model.complete) == (PAGE, False)
    resets = []
    model.modelReset.connect(lambda: resets.append(True))
    assert model.show_complete(criteria, everything)
    assert (model.rowCount(), model.complete, resets) == (1000, True, [])
    assert 0 in model._pages  # the page read stays cached
    assert model.index(999, 4).data() == "Incident 0"
    # A complete list that does not start with the rows shown (one came in at the top
    # between the two reads) is shown anew.
    model.show(criteria, everything[1 : PAGE + 1], complete=False)
    assert not model.show_complete(criteria, everything)
    assert (model.rowCount(), model.complete, len(resets)) == (1000, True, 2)


def test_window_shows_the_picture_and_identity(qtbot, window):
    assert window.incident_model.rowCount() > 10
    assert window.patrol_model.rowCount() >= 8
    qtbot.waitUntil(lambda: "picture" in window._counts.text(), timeout=5000)
    status = window._counts.text()
    assert "incidents" in status
    assert "picture" in status
    assert "GR-ORE" in window._identity.text()
    assert window.map_panel.view.incidents.items(), "incidents drawn on the map"


def test_the_timeline_opens_on_the_last_day_with_all_history_one_click_away(qtbot, window):
    """The demo holds IOM records back to 2014: opened on all time, today would be a sliver
    against the strip's right edge."""
    timeline = window.timeline
    day = 24 * 3_600_000
    now = int(datetime.now(UTC).timestamp() * 1000)
    assert timeline.quick_buttons[QuickRange.LAST_24H].isChecked()
    qtbot.waitUntil(lambda: timeline.strip.window()[0] > now - 2 * day, timeout=5000)
    start, end = timeline.strip.window()
    assert end - start < 2 * day
    assert end >= now - 60_000
    last_day = timeline.model.rowCount()
    assert 10 < last_day < 100
    with qtbot.waitSignal(timeline.loaded, timeout=5000):
        timeline.quick_buttons[None].click()  # All
    assert timeline.model.rowCount() > 200
    qtbot.waitUntil(lambda: timeline.strip.window()[0] < now - 365 * day, timeout=5000)


def test_a_new_incident_from_anyone_reaches_the_views_without_restart(qtbot, window, demo_store):
    store, _ = demo_store
    before = window.incident_model.rowCount()
    fields = _incident_fields(title="Boat sighted near Feres")
    fields["occurred_at"] = fields["reported_at"] = int(datetime.now(UTC).timestamp() * 1000)
    store.commit([Change("incident", "live-1", fields)], "anna")
    qtbot.waitUntil(lambda: window.incident_model.rowCount() == before + 1, timeout=5000)
    assert window.incident_model.index(0, 4).data() == "Boat sighted near Feres"
    qtbot.waitUntil(lambda: "live-1" in window.map_panel.view.incident_layer, timeout=5000)


def test_an_incident_picked_while_the_list_is_counting_is_selected_once_listed(qtbot, window):
    """Picked on the map while the timeline shows only its first page: selected when the
    complete list arrives, and nothing says it is left out by the filter."""
    timeline = window.timeline
    with qtbot.waitSignal(timeline.loaded, timeout=5000):
        timeline.quick_buttons[None].click()  # All
    oldest = window.incident_model.rowCount() - 1
    assert oldest >= PAGE
    wanted = window.incident_model.index(oldest, 0).data(Qt.ItemDataRole.UserRole)
    with qtbot.waitSignal(timeline.loaded, timeout=5000):
        timeline.quick_buttons[QuickRange.LAST_24H].click()
    timeline.first_page_shown.connect(lambda _shown: window.select_incident(wanted))
    with qtbot.waitSignal(timeline.loaded, timeout=5000):
        timeline.quick_buttons[None].click()
    assert window.incident_view.currentIndex().row() == oldest
    assert timeline.selected_id() == wanted
    qtbot.wait(1700)  # past the "not in the filter" check
    assert "not in the timeline" not in window.statusBar().currentMessage()


def test_selecting_in_the_timeline_shows_details_and_marks_the_map(qtbot, window):
    view = window.incident_view
    view.selectRow(3)
    incident_id = window.incident_model.index(3, 0).data(Qt.ItemDataRole.UserRole)
    title = window.incident_model.index(3, 4).data()
    assert title in window.details.header.text()
    marked = window.map_panel._selection.data
    assert len(marked) == 1
    # and the other way round: a click on the map selects the row
    view.clearSelection()
    window.map_panel.view.incident_clicked.emit(incident_id)
    assert view.currentIndex().row() == 3


def test_layout_is_restored_in_the_next_run(qtbot, window, demo_store):
    store, scenario = demo_store
    window.roster_dock.hide()
    window.save_layout()
    feed = ChangeFeed(store)
    bridge = StoreBridge(feed)
    settings = load_settings(overrides={"node": {"center_id": "GR-ORE", "name": "Orestiada"}})
    again = MainWindow(store, settings, bridge, region=scenario.region, restore_layout=True)
    qtbot.addWidget(again)
    again.show()
    assert not again.roster_dock.isVisible()
    assert again.map_dock.isVisible()
    bridge.disconnect_feed()


def test_a_hidden_dock_does_not_redraw_and_catches_up_when_shown(qtbot, window, demo_store):
    store, _ = demo_store
    window.timeline_dock.hide()
    before = window.incident_model.rowCount()
    fields = _incident_fields(title="While nobody looked")
    fields["occurred_at"] = fields["reported_at"] = int(datetime.now(UTC).timestamp() * 1000)
    store.commit([Change("incident", "hidden-1", fields)], "anna").result()
    qtbot.waitUntil(lambda: "hidden-1" in window.map_panel.view.incident_layer, timeout=5000)
    assert window.incident_model.rowCount() == before  # stale, not redrawn
    window.timeline_dock.show()
    window.timeline_dock.raise_()  # it shares its place with the shift board, as a tab
    qtbot.waitUntil(lambda: window.incident_model.rowCount() == before + 1, timeout=5000)


def test_right_click_report_and_details_say_where_the_incident_is(qtbot, window):
    qtbot.waitUntil(lambda: window.map_panel.placements.settled, timeout=15_000)
    window.map_panel.new_incident_requested.emit(26.52, 41.50)  # Orestiada, west of the Evros
    form = window.incident_actions.form
    hint = form._derived_hint.text()
    assert "Country: GRC" in hint, hint
    assert "TUR across" in hint, hint
    assert form.position.text()  # the clicked position, in the operator's format
    form.close()

    qtbot.waitUntil(lambda: window.incident_model.rowCount() > 0, timeout=5000)
    window.select_incident(window.incident_model.incident_at(0).id)
    qtbot.waitUntil(lambda: "Where" in window.details.summary.toPlainText(), timeout=5000)
    assert "from the border" in window.details.summary.toPlainText()


@pytest.mark.qt_log_ignore(r"Mouse event .* not accepted by receiving widget")
def test_clicking_a_patrol_on_the_map_selects_it_in_the_roster(qtbot, window):
    from PySide6 import QtCore

    patrol = window.patrol_model.patrol_at(3)
    view = window.map_panel.view
    window.map_panel.center_on(patrol.lon, patrol.lat)
    x, y = view.projection.forward_point(patrol.lon, patrol.lat)
    position = view.mapFromScene(view.view.mapViewToScene(QtCore.QPointF(x, y)))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    qtbot.waitUntil(lambda: window.patrol_view.currentIndex().row() == 3, timeout=3000)


@pytest.mark.qt_log_ignore(r"does not support (raise|grabbing)")
def test_a_patrol_radioed_in_is_placed_from_a_right_click_and_partners_get_it(qtbot, window):
    """The commander picks a patrol in the roster, right-clicks where it says it is: the
    position is saved through the op-log (so partners and its track get it), and the map's
    marker moves there."""
    from PySide6.QtCore import QPoint

    from app.store import queries as q

    view = window.map_panel.view
    view.context_requested.emit(26.40, 41.30, QPoint(0, 0))
    assert window.map_panel.context_menu.patrol_here is None  # no patrol selected: not offered
    window.map_panel.context_menu.close()

    patrol = window.patrol_model.patrol_at(2)
    window.roster_panel.select_patrol(patrol.id)
    view.context_requested.emit(26.40, 41.30, QPoint(0, 0))
    menu = window.map_panel.context_menu
    assert menu.patrol_here.text() == f"{patrol.call_sign} is here (position report)"
    menu.patrol_here.trigger()
    menu.close()

    with window._store.read() as connection:
        saved = {p.id: p for p in q.patrols(connection)}[patrol.id]
        [(author,)] = connection.exec_driver_sql(
            "SELECT author FROM ops WHERE kind = 'patrol' AND record_id = ? "
            "ORDER BY lsn DESC LIMIT 1",
            (patrol.id,),
        ).fetchall()
    assert (saved.lon, saved.lat) == (26.40, 41.30)
    assert saved.position_at is not None
    assert author == window.roster_panel._user
    x, y = view.projection.forward_point(26.40, 41.30)

    def marker_moved() -> bool:
        points = view.patrols.scatter.points()
        return any(
            p.data() == patrol.id and abs(p.pos().x() - x) < 1 and abs(p.pos().y() - y) < 1
            for p in points
        )

    qtbot.waitUntil(marker_moved, timeout=3000)
