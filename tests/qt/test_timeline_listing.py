"""The timeline over more incidents than a page: the newest rows first, then the rest under
them; live changes from another writer checked off the GUI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from app.store import Change
from app.store.feed import ChangeSet
from tests.factories import incident_fields
from widgets import timeline_listing
from widgets.incident_table import IncidentTableModel
from widgets.timeline_listing import FIRST_PAGE
from widgets.timeline_panel import TimelinePanel

NOW = 1_795_000_000_000
COUNT = 450  # more than the first page
MINUTE = 60_000


def _fields(i: int, **changes) -> dict:
    """Odd ones are ours (GR-ORE: this store may edit them), even ones BG-SVL's."""
    fields = {
        "occurred_at": NOW - i * 10 * MINUTE,
        "reported_at": NOW - i * 10 * MINUTE,
        "impact": "high" if i % 3 == 0 else "low",
        "title": f"Incident {i}",
    }
    return incident_fields("GR-ORE" if i % 2 else "BG-SVL", **{**fields, **changes})


@pytest.fixture
def panel(qtbot, store, tmp_path):
    # COUNT incidents, one every 10 minutes back from NOW: inc-000 is the newest.
    store.commit(
        [Change("incident", f"inc-{i:03d}", _fields(i)) for i in range(COUNT)], "anna"
    ).result()
    model = IncidentTableModel(store)
    table = QTableView()
    table.setModel(model)
    widget = TimelinePanel(
        store, model, table, ["GR-ORE", "BG-SVL"], now_ms=lambda: NOW,
        views_file=tmp_path / "views.ini",
    )  # fmt: skip
    widget.resize(1200, 600)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.complete and widget.listing.idle, timeout=5000)
    yield widget
    widget.shutdown()


def _id(panel: TimelinePanel, row: int) -> str:
    return panel.model.index(row, 0).data(Qt.ItemDataRole.UserRole)


def _at_first_page(panel: TimelinePanel, look) -> list:
    """What ``look()`` sees when the first page is shown (before the rest arrives)."""
    seen: list = []
    panel.first_page_shown.connect(lambda _shown: seen.append(look()))
    return seen


def test_a_filter_change_shows_the_newest_rows_first_then_the_complete_count(qtbot, panel):
    seen = _at_first_page(
        panel,
        lambda: (panel.model.rowCount(), _id(panel, 0), panel.summary.text(), panel.model.complete),
    )
    with qtbot.waitSignal(panel.loaded, timeout=5000) as loaded:
        panel.owner.setCurrentIndex(panel.owner.findData("BG-SVL"))  # even i: 225
    rows, first, summary, complete = seen[0]
    assert rows == FIRST_PAGE
    assert first == "inc-000"  # the newest matching incident
    assert "counting" in summary
    assert not complete
    assert loaded.args == [225]
    assert panel.model.rowCount() == 225
    assert [_id(panel, r) for r in (0, 1, 224)] == ["inc-000", "inc-002", "inc-448"]
    assert panel.summary.text() == "<b>225</b> incidents"


def test_a_short_list_is_complete_with_its_first_page(qtbot, panel):
    pages = []
    panel.first_page_shown.connect(pages.append)
    with qtbot.waitSignal(panel.loaded, timeout=5000) as loaded:
        panel.search.setText("44")  # in the title or the id: 44, 144, 244, 344, 440..449
        panel.apply_filter()
    assert loaded.args == [14]
    assert pages == []  # nothing said "counting": the first read was the whole list
    assert "counting" not in panel.summary.text()


def test_the_selection_and_the_scroll_position_stay_when_the_rest_arrives(qtbot, panel):
    panel.table.selectRow(4)
    assert panel.selected_id() == "inc-004"
    resets = []
    panel.model.modelReset.connect(lambda: resets.append(panel.model.rowCount()))
    bar = panel.table.verticalScrollBar()

    def scroll_down() -> tuple[str | None, int]:
        panel.table.scrollTo(panel.model.index(150, 0), QTableView.ScrollHint.PositionAtTop)
        return panel.selected_id(), bar.value()

    seen = _at_first_page(panel, scroll_down)
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.impact.setCurrentIndex(panel.impact.findData("low"))  # i % 3 != 0: 300 rows
    selected, scrolled = seen[0]
    assert selected == "inc-004"  # still selected on the first page
    assert panel.model.rowCount() == 300
    assert resets == [FIRST_PAGE]  # the rest was appended, not shown anew
    assert scrolled > 0
    assert bar.value() == scrolled  # the user's place in the list
    assert panel.selected_id() == "inc-004"


def test_a_selected_incident_beyond_the_first_page_is_selected_again_once_listed(qtbot, panel):
    panel.table.selectRow(400)
    assert panel.selected_id() == "inc-400"
    seen = _at_first_page(panel, panel.selected_id)
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.owner.setCurrentIndex(panel.owner.findData("BG-SVL"))  # 400 is even: still in
    assert seen == [None]  # not among the first rows
    assert panel.selected_id() == "inc-400"
    row = panel.model.row_of("inc-400")
    assert row == 200
    viewport = panel.table.viewport().rect()
    assert viewport.intersects(panel.table.visualRect(panel.model.index(row, 0)))


def test_only_the_newest_filter_is_listed(qtbot, panel):
    loaded = []
    panel.loaded.connect(loaded.append)
    panel.owner.setCurrentIndex(panel.owner.findData("BG-SVL"))
    panel.owner.setCurrentIndex(panel.owner.findData("GR-ORE"))
    panel.impact.setCurrentIndex(panel.impact.findData("high"))  # odd i, i % 3 == 0: 75
    qtbot.waitUntil(lambda: panel.listing.idle, timeout=5000)
    qtbot.wait(100)
    assert loaded == [75]
    assert _id(panel, 0) == "inc-003"


@pytest.fixture
def reads_off_the_gui_thread(monkeypatch):
    """Every listing and change check, and the thread it ran on."""
    threads: list[str] = []
    for name in ("filtered_rowids", "listing_change"):
        real = getattr(timeline_listing, name)

        def spy(*args, real=real, **kwargs):
            threads.append(threading.current_thread().name)
            return real(*args, **kwargs)

        monkeypatch.setattr(timeline_listing, name, spy)
    return threads


def test_a_change_from_another_writer_appears_without_a_read_on_the_gui_thread(
    qtbot, store, panel, reads_off_the_gui_thread
):
    store.commit(
        [
            Change("incident", "late-1", _fields(0, occurred_at=NOW + MINUTE, title="Newest")),
            Change("incident", "inc-001", {"title": "Boat, now seen"}),
        ],
        "bo",
    ).result()
    panel.apply_changes(ChangeSet({"incident": frozenset({"late-1", "inc-001"})}, 0, 0))
    qtbot.waitUntil(lambda: panel.model.rowCount() == COUNT + 1, timeout=5000)
    qtbot.waitUntil(lambda: panel.listing.idle, timeout=5000)
    assert _id(panel, 0) == "late-1"
    assert panel.model.index(2, 4).data() == "Boat, now seen"
    assert panel.summary.text() == f"<b>{COUNT + 1}</b> incidents"
    assert reads_off_the_gui_thread  # the check and the re-list ran ...
    assert threading.main_thread().name not in reads_off_the_gui_thread  # ... off the GUI


def test_an_edited_incident_is_repainted_in_place_without_a_relist(
    qtbot, store, panel, reads_off_the_gui_thread
):
    panel.model.index(5, 4).data()  # on screen: its page is cached
    resets = []
    panel.model.modelReset.connect(lambda: resets.append(True))
    store.commit([Change("incident", "inc-005", {"title": "Van, two people"})], "bo").result()
    with qtbot.waitSignal(panel.model.dataChanged, timeout=5000):
        panel.apply_changes(ChangeSet({"incident": frozenset({"inc-005"})}, 0, 0))
    assert panel.model.index(5, 4).data() == "Van, two people"
    assert resets == []
    assert reads_off_the_gui_thread == ["limes-read_0"]  # the check only, on the worker


def test_an_incident_that_stops_matching_leaves_the_list(qtbot, store, panel):
    """Regression: a live change used to re-list only when an incident was created or
    deleted; closed under an "open" filter, or re-timed out of the window, it stayed."""
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.status.setCurrentIndex(panel.status.findData("open"))
    listed = panel.model.rowCount()
    assert panel.model.row_of("inc-001") == 1
    store.commit([Change("incident", "inc-001", {"status": "closed"})], "bo").result()
    panel.apply_changes(ChangeSet({"incident": frozenset({"inc-001"})}, 0, 0))
    qtbot.waitUntil(lambda: panel.model.rowCount() == listed - 1, timeout=5000)
    assert panel.model.row_of("inc-001") is None


def test_an_incident_moved_in_time_moves_in_the_list(qtbot, store, panel):
    """Regression: a moved time kept the incident at its old place (the order check the code
    promised was not there)."""
    assert _id(panel, 11) == "inc-011"
    store.commit(
        [Change("incident", "inc-011", {"occurred_at": NOW - 101 * 10 * MINUTE - 1})], "bo"
    ).result()
    panel.apply_changes(ChangeSet({"incident": frozenset({"inc-011"})}, 0, 0))
    qtbot.waitUntil(lambda: panel.model.row_of("inc-011") == 101, timeout=5000)
    assert _id(panel, 11) == "inc-012"
