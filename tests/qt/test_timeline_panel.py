"""The timeline panel over a real store: filters, saved views, strip and table linked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QTableView

from app import incident_filter as f
from app.store import Change
from app.store.feed import ChangeSet
from tests.factories import incident_fields
from widgets.incident_table import IncidentTableModel
from widgets.time_strip import LANES
from widgets.timeline_panel import MAX_MARKS, TimelinePanel

NOW = 1_795_000_000_000
CATEGORIES = ("smuggling", "unauthorised_crossing", "risk_to_life")
IMPACTS = ("low", "medium", "high")


@pytest.fixture
def panel(qtbot, store, tmp_path):
    # 120 incidents, one every 30 minutes back from NOW; every third is high impact.
    changes = [
        Change(
            "incident",
            f"inc-{i:03d}",
            incident_fields(
                "GR-ORE" if i % 2 else "BG-SVL",
                occurred_at=NOW - i * 30 * 60_000,
                reported_at=NOW - i * 30 * 60_000,
                category=CATEGORIES[i % 3],
                impact=IMPACTS[i % 3],
                title=f"Boat {i}" if i % 5 == 0 else f"Van {i}",
            ),
        )
        for i in range(120)
    ]
    store.commit(changes, "anna").result()
    model = IncidentTableModel(store)
    table = QTableView()
    table.setModel(model)
    widget = TimelinePanel(
        store,
        model,
        table,
        ["GR-ORE", "BG-SVL"],
        now_ms=lambda: NOW,
        views_file=tmp_path / "views.ini",
    )
    widget.resize(1200, 600)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.strip.mode == "marks", timeout=5000)
    qtbot.waitUntil(lambda: widget.model.complete, timeout=5000)
    return widget


def _listed(panel: TimelinePanel) -> list[str]:
    model = panel.model
    return [model.index(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(model.rowCount())]


def _choose(qtbot, panel, combo, value) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        combo.setCurrentIndex(combo.findData(value))


def test_a_supervisor_narrows_to_high_impact_in_the_last_24_hours(qtbot, panel):
    assert panel.model.rowCount() == 120
    _choose(qtbot, panel, panel.impact, "high")
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.quick_buttons[f.QuickRange.LAST_24H].click()
    # i = 2, 5, 8, ... up to 47 (23.5 h ago): 16 incidents, newest first
    expected = [f"inc-{i:03d}" for i in range(2, 49, 3)]
    assert _listed(panel) == expected
    assert all(panel.model.index(r, 2).data() == "High" for r in range(panel.model.rowCount()))
    assert "16" in panel.summary.text()
    # The strip now spans the last day only, and shows each of the 16 as a mark.
    qtbot.waitUntil(lambda: panel.strip.window()[0] > NOW - 2 * f.DAY_MS, timeout=3000)
    start, end = panel.strip.window()
    assert start <= NOW - f.DAY_MS < NOW <= end < NOW + f.DAY_MS // 10
    qtbot.waitUntil(lambda: len(panel.strip.marks.data) == 16, timeout=3000)


def test_text_search_waits_for_the_typing_to_stop(qtbot, panel):
    with qtbot.waitSignal(panel.loaded, timeout=5000) as loaded:
        qtbot.keyClicks(panel.search, "boat")
    assert loaded.args == [24]
    assert {panel.model.index(r, 4).data()[:4] for r in range(24)} == {"Boat"}


def test_zooming_the_strip_narrows_the_table_to_the_window(qtbot, panel):
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.strip.set_window(NOW - 3 * 3_600_000 - 60_000, NOW + 60_000)
    assert _listed(panel) == [f"inc-{i:03d}" for i in range(7)]


def test_clicking_a_mark_selects_its_row_and_selecting_a_row_marks_the_strip(qtbot, panel):
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.strip.set_window(NOW - 3 * 3_600_000 - 60_000, NOW + 60_000)
    qtbot.waitUntil(lambda: len(panel.strip.marks.data) == 7, timeout=5000)
    # inc-004 happened 2 h ago, an unauthorised crossing
    target = NOW - 4 * 30 * 60_000
    y = LANES.index(CATEGORIES[4 % 3])
    scene_point = panel.strip.view.mapViewToScene(QPointF(target / 1000, y))
    point = panel.strip.mapFromScene(scene_point)
    with qtbot.waitSignal(panel.incident_selected, timeout=3000) as chosen:
        qtbot.mouseClick(panel.strip.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert chosen.args == ["inc-004"]
    assert panel.selected_id() == "inc-004"

    with qtbot.waitSignal(panel.incident_selected, timeout=3000) as chosen:
        panel.table.selectRow(1)
    assert chosen.args == ["inc-001"]
    marked = panel.strip.selection.data
    assert marked["x"][0] * 1000 == NOW - 30 * 60_000
    assert marked["y"][0] == LANES.index(CATEGORIES[1])


def test_zoomed_out_the_strip_counts_per_bin(qtbot, store, panel):
    many = [
        Change("incident", f"bulk-{i:05d}", incident_fields(occurred_at=NOW - i * 60_000))
        for i in range(MAX_MARKS + 10)
    ]
    store.commit(many, "anna").result()
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.reload()
    qtbot.waitUntil(lambda: panel.strip.mode == "counts", timeout=5000)
    heights = panel.strip.bars.opts["height"]
    assert len(heights) > 0
    assert max(heights) == pytest.approx(0.8)


def test_the_strip_draws_only_the_marks_in_its_window(qtbot, store, panel):
    """Regression: marks were read for the whole filter whenever the window held few; live
    incidents outside the window (a partner's catch-up: 100,000 of them) were all drawn, on
    the GUI thread, at every change."""
    qtbot.waitUntil(lambda: len(panel.strip.marks.data) == 120, timeout=5000)
    later = [
        Change("incident", f"later-{i}", incident_fields(occurred_at=NOW + (30 + i) * f.DAY_MS))
        for i in range(10)
    ]
    store.commit(later, "anna").result()
    strip_reads = []
    panel.strip.marks.sigPlotChanged.connect(lambda *_: strip_reads.append(True))
    panel.apply_changes(ChangeSet({"incident": frozenset(c.record_id for c in later)}, 0, 0))
    qtbot.waitUntil(lambda: bool(strip_reads) and panel.listing.idle, timeout=5000)
    assert panel.model.rowCount() == 130  # the table lists them
    assert len(panel.strip.marks.data) == 120  # the strip draws what its window shows


def test_a_saved_view_comes_back_after_the_filters_change(qtbot, panel, tmp_path):
    _choose(qtbot, panel, panel.impact, "high")
    _choose(qtbot, panel, panel.owner, "GR-ORE")
    panel.save_view("High, ours")
    _choose(qtbot, panel, panel.impact, None)
    assert panel.model.rowCount() == 60
    # a new panel on the same file (the next shift) finds the view
    assert panel.view_names() == ["High, ours"]
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.apply_view("High, ours")
    assert panel.impact.currentData() == "high"
    assert panel.owner.currentData() == "GR-ORE"
    assert panel.model.rowCount() == 20  # odd i (ours) and i % 3 == 2
    panel.delete_view("High, ours")
    assert panel.view_names() == []


def test_the_slider_shows_what_we_knew_at_a_past_moment_and_back_to_live(qtbot, store, panel):
    import time

    from app.replay import Moment

    time.sleep(0.01)
    before = time.time_ns() // 1_000_000
    time.sleep(0.01)
    store.commit(
        [
            Change("incident", "late-1", incident_fields(occurred_at=NOW - 60_000, title="Late")),
            Change("incident", "inc-001", {"status": "closed"}),
        ],
        "anna",
    ).result()
    with qtbot.waitSignal(panel.replay_changed, timeout=5000) as shown:
        panel.replay.toggle.click()  # replay starts at the latest moment
    assert shown.args[0] is not None
    qtbot.waitUntil(lambda: panel.model.rowCount() == 121, timeout=5000)
    entered = panel.model._store.path

    assert panel.replay.chosen_moment() is Moment.WHAT_WE_KNEW
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.replay.set_at(before)
    assert panel.replaying
    assert panel.model.rowCount() == 120
    assert "late-1" not in _listed(panel)
    assert panel.model.index(1, 3).data() == "Reported"  # inc-001 was not closed yet
    assert "Known at" in panel.replay.when.text()
    assert panel.strip.moment.isVisible()

    picture_file = panel.model._store.path
    assert picture_file == entered  # the slider moved the picture in place, not anew
    assert picture_file.exists()
    with qtbot.waitSignal(panel.replay_changed, timeout=5000) as shown:
        panel.replay.toggle.click()
    assert shown.args == [None, None]
    assert not picture_file.exists()  # the replayed picture's temporary file is gone
    qtbot.waitUntil(lambda: panel.model.rowCount() == 121, timeout=5000)
    assert not panel.replaying
    assert panel.model.index(2, 3).data() == "Closed"  # after late-1 and inc-000


def test_play_moves_the_moment_forward_at_the_chosen_speed(qtbot, panel):
    with qtbot.waitSignal(panel.replay_changed, timeout=5000):
        panel.replay.toggle.click()
    start = panel.replay.at() - 3_600_000
    panel.replay.set_span(start - 3_600_000, start + 10 * 3_600_000)
    panel.replay.set_at(start)
    panel.replay.speed.setCurrentIndex(panel.replay.speed.findData(3600))
    panel.replay.play.click()
    qtbot.waitUntil(lambda: panel.replay.at() >= start + 3_600_000, timeout=5000)
    panel.replay.play.click()
    stopped = panel.replay.at()
    qtbot.wait(600)
    assert panel.replay.at() == stopped
    assert panel.replay.play.text() == "▶ Play"
