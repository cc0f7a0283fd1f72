"""The details dock as the incident's working view, over a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from app import values as v
from app.lifecycle import Transition
from app.oplog import Action, Op
from app.settings import PartnerSettings, load_settings
from app.store import Change
from app.store import queries as q
from tests.factories import incident_fields
from widgets.details_panel import DetailsPanel


@pytest.fixture
def settings():
    loaded = load_settings(
        overrides={"node": {"center_id": "GR-ORE", "name": "Orestiada", "user": "sofia"}}
    )
    loaded.partners = [PartnerSettings("BG-SVL", "Svilengrad")]
    return loaded


@pytest.fixture
def panel(qtbot, store, settings):
    store.commit([Change("incident", "i1", incident_fields())], "anna").result()
    now = datetime.now(UTC)
    for patrol_id, status, start in (
        ("p1", "available", now - timedelta(hours=1)),
        ("p2", "off_duty", now - timedelta(hours=1)),
        ("p3", "available", now + timedelta(hours=5)),
    ):
        fields = {
            "call_sign": patrol_id.upper().replace("P", "EVROS-"),
            "crew": [],
            "vehicle": "",
            "shift_start": v.to_ms(start),
            "shift_end": v.to_ms(start + timedelta(hours=8)),
            "sector_id": "",
            "status": status,
            "lon": None,
            "lat": None,
            "position_at": None,
            "releasability": ["*"],
        }
        store.commit([Change("patrol", patrol_id, fields)], "cmd").result()
    widget = DetailsPanel(store, settings)
    qtbot.addWidget(widget)
    widget.resize(600, 360)
    widget.show()
    assert widget.show_incident_id("i1")
    return widget


def _status(store, incident_id="i1"):
    with store.read() as connection:
        return q.incident(connection, incident_id).status


def test_buttons_offer_the_allowed_next_states_and_say_why_the_others_are_not(panel):
    enabled = {t for t, button in panel.buttons.items() if button.isEnabled()}
    assert enabled == {Transition.VALIDATE, Transition.DISMISS}
    assert "only a resolved incident is closed" in panel.buttons[Transition.CLOSE].toolTip()
    assert "REPORTED" in panel.header.text()


def test_validating_from_the_dock_is_written_and_shown_with_who_did_it(qtbot, panel, store):
    qtbot.mouseClick(panel.buttons[Transition.VALIDATE], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "VALIDATED" in panel.header.text(), timeout=5000)
    assert _status(store) is v.IncidentStatus.VALIDATED
    assert not panel.buttons[Transition.VALIDATE].isEnabled()
    assert panel.buttons[Transition.RESOLVE].isEnabled()
    assert "needs a patrol assigned" in panel.buttons[Transition.RESPOND].toolTip()
    newest = panel.audit.topLevelItem(0)
    assert [newest.text(c) for c in (1, 2, 3)] == [
        "GR-ORE",
        "sofia",
        "status: Reported → Validated",
    ]


def test_a_note_typed_in_the_dock_joins_the_log(qtbot, panel, store):
    panel.tabs.setCurrentIndex(1)
    qtbot.keyClicks(panel.notes.box, "EVROS-11 checking the fence at km 14")
    qtbot.keyClick(panel.notes.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "km 14" in panel.notes.log.toPlainText(), timeout=5000)
    assert panel.notes.box.toPlainText() == ""
    assert panel.tabs.tabText(1) == "Notes (1)"
    with store.read() as connection:
        (note,) = q.notes_of(connection, "i1")
    assert (note.author, note.center) == ("sofia", "GR-ORE")
    qtbot.mouseClick(panel.notes.add_button, Qt.MouseButton.LeftButton)  # empty: refused
    assert "text: is required" in panel.message.text()


def test_patrols_on_shift_are_offered_and_sending_one_starts_the_response(qtbot, panel, store):
    panel._on_patrols_menu_about_to_show()
    offered = {a.data(): a for a in panel.patrols_menu.actions() if a.isCheckable()}
    assert set(offered) == {"p1"}  # p2 is off duty, p3 not on shift yet
    qtbot.mouseClick(panel.buttons[Transition.VALIDATE], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "VALIDATED" in panel.header.text(), timeout=5000)
    panel._on_patrols_menu_about_to_show()
    next(a for a in panel.patrols_menu.actions() if a.data() == "p1").setChecked(True)
    qtbot.waitUntil(lambda: "RESPONDING" in panel.header.text(), timeout=5000)
    with store.read() as connection:
        assert q.incident(connection, "i1").assigned_patrols == ("p1",)
    assert panel.patrols_button.text() == "Patrols (1)"
    assert "EVROS-1" in panel.summary.toPlainText()
    changes = [panel.audit.change_at(i) for i in range(panel.audit.topLevelItemCount())]
    assert "patrols: none → EVROS-1" in changes
    assert "status: Validated → Responding" in changes


def test_a_partners_incident_is_followed_up_with_notes_only(qtbot, panel, store):
    theirs = Op(
        "BG-SVL", 1, store.clock.now(), "incident", "b1", Action.SET, incident_fields("BG-SVL"), "x"
    )
    store.apply_remote([theirs]).result()
    panel.show_incident_id("b1")
    for button in panel.buttons.values():
        assert not button.isEnabled()
        assert "only the owner center BG-SVL" in button.toolTip()
    assert not panel.patrols_button.isEnabled()
    assert not panel.impact_button.isEnabled()
    assert "BG-SVL may change its impact level" in panel.impact_button.toolTip()
    assert "follow it up with notes" in panel.header.text()
    assert panel.ack_button.isVisible()
    qtbot.mouseClick(panel.ack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Acknowledged" in panel.notes.log.toPlainText(), timeout=5000)
    panel.notes.box.setPlainText("Seen from GR side too")
    qtbot.mouseClick(panel.notes.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "GR side" in panel.notes.log.toPlainText(), timeout=5000)


def test_a_deleted_incident_says_so_and_offers_nothing(qtbot, panel, store):
    store.commit([Change("incident", "i1", {}, Action.DELETE)], "sofia").result()
    panel.refresh()
    assert "DELETED" in panel.header.text()
    assert not any(button.isEnabled() for button in panel.buttons.values())
    assert panel.audit.change_at(0) == "deleted"


def test_the_owner_changes_the_impact_level_from_the_dock(qtbot, panel, store):
    assert not panel.ack_button.isVisible()  # nothing to acknowledge on our own incident
    assert panel.impact_button.isEnabled()
    high = next(a for a in panel.impact_menu.actions() if a.data() == "high")
    high.trigger()
    qtbot.waitUntil(lambda: "impact <b>High</b>" in panel.header.text(), timeout=5000)
    assert panel.audit.change_at(0) == "impact: Medium → High"
    assert high.isChecked()
