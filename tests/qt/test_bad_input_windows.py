"""Bad input typed or pasted into the window, and bad files handed to its layer panel: each is
refused where it was given, naming the field or the file, nothing is written or drawn, and
the window carries on (the next good input works)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone
from PySide6.QtGui import QGuiApplication, QTextCursor

from app.roster_rules import Rule, Violation
from app.settings import PartnerSettings, load_settings
from app.store import Change
from app.store import queries as q
from app.store.digest import picture_digest
from tests.factories import incident_fields
from widgets.details_panel import DetailsPanel
from widgets.incident_form import IncidentForm
from widgets.layer_panel import LayerPanel
from widgets.map_view import MapView
from widgets.roster_dialogs import OverrideDialog

# -- the incident form -----------------------------------------------------------------------


@pytest.fixture
def settings():
    loaded = load_settings(
        overrides={"node": {"center_id": "GR-ORE", "name": "Orestiada", "user": "anna"}}
    )
    loaded.partners = [PartnerSettings("BG-SVL", "Svilengrad")]
    return loaded


@pytest.fixture
def form(qtbot, store, settings):
    dialog = IncidentForm.for_new(store, settings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.title.setText("Van at the fence")
    dialog.position.setText("41.5, 26.3")
    return dialog


def _state(store) -> tuple[str, dict[str, int]]:
    with store.read() as connection:
        return picture_digest(connection), q.counts(connection)


def _shown_errors(form: IncidentForm) -> dict[str, str]:
    return {name: label.text() for name, label in form.errors.items() if label.isVisible()}


MEGABYTE = "x" * 1_000_000

# field, text typed or pasted, the start of the message shown under that field
FORM_CASES = [
    ("position", "nan, 26.3", "Position: latitude 'nan' is not decimal degrees or DMS"),
    ("position", "41.5, inf", "Position: longitude 'inf' is not decimal degrees or DMS"),
    ("position", "95.2, 26.3", "Position: latitude 95.2 is out of range (-90 to 90)"),
    ("position", "-90.0000001, 0", "Position: latitude -90.0000001 is out of range"),
    ("position", "41.5, 181", "Position: longitude 181 is out of range (-180 to 180)"),
    ("position", "4" * 5000 + ", 26", "Position: latitude '4444"),
    ("position", "41°99'00\"N 26°00'00\"E", "Position: latitude '41°99"),
    ("position", "99X MF 41575 94500", "Position: '99XMF4157594500' is not a valid MGRS"),
    ("position", "\x00\x01", "Position: '\\x00\\x01': give latitude and longitude"),
    ("position", MEGABYTE, "Position: 'xxxx"),
    ("title", "", "Title is required"),
    ("title", "T" * 201, "Title is 201 characters long (at most 200)"),
    ("title", MEGABYTE, "Title is 32767 characters long (at most 200)"),  # QLineEdit's limit
    ("confidence", "Z9", "Confidence: 'Z9' is not an Admiralty code"),
    ("confidence", MEGABYTE, "Confidence: 'xx' is not an Admiralty code"),  # 2 characters
    ("description", "line\n" * 200_000, "Description is 999999 characters long (at most 20000)"),
]


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    FORM_CASES,
    ids=[f"{field}: {text[:20]!r}" for field, text, _ in FORM_CASES],
)
def test_a_bad_field_is_named_under_it_nothing_is_written_and_the_form_recovers(
    qtbot, form, store, field, text, expected
):
    before = _state(store)
    widget = getattr(form, field)
    if field == "description":
        widget.setPlainText(text)
    else:
        widget.setText(text)
    form.save()
    errors = _shown_errors(form)
    assert set(errors) == {field}, errors
    assert errors[field].startswith(expected), errors[field][:200]
    assert len(errors[field]) < 1_000  # a pasted megabyte is not echoed into the label
    assert form.isVisible()
    assert _state(store) == before

    good = {"position": "41.5, 26.3", "title": "Van", "confidence": "B2", "description": "ok"}
    if field == "description":
        widget.setPlainText(good[field])
    else:
        widget.setText(good[field])
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()
    assert _shown_errors(form) == {}


def test_a_megabyte_pasted_into_the_description_is_refused_at_once(qtbot, form, store):
    """Regression: QPlainTextEdit took minutes to lay out one pasted line of a megabyte, and
    the window froze; the text would have been refused at save anyway."""
    form.description.setPlainText("Seen from tower 7. ")
    form.description.moveCursor(QTextCursor.MoveOperation.End)
    QGuiApplication.clipboard().setText(MEGABYTE)
    started = time.monotonic()
    form.description.paste()
    assert time.monotonic() - started < 5
    assert form.description.toPlainText() == "Seen from tower 7. "
    assert _shown_errors(form) == {
        "description": "Description: not pasted: the text is 1,000,000 characters long, and "
        "a description holds at most 20,000"
    }
    QGuiApplication.clipboard().setText("Two people, one vehicle.")
    form.description.paste()
    assert form.description.toPlainText() == "Seen from tower 7. Two people, one vehicle."
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()


def test_a_time_before_1900_or_in_the_future_is_refused_by_name(qtbot, form, store):
    before = _state(store)
    utc = QTimeZone.utc()
    form.occurred_at.setDateTime(QDateTime(QDate(1800, 1, 1), QTime(12, 0), utc))
    form.save()
    assert "Occurred" in _shown_errors(form).get("occurred_at", ""), _shown_errors(form)
    assert _state(store) == before
    form.occurred_at.setDateTime(QDateTime(QDate(2199, 1, 1), QTime(12, 0), utc))
    form.save()
    assert "future" in _shown_errors(form)["occurred_at"]
    assert _state(store) == before
    now = datetime.now(UTC)
    form.occurred_at.setDateTime(QDateTime.fromSecsSinceEpoch(int(now.timestamp()) - 600, utc))
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()


# -- the layer panel -------------------------------------------------------------------------


@pytest.fixture
def panel(qtbot):
    view = MapView()
    qtbot.addWidget(view)
    widget = LayerPanel(view)
    qtbot.addWidget(widget)
    widget.show()
    return widget, view


POINT = {
    "type": "Feature",
    "properties": {"name": "Tower 7"},
    "geometry": {"type": "Point", "coordinates": [26.5, 41.5]},
}
KML = (
    '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
    "<Placemark><name>Tower</name><Point><coordinates>26.5,41.5</coordinates></Point>"
    "</Placemark></Document></kml>"
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE k [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8))
    + ']><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&i;</name>'
    "<Point><coordinates>26,41</coordinates></Point></Placemark></kml>"
)


def _collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


# file name, content (bytes, or a function writing the file), words the message must hold
LAYER_CASES = [
    ("empty.geojson", b"", ["empty.geojson", "invalid JSON"]),
    ("cut.geojson", _collection(POINT)[:-25].encode(), ["cut.geojson", "invalid JSON at line 1"]),
    ("utf16.geojson", _collection(POINT).encode("utf-16"), ["utf16.geojson", "not UTF-8"]),
    ("deep.geojson", b"[" * 100_000 + b"]" * 100_000, ["deep.geojson", "nested too deeply"]),
    ("garbage.geojson", bytes(range(256)) * 16, ["garbage.geojson"]),
    (
        "nan.geojson",
        _collection(POINT).replace("26.5", "NaN").encode(),
        ["nan.geojson", "NaN is not allowed"],
    ),
    (
        "far.geojson",
        _collection(POINT).replace("41.5", "1e400").encode(),
        ["far.geojson", "feature 0", "outside longitude -180..180 / latitude -90..90"],
    ),
    (
        "big.geojson",
        lambda path: path.open("wb").truncate(65 * 1024 * 1024),
        ["big.geojson", "65 MiB", "at most 64 MiB"],
    ),
    ("empty.kml", b"", ["empty.kml", "invalid KML (XML) at line 1", "no element found"]),
    ("cut.kml", KML[:-40].encode(), ["cut.kml", "invalid KML (XML)"]),
    (
        "nan.kml",
        KML.replace("26.5,41.5", "nan,41.5").encode(),
        ["nan.kml", "placemark 0 ('Tower')", "coordinate 0 (nan, 41.5) is outside"],
    ),
    (
        "latin1.kml",
        KML.replace("Tower", "Türm").encode("latin-1"),
        ["latin1.kml", "invalid KML (XML)", "not well-formed"],
    ),
    ("laughs.kml", LAUGHS.encode(), ["laughs.kml", "invalid KML (XML)"]),
    (
        "xxe.kml",
        (
            '<?xml version="1.0"?><!DOCTYPE k [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + KML.split("?>", 1)[1].replace("Tower", "&e;")
        ).encode(),
        ["xxe.kml", "invalid KML (XML)", "undefined entity"],
    ),
    ("notes.txt", b"hello", ["notes.txt", "not a GeoJSON or KML file"]),
]


def _write(path, content) -> None:
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)


@pytest.mark.parametrize(
    ("name", "content", "expected"), LAYER_CASES, ids=[case[0] for case in LAYER_CASES]
)
def test_a_bad_layer_file_is_refused_by_name_and_the_map_is_unchanged(
    panel, tmp_path, name, content, expected
):
    widget, view = panel
    before = (view.layers.names(), len(view.view.childGroup.childItems()))
    path = tmp_path / name
    _write(path, content)
    assert widget.import_file(path) is None
    text = widget.message.text()
    assert text.startswith("Not imported: ")
    for words in expected:
        assert words in text, text
    assert len(text) < 1_000
    assert (view.layers.names(), len(view.view.childGroup.childItems())) == before

    good = tmp_path / "good.kml"
    good.write_text(KML)
    assert widget.import_file(good) == "good"  # the panel carries on


# -- other boxes that take free text ---------------------------------------------------------


def test_a_megabyte_pasted_into_a_follow_up_note_is_refused_and_a_real_note_still_goes_in(
    qtbot, store, settings
):
    store.commit([Change("incident", "i1", incident_fields())], "anna").result()
    panel = DetailsPanel(store, settings)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.show_incident_id("i1")
    before = _state(store)
    QGuiApplication.clipboard().setText(MEGABYTE)
    started = time.monotonic()
    panel.notes.box.paste()
    assert time.monotonic() - started < 5
    assert panel.notes.box.toPlainText() == ""
    assert panel.message.text() == (
        "Note not pasted: the text is 1,000,000 characters long, and a note holds at most 20,000"
    )
    assert _state(store) == before
    QGuiApplication.clipboard().setText("Crossed back at marker 12.")
    panel.notes.box.paste()
    panel.notes.add_button.click()
    qtbot.waitUntil(lambda: _state(store)[1]["notes"] == before[1]["notes"] + 1, timeout=10_000)


def test_a_megabyte_pasted_as_an_override_reason_is_refused(qtbot):
    violation = Violation(Rule.SHIFT_LENGTH, "p1", (), "the shift is 14 h long (at most 12 h)")
    dialog = OverrideDialog(None, "EVROS-1", violation)
    qtbot.addWidget(dialog)
    dialog.show()
    QGuiApplication.clipboard().setText(MEGABYTE)
    dialog.reason.paste()
    assert dialog.reason.toPlainText() == ""
    assert not dialog.ok.isEnabled()
    assert dialog.refusal.text() == (
        "Reason not pasted: the text is 1,000,000 characters long, and a reason holds at most 2,000"
    )
    QGuiApplication.clipboard().setText("Relief patrol stuck at the Kipoi crossing.")
    dialog.reason.paste()
    assert dialog.ok.isEnabled()
