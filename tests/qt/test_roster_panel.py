"""The commander's roster on the demo border: drag and drop, rule markers, gaps, overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app import values as v
from app.demo import seed_demo
from app.domain import Override
from app.settings import load_settings
from app.store import Change, Store
from app.store import queries as q
from app.store.feed import ChangeSet
from tests.roster_views import roster_of
from tests.store_exchange import send
from widgets import roster_panel
from widgets.crew_conflicts import crew_choices
from widgets.roster_panel import BoardPanel, RosterPanel
from widgets.shift_board import officer_mime


def _unexpected_question(_parent, what, violations):
    raise AssertionError(f"unexpected rules question: {what}: {violations}")


@pytest.fixture
def panel(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(roster_panel, "confirm_violations", _unexpected_question)
    with Store(tmp_path / "demo.sqlite3", "GR-ORE", synchronous="OFF") as store:
        seed_demo(store, datetime.now(UTC))
        settings = load_settings(
            overrides={"node": {"center_id": "GR-ORE", "name": "Orestiada", "user": "Cdr. Galanis"}}
        )
        roster = RosterPanel(store, settings)
        board = BoardPanel(roster)
        qtbot.addWidget(roster)
        qtbot.addWidget(board)
        roster.resize(700, 700)
        board.resize(1500, 800)
        roster.show()
        board.show()
        yield roster, store


def patrol_of(store: Store, patrol_id: str):
    with store.read() as connection:
        return {p.id: p for p in q.patrols(connection)}[patrol_id]


def viewport_point(board, scene_point: QPointF) -> QPoint:
    board.ensureVisible(scene_point.x(), scene_point.y(), 1, 1)
    return board.mapFromScene(scene_point)


def drag_bar(board, bar, target: QPointF) -> None:
    viewport = board.viewport()
    start = viewport_point(board, bar.sceneBoundingRect().center())
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    end = board.mapFromScene(target)
    for step in range(1, 6):
        point = start + (end - start) * step / 5
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            QPointF(point),
            QPointF(viewport.mapToGlobal(point)),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, move)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def drop_officer(board, bar, officer_id: str, from_patrol: str = "") -> None:
    viewport = board.viewport()
    point = QPointF(viewport_point(board, bar.sceneBoundingRect().center()))
    mime = officer_mime(officer_id, from_patrol)
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(viewport, QDragEnterEvent(point.toPoint(), actions, mime, buttons, mods))
    QApplication.sendEvent(viewport, QDragMoveEvent(point.toPoint(), actions, mime, buttons, mods))
    QApplication.sendEvent(viewport, QDropEvent(point, actions, mime, buttons, mods))


def gap_sectors_now(roster) -> set[str]:
    return {
        item.data(0)
        for item in roster.board.gap_items
        if item.pen().width() == 2  # the gap that includes now is drawn bold
    }


def test_violation_marker_names_the_rule_on_the_bar_the_list_and_the_table(panel):
    roster, _store = panel
    bar = roster.board.bars["PAT-EVROS-31"]
    assert bar.pen().color().name() == "#b71c1c"
    assert bar.marker.text() == "⚠ Host nation"
    assert "no officer of GRC" in bar.toolTip()
    assert roster.rules_label.text() == "<b>Rules</b>: 1 broken"
    assert roster.violation_list.item(0).text().startswith("EVROS-31 — Host nation:")
    row = roster.patrol_model.row_of("PAT-EVROS-31")
    assert roster.patrol_model.index(row, 5).data() == "Host nation"
    clean = roster.board.bars["PAT-EVROS-11"]
    assert not hasattr(clean, "marker")


def test_dragging_an_officer_between_crews_fixes_the_host_nation_violation(panel):
    roster, store = panel
    roster.select_patrol("PAT-EVROS-31")
    officers = [roster.officer_list.item(i).text() for i in range(roster.officer_list.count())]
    assert [text.split(" (")[0] for text in officers[:2]] == ["Plamen Georgiev", "Katrin Vogel"]
    assert any(
        t.startswith("Maria Kostoglou (GRC)") and t.endswith("— in HERMES-3") for t in officers
    )
    assert roster.crew_label.text() == "<b>Crew of EVROS-31</b>"
    drop_officer(roster.board, roster.board.bars["PAT-EVROS-31"], "OFF-GR-04", "PAT-HERMES-3")
    assert "OFF-GR-04" in patrol_of(store, "PAT-EVROS-31").crew
    assert "OFF-GR-04" not in patrol_of(store, "PAT-HERMES-3").crew
    assert roster.state.violations() == []
    assert roster.rules_label.text() == "<b>Rules</b>: all kept"
    assert not hasattr(roster.board.bars["PAT-EVROS-31"], "marker")


def test_dragging_a_patrol_bar_to_the_uncovered_sector_closes_the_gap(panel):
    roster, store = panel
    board = roster.board
    assert "SEC-BG-4" in gap_sectors_now(roster)  # Strandzha-4 Rezovo: nobody now
    bar = board.bars["PAT-STRANDZHA-31"]
    top = next(top for sector, top, _bottom in board._rows if sector == "SEC-BG-4")
    target = QPointF(bar.sceneBoundingRect().center().x(), top + 15)
    drag_bar(board, bar, target)
    moved = patrol_of(store, "PAT-STRANDZHA-31")
    assert moved.sector_id == "SEC-BG-4"
    assert moved.shift_end - moved.shift_start == bar.patrol.shift_end - bar.patrol.shift_start
    assert "SEC-BG-4" not in gap_sectors_now(roster)


def test_an_edit_that_breaks_a_rule_is_asked_about_first_and_cancel_saves_nothing(
    panel, monkeypatch
):
    roster, store = panel
    asked = []

    def refuse(_parent, what, violations):
        asked.append((what, [x.rule.value for x in violations]))
        return False

    monkeypatch.setattr(roster_panel, "confirm_violations", refuse)
    # Dimitris Karalis is on EVROS-11 now: adding him to EVROS-12 (same hours) overlaps
    drop_officer(roster.board, roster.board.bars["PAT-EVROS-12"], "OFF-GR-01")
    assert asked == [("Put Dimitris Karalis in EVROS-12", ["overlap", "overlap"])]
    assert "OFF-GR-01" not in patrol_of(store, "PAT-EVROS-12").crew
    assert [x.patrol_id for x in roster.state.violations()] == ["PAT-EVROS-31"]

    monkeypatch.setattr(roster_panel, "confirm_violations", lambda *_: True)
    drop_officer(roster.board, roster.board.bars["PAT-EVROS-12"], "OFF-GR-01")
    assert "OFF-GR-01" in patrol_of(store, "PAT-EVROS-12").crew
    assert roster.board.bars["PAT-EVROS-12"].marker.text() == "⚠ Overlapping shifts"


def test_an_override_is_recorded_with_who_and_why_in_the_op_log(panel):
    roster, store = panel
    [violation] = roster.state.violations()
    assert roster.override(violation, "Greek liaison rides with EVROS-31 from Didymoteicho")
    patrol = patrol_of(store, "PAT-EVROS-31")
    assert [(o.rule, o.by, o.reason) for o in patrol.overrides] == [
        ("host_nation", "Cdr. Galanis", "Greek liaison rides with EVROS-31 from Didymoteicho")
    ]
    with store.read() as connection:
        audit = [row for row in q.ops_of(connection, "patrol", "PAT-EVROS-31")]
    assert audit[-1][5] == "Cdr. Galanis"  # author of the op that recorded it
    assert b"Greek liaison" in audit[-1][4]
    assert roster.rules_label.text() == "<b>Rules</b>: 0 broken, 1 overridden"
    assert roster.board.bars["PAT-EVROS-31"].marker.text() == "✓ Host nation"
    assert not roster.override(violation, "   ")  # a reason is required; nothing recorded
    assert roster.message.text() == "Override not recorded: overrides.reason: is required"
    assert len(patrol_of(store, "PAT-EVROS-31").overrides) == 1


def test_a_status_key_changes_the_selected_patrols_status(panel, qtbot):
    roster, store = panel
    roster.select_patrol("PAT-EVROS-12")
    roster.patrol_view.setFocus()
    QTest.keyClick(roster.patrol_view, Qt.Key.Key_E)
    assert patrol_of(store, "PAT-EVROS-12").status is v.PatrolStatus.EN_ROUTE
    row = roster.patrol_model.row_of("PAT-EVROS-12")
    assert roster.patrol_model.index(row, 1).data() == "En route"


def test_the_nearest_available_patrol_is_proposed_and_sent(panel):
    roster, store = panel
    with store.read() as connection:
        rowids = [r for (r,) in connection.exec_driver_sql("SELECT rowid FROM incidents LIMIT 200")]
        incidents = q.incidents_by_rowid(connection, rowids)
    incident = next(
        i
        for i in incidents.values()
        if i.owner == "GR-ORE"
        and i.status in (v.IncidentStatus.REPORTED, v.IncidentStatus.VALIDATED)
    )
    roster.set_incident(incident)
    first = roster.dispatch.candidates.item(0)
    patrol_id = first.data(Qt.ItemDataRole.UserRole)
    assert patrol_of(store, patrol_id).status is v.PatrolStatus.AVAILABLE
    distances = [
        float(roster.dispatch.candidates.item(i).text().split(" · ")[1].split()[0])
        for i in range(roster.dispatch.candidates.count())
    ]
    assert distances == sorted(distances)
    roster.dispatch.send_button.click()
    assert patrol_of(store, patrol_id).status is v.PatrolStatus.EN_ROUTE
    with store.read() as connection:
        sent = q.incident(connection, incident.id)
    assert patrol_id in sent.assigned_patrols
    assert sent.status is v.IncidentStatus.RESPONDING


def test_a_double_booking_across_centers_is_shown_as_a_conflict(panel):
    roster, store = panel
    # Georgi Petkov is on SAKAR-21, crewed by Svilengrad; Orestiada puts him on EVROS-11 too
    crew = [*patrol_of(store, "PAT-EVROS-11").crew, "OFF-BG-01"]
    store.commit([Change("patrol", "PAT-EVROS-11", {"crew": sorted(crew)})], "Cdr. X").result()
    roster.reload()
    texts = [roster.violation_list.item(i).text() for i in range(roster.violation_list.count())]
    assert "EVROS-11 — Conflict between GR-ORE and BG-SVL: Overlapping shifts: Georgi Petkov" in (
        " ".join(texts)
    )
    assert roster.board.bars["PAT-SAKAR-21"].marker.text() == (
        "⚠ Conflict with GR-ORE: Overlapping shifts"
    )


def test_a_double_click_on_an_empty_hour_plans_a_patrol_the_commander_then_crews(panel):
    roster, store = panel
    board = roster.board
    roster.move_board(8)  # tomorrow's shift comes into view
    top = next(top for sector, top, _bottom in board._rows if sector == "SEC-BG-4")
    x = board.x_of(board.start + timedelta(hours=30)) + 5
    point = viewport_point(board, QPointF(x, top + 30))
    QTest.mouseDClick(
        board.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )
    [planned] = [p for p in roster.state.patrols.values() if p.call_sign.startswith("STRANDZHA-4")]
    assert planned.shift_start == board.start + timedelta(hours=30)
    assert planned.status is v.PatrolStatus.PLANNED
    assert patrol_of(store, planned.id).sector_id == "SEC-BG-4"
    assert [x.rule.value for x in roster.state.violations_of(planned.id)] == ["host_nation"]
    drop_officer(board, board.bars[planned.id], "OFF-BG-07")
    drop_officer(board, board.bars[planned.id], "OFF-GR-03")
    assert patrol_of(store, planned.id).crew == ("OFF-BG-07", "OFF-GR-03")
    assert roster.state.violations_of(planned.id) == []


def test_an_override_recorded_meanwhile_elsewhere_is_kept(panel):
    roster, store = panel
    [violation] = roster.state.violations()  # read before the other write
    other = Override(
        "language",
        ("OFF-BG-06",),
        "Tested on the radio",
        "Op. V. Marinova",
        datetime(2026, 11, 21, 9, tzinfo=UTC),
    )
    patrol = patrol_of(store, "PAT-EVROS-31")
    store.commit(
        [Change("patrol", patrol.id, {"overrides": [other.to_fields()]})], "Op. V. Marinova"
    ).result()
    assert roster.override(violation, "Greek liaison joins at Didymoteicho")
    held = patrol_of(store, "PAT-EVROS-31").overrides
    assert [o.by for o in held] == ["Op. V. Marinova", "Cdr. Galanis"]


def test_the_history_tab_lists_the_patrols_changes_with_the_override_reason(panel):
    roster, _store = panel
    [violation] = roster.state.violations_of("PAT-EVROS-31")
    assert roster.override(violation, "Greek liaison rides with EVROS-31 from Didymoteicho")
    drop_officer(roster.board, roster.board.bars["PAT-EVROS-31"], "OFF-GR-04", "PAT-HERMES-3")
    roster.select_patrol("PAT-EVROS-31")
    roster.people_tabs.setCurrentWidget(roster.history)
    history = roster.history
    assert history.title.text().startswith("<b>History of EVROS-31</b>")
    assert [history.change_at(row) for row in range(2)] == [
        "crew: + Maria Kostoglou (GRC)",
        "override: Host nation for Plamen Georgiev (BGR), Katrin Vogel (DEU)"
        " — “Greek liaison rides with EVROS-31 from Didymoteicho”",
    ]
    top = history.table.topLevelItem(0)
    assert (top.text(1), top.text(2)) == ("GR-ORE", "Cdr. Galanis")
    assert (
        history.change_at(history.table.topLevelItemCount() - 1) == "added to the roster: EVROS-31"
    )


def test_a_crew_edited_at_once_by_a_partner_is_shown_with_both_versions_and_settled(
    panel, tmp_path, monkeypatch
):
    roster, store = panel
    monkeypatch.setattr(roster_panel, "confirm_violations", lambda *_args: True)
    with Store(tmp_path / "bg.sqlite3", "BG-SVL", synchronous="OFF") as partner:
        send(store, partner)  # then the link goes down
        before = patrol_of(store, "PAT-EVROS-11").crew
        # Orestiada moves Kostoglou in; Svilengrad, meanwhile, takes Ivanova out
        bar = roster.board.bars["PAT-EVROS-11"]
        drop_officer(roster.board, bar, "OFF-GR-04", "PAT-HERMES-3")
        view = roster_of(partner)
        edited = view.without_officer("PAT-EVROS-11", "OFF-BG-02")
        partner.commit(view.preview([edited]).changes(view.patrols), "Cdr. Marinova").result()
        send(partner, store)  # the link is back
    roster.reload()

    box = roster.crew_conflicts
    assert box.isVisible()
    assert box.list.count() == 1
    text = box.list.item(0).text()
    assert text.startswith("EVROS-11: crew edited at once by BG-SVL and GR-ORE")
    bulgarian_line, greek_line = text.splitlines()[1:]
    assert bulgarian_line.startswith("  • BG-SVL · Cdr. Marinova")
    assert "Desislava Ivanova" not in bulgarian_line
    assert greek_line.startswith("  • GR-ORE · Cdr. Galanis")
    assert "Maria Kostoglou (GRC)" in greek_line
    assert "Desislava Ivanova (BGR)" in greek_line
    assert (
        roster.board.bars["PAT-EVROS-11"].marker.text().startswith("⚠ Crew conflict BG-SVL/GR-ORE")
    )
    row = roster.patrol_model.row_of("PAT-EVROS-11")
    assert roster.patrol_model.index(row, 5).data().startswith("Crew conflict")

    asked = []

    def choose_both_changes(_parent, call_sign, conflict, _name_of):
        asked.append((call_sign, crew_choices(conflict)))
        return crew_choices(conflict)[-1][1]

    monkeypatch.setattr(roster_panel, "ask_crew_choice", choose_both_changes)
    box.list.setCurrentRow(0)
    box.settle_button.click()
    [(call_sign, choices)] = asked
    assert call_sign == "EVROS-11"
    assert [label for label, _crew in choices] == [
        "Keep BG-SVL's crew (Cdr. Marinova)",
        "Keep GR-ORE's crew (Cdr. Galanis)",
        "Apply both changes",
    ]
    assert patrol_of(store, "PAT-EVROS-11").crew == tuple(
        sorted({*before, "OFF-GR-04"} - {"OFF-BG-02"})
    )
    assert not box.isVisible()
    assert not hasattr(roster.board.bars["PAT-EVROS-11"], "marker")  # no rule broken either


def test_an_edit_redraws_only_the_bars_it_changed_and_a_move_redraws_the_board(panel):
    roster, store = panel
    board = roster.board
    before = dict(board.bars)
    drop_officer(board, board.bars["PAT-EVROS-31"], "OFF-GR-04", "PAT-HERMES-3")
    assert board.last_redraw == "2 bars, 0 rows of gaps"
    changed = {p for p, bar in board.bars.items() if bar is not before[p]}
    assert changed == {"PAT-EVROS-31", "PAT-HERMES-3"}
    assert board.bars["PAT-EVROS-31"].label.text() == "EVROS-31 · BGR/DEU/GRC"
    assert all(bar.scene() is board.scene() for bar in board.bars.values())
    assert len(board.scene().items()) == len({id(i) for i in board.scene().items()})

    bar = board.bars["PAT-STRANDZHA-31"]
    top = next(top for sector, top, _bottom in board._rows if sector == "SEC-BG-4")
    drag_bar(board, bar, QPointF(bar.sceneBoundingRect().center().x(), top + 15))
    assert patrol_of(store, "PAT-STRANDZHA-31").sector_id == "SEC-BG-4"
    assert board.last_redraw == "whole"  # its old row and its new one changed lanes
    assert set(board.bars) == set(before)


def test_a_partners_change_shows_its_patrol_again_and_a_position_report_leaves_the_board(
    panel, tmp_path
):
    roster, store = panel
    board = roster.board
    with Store(tmp_path / "bg.sqlite3", "BG-SVL", synchronous="OFF") as partner:
        send(store, partner)
        view = roster_of(partner)
        edited = view.without_officer("PAT-SAKAR-21", "OFF-RO-01")
        partner.commit(view.preview([edited]).changes(view.patrols), "Cdr. Marinova").result()
        send(partner, store)
    roster.apply_changes(ChangeSet({"patrol": frozenset({"PAT-SAKAR-21"})}, 0, 0))
    assert board.last_redraw == "1 bars, 0 rows of gaps"
    assert board.bars["PAT-SAKAR-21"].label.text() == "SAKAR-21 · BGR"
    assert roster.state.patrols["PAT-SAKAR-21"].crew == ("OFF-BG-01", "OFF-BG-03")

    board.last_redraw = ""
    roster.apply_changes(ChangeSet({"patrol": frozenset({"PAT-SAKAR-21"})}, 0, 0))  # again
    assert board.last_redraw == ""  # nothing new: nothing redrawn
    fix = {"lon": 26.41, "lat": 41.71, "position_at": v.to_ms(datetime.now(UTC))}
    store.commit([Change("patrol", "PAT-EVROS-11", fix)], "tracker").result()
    roster.apply_changes(ChangeSet({"patrol": frozenset({"PAT-EVROS-11"})}, 0, 0))
    assert board.last_redraw == ""  # a position report moves the dispatch list only
    assert roster.state.patrols["PAT-EVROS-11"].lon == 26.41

    roster.select_patrol("PAT-EVROS-11")
    roster.people_tabs.setCurrentWidget(roster.history)
    assert roster.history.change_at(0) == "position: 41.71000, 26.41000"
    fix = {"lon": 26.42, "lat": 41.72, "position_at": v.to_ms(datetime.now(UTC))}
    store.commit([Change("patrol", "PAT-EVROS-11", fix)], "tracker").result()
    roster.apply_changes(ChangeSet({"patrol": frozenset({"PAT-EVROS-11"})}, 0, 0))
    assert roster.history.change_at(0).startswith("position: 2 reports ")
    assert roster.history.change_at(0).endswith("last 41.72000, 26.42000")
