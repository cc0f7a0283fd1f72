"""The incident form: a first report or an edit, typed without leaving the keyboard.

Tab walks the fields in reading order, Enter (Ctrl+Enter in the description) saves, Esc
cancels. Every field is checked by the same rules as an import or a partner's op
(:mod:`app.records`, :mod:`app.coordinates`); a refusal is written under the field it is about,
and the first bad field takes the focus. Nothing is written until every field is good.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QDateTime, QTimeZone, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app import values as v
from app.coordinates import format_dd, format_dms, format_mgrs, format_position, parse_position
from app.domain import Incident, new_incident
from app.errors import LimesError, ValidationError
from app.lifecycle import check_owner, edit_incident, new_incident_id
from app.records import INCIDENT, RELEASE_TO_ALL
from app.settings import Settings
from app.store import Change, Store
from app.store import queries as q
from widgets.bounded_text import BoundedTextEdit
from widgets.release_list import ReleaseList

FIELDS = (
    "title",
    "category",
    "impact",
    "confidence",
    "position",
    "occurred_at",
    "description",
    "releasability",
)
MAX_DESCRIPTION = 20_000  # characters, as app.records checks it
_ERROR_STYLE = "color:#c62828"
_HINT_STYLE = "color:#555"


class IncidentForm(QDialog):
    """Create or edit one incident. ``saved(incident_id)`` after a successful write."""

    saved = Signal(str)
    _write_finished = Signal(str, object)  # from the writer thread, delivered on the GUI thread

    def __init__(
        self,
        store: Store,
        settings: Settings,
        incident: Incident | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._settings = settings
        self._incident = incident
        self.setWindowTitle(f"Edit incident {incident.id}" if incident else "New incident")
        self.setMinimumWidth(620)

        self.title = QLineEdit()
        self.title.setPlaceholderText("What happened, in a few words")
        self.category = QComboBox()
        for category in v.Category:
            self.category.addItem(category.label, category.value)
        self.impact = QComboBox()
        for level in v.INCIDENT_IMPACT_LEVELS:
            self.impact.addItem(level.label, level.value)
        self.confidence = QLineEdit()
        self.confidence.setMaxLength(2)
        self.confidence.setPlaceholderText("e.g. B2")
        self.confidence.setToolTip(
            "Admiralty code: source reliability A (completely reliable) to F (cannot be judged),\n"
            "information credibility 1 (confirmed) to 6 (cannot be judged)"
        )
        self.position = QLineEdit()
        self.position.setPlaceholderText(
            "41.50234, 26.31012 · 41°30'08\"N 26°18'36\"E · 35T MF ..."
        )
        self.occurred_at = _UtcTimeEdit()
        self.occurred_at.setTimeZone(QTimeZone.utc())
        self.occurred_at.setDisplayFormat("yyyy-MM-dd HH:mm 'Z'")
        self.occurred_at.setCalendarPopup(True)
        self.description = BoundedTextEdit(MAX_DESCRIPTION, "a description")
        self.description.paste_refused.connect(self._on_paste_refused)
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText(
            "Observations, sources, what was done (Ctrl+Enter saves)"
        )
        self.description.setMinimumHeight(90)
        self.releasability = ReleaseList(settings.partners)

        self._confidence_hint = _hint()
        self._position_hint = _hint()
        self._derived_hint = _hint()
        self._local_time = _hint()
        self._form_error = QLabel()
        self._form_error.setStyleSheet(_ERROR_STYLE)
        self._form_error.setWordWrap(True)
        self._form_error.hide()
        self.errors: dict[str, QLabel] = {}
        self._saving = False
        self._captions: dict[str, str] = {}

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows: list[tuple[str, str, QWidget, list[QLabel]]] = [
            ("title", "&Title", self.title, []),
            ("category", "&Category", self.category, []),
            ("impact", "&Impact", self.impact, []),
            ("confidence", "C&onfidence", self.confidence, [self._confidence_hint]),
            ("position", "&Position", self.position, [self._position_hint, self._derived_hint]),
            ("occurred_at", "Occurred (&UTC)", self.occurred_at, [self._local_time]),
            ("description", "&Description", self.description, []),
            ("releasability", "&Released to", self.releasability, []),
        ]
        for name, label, widget, hints in rows:
            error = QLabel()
            error.setObjectName(f"error-{name}")
            error.setStyleSheet(_ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            self.errors[name] = error
            box = QVBoxLayout()
            box.setSpacing(1)
            box.addWidget(widget)
            for hint in hints:
                box.addWidget(hint)
            box.addWidget(error)
            caption = QLabel(label)
            caption.setBuddy(widget)
            form.addRow(caption, box)
            self._captions[name] = label.replace("&", "")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setDefault(True)
        save.setAutoDefault(True)
        self.buttons.accepted.connect(self.save)
        self._write_finished.connect(self._on_write_finished)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self._form_error)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for shortcut in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(shortcut), self, activated=self.save)

        order = [self.title, self.category, self.impact, self.confidence, self.position]
        order += [self.occurred_at, self.description, self.releasability, self.buttons]
        for first, second in pairwise(order):
            self.setTabOrder(first, second)

        self.confidence.textChanged.connect(self._on_confidence_changed)
        self.position.textChanged.connect(self._on_position_changed)
        self.occurred_at.dateTimeChanged.connect(self._on_occurred_at_changed)
        self.category.currentIndexChanged.connect(self._on_category_changed)
        self._fill(incident)
        self.title.setFocus()

    # -- the API the window and the map use ------------------------------------------------------

    @classmethod
    def for_new(
        cls,
        store: Store,
        settings: Settings,
        lon: float | None = None,
        lat: float | None = None,
        parent: QWidget | None = None,
        *,
        derived: Mapping[str, Any] | None = None,
    ) -> IncidentForm:
        """A first report, placed at (lon, lat) if given (a right-click on the map); ``derived``
        is what the map knows of that place (country, sector, distance to the border)."""
        form = cls(store, settings, None, parent)
        if lon is not None and lat is not None:
            form.set_position(lon, lat, derived)
        return form

    @classmethod
    def for_edit(
        cls, store: Store, settings: Settings, incident: Incident, parent: QWidget | None = None
    ) -> IncidentForm:
        """Edit an incident this center owns; a partner's incident raises
        :class:`app.lifecycle.TransitionRefused` (partners follow up with notes)."""
        check_owner(incident, store.center_id, "edit it")
        return cls(store, settings, incident, parent)

    def set_position(
        self, lon: float, lat: float, derived: Mapping[str, Any] | None = None
    ) -> None:
        self.position.setText(format_position(lon, lat, self._settings.map.coordinate_format))
        text = " · ".join(f"{key}: {value}" for key, value in (derived or {}).items() if value)
        self._derived_hint.setText(text)
        self._derived_hint.setVisible(bool(text))

    # -- filling and reading -------------------------------------------------------------------------

    def _fill(self, incident: Incident | None) -> None:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        self.releasability.set_released(
            incident.releasability if incident else self._default_release()
        )
        if incident is None:
            self.confidence.setText(v.UNKNOWN_CONFIDENCE)
            self.impact.setCurrentIndex(self.impact.findData(v.ImpactLevel.MEDIUM.value))
            self._set_time(now)
            self._on_position_changed("")
            return
        self.title.setText(incident.title)
        self.category.setCurrentIndex(self.category.findData(incident.category.value))
        self.impact.setCurrentIndex(self.impact.findData(incident.impact.value))
        self.confidence.setText(incident.confidence)
        self.set_position(incident.lon, incident.lat)
        self._set_time(incident.occurred_at)
        self.description.setPlainText(incident.description)
        self.releasability.touched = True

    def _set_time(self, moment: datetime) -> None:
        self.occurred_at.setDateTime(
            QDateTime.fromMSecsSinceEpoch(v.to_ms(moment), QTimeZone.utc())
        )
        self._on_occurred_at_changed()

    def _default_release(self) -> list[str]:
        return list(self._settings.releases.get(self.category.currentData(), [RELEASE_TO_ALL]))

    def _occurred(self) -> datetime:
        return v.from_ms(self.occurred_at.dateTime().toMSecsSinceEpoch())

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """What the form says, checked: (values, errors by field)."""
        out: dict[str, Any] = {
            "category": self.category.currentData(),
            "impact": self.impact.currentData(),
            "releasability": self.releasability.released_to(),
        }
        errors: dict[str, str] = {}
        checks = {
            "title": lambda: v.check_text(self.title.text(), "title", required=True, max_len=200),
            "confidence": lambda: v.check_confidence(self.confidence.text()),
            "position": lambda: parse_position(self.position.text()),
            "description": lambda: v.check_text(
                self.description.toPlainText(),
                "description",
                required=False,
                max_len=MAX_DESCRIPTION,
            ),
            "occurred_at": self._checked_time,
        }
        for name, check in checks.items():
            try:
                out[name] = check()
            except ValidationError as error:
                errors[name] = error.message
        return out, errors

    def _checked_time(self) -> datetime:
        occurred = self._occurred()
        if occurred > datetime.now(UTC) + timedelta(minutes=5):
            raise ValidationError("occurred_at", "is in the future (times are UTC)")
        return occurred

    # -- saving ----------------------------------------------------------------------------------

    def save(self) -> None:
        """Check and hand the write to the store's writer; the form closes when it is done
        (``saved``), or shows the refusal where it belongs and stays open. The GUI thread never
        waits for the write (it may queue behind a partner's catch-up)."""
        if self._saving:
            return
        values, errors = self.values()
        if errors:
            self._show_errors(errors)
            return
        try:
            incident_id, future = self._write(values)
        except LimesError as error:
            self._show_errors(_placed(error))
            return
        self._saving = True
        self.buttons.setEnabled(False)
        future.add_done_callback(
            lambda done: self._write_finished.emit(incident_id, done.exception())
        )

    @Slot(str, object)
    def _on_write_finished(self, incident_id: str, error: BaseException | None) -> None:
        self._saving = False
        self.buttons.setEnabled(True)
        if error is None:
            self.saved.emit(incident_id)
            self.accept()
            return
        if isinstance(error, ValidationError) and self._incident is not None:
            self._reload_incident()  # the next save starts from what is true now
        self._show_errors(_placed(error))

    def _write(self, values: dict[str, Any]) -> tuple[str, Future[Any]]:
        return self._write_new(values) if self._incident is None else self._write_edit(values)

    def _write_new(self, values: dict[str, Any]) -> tuple[str, Future[Any]]:
        lon, lat = values["position"]
        incident = new_incident(
            id=new_incident_id(self._store.center_id),
            center=self._store.center_id,
            reported_by=self._settings.user,
            occurred_at=values["occurred_at"],
            lon=lon,
            lat=lat,
            category=values["category"],
            title=values["title"],
            impact=values["impact"],
            confidence=values["confidence"],
            description=values["description"],
            releasability=tuple(values["releasability"]),
            now=max(datetime.now(UTC), values["occurred_at"]),
        )
        change = Change("incident", incident.id, incident.to_fields())
        return incident.id, self._store.commit([change], self._settings.user)

    def _write_edit(self, values: dict[str, Any]) -> tuple[str, Future[Any]]:
        """Only the fields the operator changed are written, checked against what the form
        showed: a field changed by someone else meanwhile is refused, not overwritten."""
        assert self._incident is not None
        lon, lat = values["position"]
        fields = INCIDENT.check(
            {
                "title": values["title"],
                "category": values["category"],
                "impact": values["impact"],
                "confidence": values["confidence"],
                "lon": lon,
                "lat": lat,
                "occurred_at": v.to_ms(values["occurred_at"]),
                "description": values["description"],
                "releasability": values["releasability"],
            }
        )
        held = self._incident.to_fields()
        changed = {name: value for name, value in fields.items() if held[name] != value}
        if changed.get("occurred_at", 0) > held["reported_at"]:
            raise ValidationError("occurred_at", "is after the time it was reported")
        future = edit_incident(self._store, self._incident.id, changed, held, self._settings.user)
        return self._incident.id, future

    def _reload_incident(self) -> None:
        assert self._incident is not None
        with self._store.read() as connection:
            self._incident = q.incident(connection, self._incident.id, with_notes=False)

    def _show_errors(self, errors: dict[str, str]) -> None:
        general = errors.get("")
        self._form_error.setText(general or "")
        self._form_error.setVisible(bool(general))
        first: QWidget | None = None
        for name in FIELDS:
            label = self.errors[name]
            message = errors.get(name)
            label.setText(self._named(name, message) if message else "")
            label.setVisible(bool(message))
            if message and first is None:
                first = getattr(self, name)
        if first is not None:
            first.setFocus()

    def _named(self, name: str, message: str) -> str:
        """The message with the field's caption in front: "Title is required"."""
        caption = self._captions[name]
        return f"{caption} {message}" if message.startswith("is ") else f"{caption}: {message}"

    # -- live hints ------------------------------------------------------------------------------

    def _on_confidence_changed(self, text: str) -> None:
        try:
            code = v.check_confidence(text)
        except ValidationError:
            self._confidence_hint.setText("reliability A-F, credibility 1-6")
            return
        self._confidence_hint.setText(v.describe_confidence(code))

    def _on_position_changed(self, text: str) -> None:
        if not text.strip():
            self._position_hint.setText("decimal degrees, DMS or MGRS; latitude first")
            return
        try:
            lon, lat = parse_position(text)
        except ValidationError:
            self._position_hint.setText("…")
            return
        shown = {"dd": format_dd, "dms": format_dms, "mgrs": format_mgrs}
        self._position_hint.setText("= " + "  ·  ".join(fmt(lon, lat) for fmt in shown.values()))

    def _on_occurred_at_changed(self, *_args: object) -> None:
        local = self._occurred().astimezone()
        self._local_time.setText(f"local time {local:%Y-%m-%d %H:%M} ({local:%Z}, UTC{local:%z})")

    def _on_paste_refused(self, message: str) -> None:
        self._show_errors({"description": message})

    def _on_category_changed(self, _index: int) -> None:
        if not self.releasability.touched:
            self.releasability.set_released(self._default_release())


def _placed(error: BaseException) -> dict[str, str]:
    """An error by the field it is about ("" for the form as a whole)."""
    if isinstance(error, ValidationError) and error.field in FIELDS:
        return {error.field: error.message}
    return {"": str(error)}


class _UtcTimeEdit(QDateTimeEdit):
    """Tab leaves the field (as in every other field) instead of walking its sections; the
    sections are reached by typing, the arrow keys or a click."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


def _hint() -> QLabel:
    label = QLabel()
    label.setStyleSheet(_HINT_STYLE)
    label.setWordWrap(True)
    return label
