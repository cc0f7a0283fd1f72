"""The incident form over a real store: inline messages naming the field, create and edit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt, QTimeZone

from app.errors import LimesError
from app.lifecycle import TransitionRefused
from app.oplog import Action, Op, decode_fields
from app.settings import PartnerSettings, load_settings
from app.store import Change
from app.store import queries as q
from tests.factories import incident_fields
from widgets.incident_form import IncidentForm


@pytest.fixture
def settings():
    loaded = load_settings(
        overrides={"node": {"center_id": "GR-ORE", "name": "Orestiada", "user": "anna"}}
    )
    loaded.partners = [PartnerSettings("BG-SVL", "Svilengrad"), PartnerSettings("TR-EDR", "Edirne")]
    loaded.releases = {"trafficking": ["BG-SVL"]}
    return loaded


@pytest.fixture
def form(qtbot, store, settings):
    dialog = IncidentForm.for_new(store, settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _visible_errors(form: IncidentForm) -> dict[str, str]:
    return {name: label.text() for name, label in form.errors.items() if label.isVisible()}


def _ops(store) -> int:
    with store.read() as connection:
        return q.counts(connection)["ops"]


@pytest.mark.parametrize(
    ("title", "position", "expected"),
    [
        ("", "41.5, 26.3", {"title": "Title is required"}),
        ("Van", "95.2, 26.3", {"position": "Position: latitude 95.2 is out of range (-90 to 90)"}),
        (
            "Van",
            "35T LF 1234 567",
            {"position": "Position: MGRS '35TLF1234567' needs an even number"},
        ),
        ("Van", "", {"position": "Position is required"}),
    ],
)
def test_each_bad_field_gets_its_own_message_and_nothing_is_written(
    qtbot, form, store, title, position, expected
):
    qtbot.keyClicks(form.title, title)
    qtbot.keyClicks(form.position, position)
    qtbot.keyClick(form.position, Qt.Key.Key_Return)  # Enter saves
    errors = _visible_errors(form)
    assert set(errors) == set(expected)
    for name, start in expected.items():
        assert errors[name].startswith(start)
    assert form.isVisible()
    assert _ops(store) == 0
    assert getattr(form, next(iter(expected))).hasFocus()  # the first bad field takes the focus


def test_every_error_at_once_then_fixed_one_by_one(qtbot, form, store):
    form.confidence.setText("Z9")
    form.occurred_at.setDateTime(
        QDateTime.fromSecsSinceEpoch(int((datetime.now(UTC) + timedelta(hours=3)).timestamp()))
    )
    form.save()
    assert set(_visible_errors(form)) == {"title", "confidence", "position", "occurred_at"}
    assert "Admiralty" in form.errors["confidence"].text()
    assert "future" in form.errors["occurred_at"].text()
    form.title.setText("Van at the fence")
    form.confidence.setText("b2")
    form.position.setText("41°30'08\"N 26°18'36\"E")
    form.occurred_at.setDateTime(QDateTime.currentDateTimeUtc().addSecs(-600))
    with qtbot.waitSignal(form.saved):
        form.save()
    assert _visible_errors(form) == {}
    assert not form.isVisible()


def test_a_new_incident_is_written_with_what_the_form_shows(qtbot, store, settings):
    form = IncidentForm.for_new(
        store, settings, lon=26.31, lat=41.502, derived={"sector": "Evros-3"}
    )
    qtbot.addWidget(form)
    form.show()
    assert "Evros-3" in form._derived_hint.text()
    assert form.releasability.released_to() == ["*"]
    form.category.setCurrentIndex(form.category.findData("trafficking"))
    assert form.releasability.released_to() == [
        "BG-SVL"
    ]  # the category's release list from settings
    qtbot.keyClicks(form.title, "Group of 12 near the fence")
    form.impact.setCurrentIndex(form.impact.findData("high"))
    form.confidence.setText("B2")
    form.occurred_at.setDateTime(QDateTime(2026, 11, 20, 22, 15, 0, 0, QTimeZone.utc()))
    form.description.setPlainText("Thermal camera T4.\nMoving north.")
    with qtbot.waitSignal(form.saved) as saved:
        qtbot.keyClick(form.title, Qt.Key.Key_Return)
    with store.read() as connection:
        incident = q.incident(connection, saved.args[0])
    assert incident.title == "Group of 12 near the fence"
    assert (incident.category.value, incident.impact.value, incident.confidence) == (
        "trafficking",
        "high",
        "B2",
    )
    assert (incident.lon, incident.lat) == (pytest.approx(26.31), pytest.approx(41.502))
    assert incident.occurred_at == datetime(2026, 11, 20, 22, 15, tzinfo=UTC)
    assert incident.reported_by == "anna"
    assert incident.status.value == "reported"
    assert incident.releasability == ("BG-SVL",)
    assert incident.description == "Thermal camera T4.\nMoving north."


def test_editing_writes_only_what_changed_and_escape_cancels(qtbot, store, settings):
    store.commit([Change("incident", "i1", incident_fields())], "anna").result()
    with store.read() as connection:
        incident = q.incident(connection, "i1")
    form = IncidentForm.for_edit(store, settings, incident)
    qtbot.addWidget(form)
    form.show()
    assert form.title.text() == "Van at the fence"
    form.title.setText("Van at the fence, two men")
    form.position.setText("35T MF 41575 94500")
    with qtbot.waitSignal(form.saved) as saved:
        form.save()
    assert saved.args == ["i1"]
    with store.read() as connection:
        edited = q.incident(connection, "i1")
        last = list(q.ops_of(connection, "incident", "i1"))[-1]
    assert edited.title == "Van at the fence, two men"
    assert edited.lat == pytest.approx(41.5, abs=1e-4)
    assert set(decode_fields(last[4])) == {"title", "lon", "lat"}  # only what changed
    before = _ops(store)
    again = IncidentForm.for_edit(store, settings, edited)
    qtbot.addWidget(again)
    again.show()
    again.title.setText("never saved")
    qtbot.keyClick(again.title, Qt.Key.Key_Escape)
    assert not again.isVisible()
    assert _ops(store) == before


def test_a_partners_incident_is_not_edited_here(store, settings):
    owned_elsewhere = Op(
        "BG-SVL",
        1,
        store.clock.now(),
        "incident",
        "b1",
        Action.SET,
        incident_fields("BG-SVL"),
        "ivan",
    )
    store.apply_remote([owned_elsewhere]).result()
    with store.read() as connection:
        incident = q.incident(connection, "b1")
    with pytest.raises(TransitionRefused, match="only the owner center BG-SVL may edit it"):
        IncidentForm.for_edit(store, settings, incident)
    assert issubclass(TransitionRefused, LimesError)


def test_a_field_changed_by_someone_else_while_editing_is_shown_not_overwritten(
    qtbot, store, settings
):
    store.commit([Change("incident", "i1", incident_fields())], "anna").result()
    with store.read() as connection:
        incident = q.incident(connection, "i1")
    form = IncidentForm.for_edit(store, settings, incident)
    qtbot.addWidget(form)
    form.show()
    store.commit([Change("incident", "i1", {"impact": "high"})], "sofia").result()
    form.impact.setCurrentIndex(form.impact.findData("low"))
    form.save()
    qtbot.waitUntil(lambda: form.errors["impact"].isVisible(), timeout=5000)
    assert form.errors["impact"].text().startswith("Impact: was changed meanwhile (now High)")
    assert form.isVisible()
    form.impact.setCurrentIndex(form.impact.findData("high"))
    form.impact.setCurrentIndex(form.impact.findData("low"))  # the operator decides again
    with qtbot.waitSignal(form.saved):
        form.save()
    with store.read() as connection:
        assert q.incident(connection, "i1").impact.value == "low"


def test_tab_walks_the_fields_in_reading_order_and_time_shows_local_too(qtbot, form):
    form.activateWindow()
    form.title.setFocus()
    seen = []
    for _ in range(7):
        seen.append(form.focusWidget())
        qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Tab)
    assert seen == [
        form.title,
        form.category,
        form.impact,
        form.confidence,
        form.position,
        form.occurred_at,
        form.description,
    ]
    assert form._local_time.text().startswith("local time ")
    assert "information cannot be judged" not in form._confidence_hint.text()
    assert form._confidence_hint.text().startswith("F6: source reliability cannot be judged")


def test_enter_pressed_twice_while_saving_reports_the_incident_once(qtbot, form, store):
    form.title.setText("Van at the fence")
    form.position.setText("41.5, 26.3")
    with qtbot.waitSignal(form.saved):
        qtbot.keyClick(form.title, Qt.Key.Key_Return)
        qtbot.keyClick(form.title, Qt.Key.Key_Return)
    qtbot.wait(100)
    with store.read() as connection:
        assert q.counts(connection)["incidents"] == 1
