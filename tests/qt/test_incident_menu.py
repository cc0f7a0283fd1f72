"""The Incident menu in the main window: Ctrl+N reports, Ctrl+E edits the selected incident."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.store import queries as q
from tests.qt.test_main_window import demo_store, window  # noqa: F401 (fixtures)


def test_ctrl_n_reports_an_incident_that_the_window_then_shows(qtbot, window):  # noqa: F811
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = window.incident_actions.form
    assert form is not None
    assert form.isVisible()
    qtbot.keyClicks(form.title, "Boat landing at Nea Vyssa")
    qtbot.keyClicks(form.position, "41.588, 26.543")
    with qtbot.waitSignal(form.saved) as saved:
        qtbot.keyClick(form.position, Qt.Key.Key_Return)
    incident_id = saved.args[0]
    qtbot.waitUntil(lambda: window.details.incident_id == incident_id, timeout=5000)
    assert "Boat landing at Nea Vyssa" in window.details.header.text()
    qtbot.waitUntil(
        lambda: window.incident_view.currentIndex().data(Qt.ItemDataRole.UserRole) == incident_id,
        timeout=5000,
    )


def test_ctrl_e_edits_the_selected_incident_and_refuses_a_partners(qtbot, window, demo_store):  # noqa: F811
    store, _ = demo_store
    with store.read() as connection:
        mine, theirs = (
            connection.exec_driver_sql(
                "SELECT id FROM incidents WHERE deleted = 0 AND (owner = 'GR-ORE') = ? LIMIT 1",
                (flag,),
            ).scalar_one()
            for flag in (1, 0)
        )
    window.select_incident(theirs)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert "only the owner center" in window.statusBar().currentMessage()
    window.select_incident(mine)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    form = window.incident_actions.form
    assert form.windowTitle() == f"Edit incident {mine}"
    form.title.setText("Edited from the window")
    with qtbot.waitSignal(form.saved):
        form.save()
    with store.read() as connection:
        assert q.incident(connection, mine).title == "Edited from the window"
    qtbot.waitUntil(lambda: "Edited from the window" in window.details.header.text(), timeout=5000)


def test_ctrl_shift_n_goes_straight_to_the_note_box(qtbot, window, demo_store):  # noqa: F811
    store, _ = demo_store
    with store.read() as connection:
        incident_id = connection.exec_driver_sql(
            "SELECT id FROM incidents WHERE deleted = 0 LIMIT 1"
        ).scalar_one()
    window.select_incident(incident_id)
    window.activateWindow()
    qtbot.keyClick(
        window,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    notes = window.details.notes
    assert window.details.tabs.currentWidget() is notes
    qtbot.keyClicks(notes.box, "Called the patrol, no answer")
    qtbot.keyClick(notes.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "no answer" in notes.log.toPlainText(), timeout=5000)
