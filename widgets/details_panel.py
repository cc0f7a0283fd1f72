"""The details dock: the selected incident's working view.

What it is (fields, which partners hold it), what can be done next (the lifecycle buttons,
each disabled with the rule that forbids it), who is sent (patrols on shift), the follow-up
log with a box to add to it, and the audit trail of every change. Writes go to the store's
writer and come back through the change feed; the dock never waits on a write.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import values as v
from app.audit import trail
from app.coordinates import format_position
from app.domain import Incident, Patrol
from app.lifecycle import (
    Transition,
    apply_transition,
    assign_patrols,
    assign_refusal,
    available,
    change_impact,
    owner_refusal,
)
from app.notes import acknowledge, add_note
from app.settings import Settings
from app.store import Store
from app.store import queries as q
from app.store.feed import ChangeSet
from app.sync.holders import holders
from widgets.audit_view import AuditView
from widgets.notes_view import NotesView

_STATUS_COLORS = {
    v.IncidentStatus.REPORTED: "#b26a00",
    v.IncidentStatus.VALIDATED: "#1565c0",
    v.IncidentStatus.RESPONDING: "#c62828",
    v.IncidentStatus.RESOLVED: "#2e7d32",
    v.IncidentStatus.CLOSED: "#616161",
    v.IncidentStatus.DISMISSED: "#757575",
}
_HOLDER_STYLE = {
    "holds": ("#2e7d32", "✓ holds it"),
    "on its way": ("#b26a00", "… on its way"),
    "not released": ("#757575", "not released"),
}


class DetailsPanel(QWidget):
    """Shows one incident; ``show_incident_id`` selects it, the change feed keeps it fresh."""

    # (what was done, error or None, what to do after success), delivered on the GUI thread
    _write_finished = Signal(object, object, object)

    def __init__(
        self,
        store: Store,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        where: Callable[[Incident], str] | None = None,
    ) -> None:
        """``where(incident)``: its country, sector and distance to the border, in words
        (from the map's jurisdiction; empty while that is still being built)."""
        super().__init__(parent)
        self._store = store
        self._settings = settings
        self._where = where
        self.incident: Incident | None = None

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.buttons: dict[Transition, QToolButton] = {}
        actions = QHBoxLayout()
        actions.setSpacing(4)
        for transition in Transition:
            button = QToolButton()  # compact: nine actions share the dock's width
            button.setText(transition.label)
            button.clicked.connect(lambda _=False, t=transition: self._on_transition_clicked(t))
            self.buttons[transition] = button
            actions.addWidget(button)
        self.patrols_button = QToolButton()
        self.patrols_button.setText("Patrols")
        self.patrols_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.patrols_menu = QMenu(self.patrols_button)
        self.patrols_button.setMenu(self.patrols_menu)
        self.patrols_menu.aboutToShow.connect(self._on_patrols_menu_about_to_show)
        actions.addWidget(self.patrols_button)
        self.impact_button = QToolButton()
        self.impact_button.setText("Impact")
        self.impact_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.impact_menu = QMenu(self.impact_button)
        for level in v.INCIDENT_IMPACT_LEVELS:
            action = self.impact_menu.addAction(level.label)
            action.setCheckable(True)
            action.setData(level.value)
            action.triggered.connect(lambda _=False, level=level: self._on_impact_chosen(level))
        self.impact_button.setMenu(self.impact_menu)
        actions.addWidget(self.impact_button)
        self.ack_button = QToolButton()
        self.ack_button.setText("Acknowledge")
        self.ack_button.setToolTip("Tell the owner center this center has seen it (adds a note)")
        self.ack_button.clicked.connect(self._on_acknowledge)
        actions.addWidget(self.ack_button)
        actions.addStretch(1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        self.summary = QTextBrowser()
        self.summary.setOpenExternalLinks(False)
        self.notes = NotesView()
        self.notes.note_requested.connect(self._on_note_requested)
        self.notes.box.paste_refused.connect(lambda why: self._say(f"Note {why}", ok=False))
        self.audit = AuditView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.summary, "Details")
        self.tabs.addTab(self.notes, "Notes")
        self.tabs.addTab(self.audit, "Audit trail")

        self.body = QWidget()  # hidden while nothing is selected
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(actions)
        body.addWidget(self.message)
        body.addWidget(self.tabs, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.body, 1)
        layout.addStretch(0)
        self._write_finished.connect(self._on_write_finished)
        self.show_nothing()

    # -- what is shown ---------------------------------------------------------------------------

    @property
    def incident_id(self) -> str | None:
        return self.incident.id if self.incident else None

    def show_nothing(self) -> None:
        self.incident = None
        self.header.setText(
            "<span style='color:#777'>Select an incident on the map or in the timeline.</span>"
        )
        self.body.hide()
        self.summary.clear()
        self.notes.clear()
        self.audit.clear()
        self.message.hide()

    def show_incident_id(self, incident_id: str) -> bool:
        """Show the incident (re-read from the store); False if this center does not hold it."""
        partners = [p.id for p in self._settings.partners]
        with self._store.read() as connection:
            incident = q.incident(connection, incident_id)
            if incident is None:
                self.show_nothing()
                return False
            held = holders(connection, "incident", incident_id, partners) if partners else None
            entries = trail(connection, incident_id)
            patrols = q.patrols(connection)
        if incident_id != self.incident_id:
            self.message.hide()
            self.notes.box.clear()
        self.incident = incident
        by_id = {patrol.id: patrol for patrol in patrols}
        self._show_header(incident)
        self._show_summary(incident, held, by_id)
        self._show_notes(incident)
        self.audit.show_entries(entries, {p.id: p.call_sign for p in patrols})
        self._show_actions(incident)
        self.body.show()
        return True

    def start_note(self) -> None:
        self.tabs.setCurrentWidget(self.notes)
        self.notes.box.setFocus()

    def refresh(self) -> None:
        if self.incident is not None:
            self.show_incident_id(self.incident.id)

    @Slot(object)
    def on_records_changed(self, changes: ChangeSet) -> None:
        """A change to the shown incident or to notes redraws the dock."""
        if self.incident is None:
            return
        if self.incident.id in changes.ids("incident") or changes.ids("note"):
            self.refresh()

    def _show_header(self, incident: Incident) -> None:
        color = "#000000" if incident.deleted else _STATUS_COLORS[incident.status]
        badge = "DELETED" if incident.deleted else incident.status.label.upper()
        self.header.setText(
            f"<span style='font-size:13pt;font-weight:bold'>{escape(incident.title)}</span>"
            f"&nbsp;&nbsp;<span style='color:white;background:{color}'>&nbsp;"
            f"{badge}&nbsp;</span>"
            f"<br><span style='color:#555'>{escape(incident.category.label)} · impact "
            f"<b>{incident.impact.label}</b> · {escape(incident.confidence)} · "
            f"owner {escape(incident.owner)}"
            + (
                ""
                if incident.owner == self._store.center_id
                else " <i>(a partner's incident: follow it up with notes)</i>"
            )
            + "</span>"
        )

    def _show_summary(
        self, incident: Incident, held: list[tuple[str, str]] | None, patrols: dict[str, Patrol]
    ) -> None:
        released = ", ".join(incident.releasability) or "this center only"
        released = "all partners" if released == "*" else released
        description = escape(incident.description).replace("\n", "<br>")
        local = incident.occurred_at.astimezone()
        position = format_position(incident.lon, incident.lat, self._settings.map.coordinate_format)
        sent = ", ".join(
            escape(patrols[p].call_sign if p in patrols else p) for p in incident.assigned_patrols
        )
        rows = [
            ("Occurred", f"{v.format_utc(incident.occurred_at)} (local {local:%H:%M})"),
            (
                "Reported",
                f"{v.format_utc(incident.reported_at)} by {escape(incident.reported_by)}",
            ),
            ("Position", escape(position)),
        ]
        where = self._where(incident) if self._where is not None else ""
        if where:
            rows.append(("Where", escape(where)))
        rows += [
            ("Owner", f"{escape(incident.owner)} (from {escape(incident.originator)})"),
            ("Confidence", escape(v.describe_confidence(incident.confidence))),
            ("Patrols", sent or "<span style='color:#777'>none assigned</span>"),
            ("Released to", escape(released)),
        ]
        if held:
            rows.append(("Partners", _holders_html(held)))
        table = "".join(
            f"<tr><td style='color:#555;padding-right:8px'>{name}</td><td>{value}</td></tr>"
            for name, value in rows
        )
        self.summary.setHtml(
            f"<table cellspacing=0 cellpadding=1>{table}</table><p>{description}</p>"
        )

    def _show_notes(self, incident: Incident) -> None:
        self.tabs.setTabText(1, f"Notes ({len(incident.notes)})" if incident.notes else "Notes")
        self.notes.show_notes(incident.notes)

    def _show_actions(self, incident: Incident) -> None:
        for transition, refused in available(incident, self._store.center_id).items():
            button = self.buttons[transition]
            button.setEnabled(refused is None)
            button.setToolTip(_reason(refused) if refused else f"{transition.label} this incident")
        center = self._store.center_id
        refused = assign_refusal(incident, center)
        why = _reason(refused) if refused else ""
        assignable = refused is None
        count = len(incident.assigned_patrols)
        self.patrols_button.setText(f"Patrols ({count})" if count else "Patrols")
        self.patrols_button.setEnabled(assignable)
        self.patrols_button.setToolTip(why or "Send patrols on shift to this incident")
        impact_refused = owner_refusal(incident, center, "change its impact level")
        self.impact_button.setEnabled(impact_refused is None and not incident.deleted)
        self.impact_button.setToolTip(
            _reason(impact_refused) if impact_refused else "Change the impact level"
        )
        for action in self.impact_menu.actions():
            action.setChecked(action.data() == incident.impact.value)
        self.ack_button.setVisible(incident.owner != center)

    def _on_patrols_menu_about_to_show(self) -> None:
        """The patrols on shift now (and those already sent), read when the menu opens."""
        self.patrols_menu.clear()
        if self.incident is None:
            return
        with self._store.read() as connection:
            patrols = q.patrols(connection)
        now = datetime.now(UTC)
        assigned = set(self.incident.assigned_patrols)
        shown = [
            p
            for p in patrols
            if p.id in assigned
            or (p.shift_start <= now <= p.shift_end and p.status is not v.PatrolStatus.OFF_DUTY)
        ]
        if not shown:
            self.patrols_menu.addAction("No patrols on shift").setEnabled(False)
        for patrol in shown:
            action = QAction(f"{patrol.call_sign} — {patrol.status.label}", self.patrols_menu)
            action.setCheckable(True)
            action.setChecked(patrol.id in assigned)
            action.setData(patrol.id)
            action.toggled.connect(self._on_patrol_toggled)
            self.patrols_menu.addAction(action)

    # -- doing -------------------------------------------------------------------------------------

    @property
    def _user(self) -> str:
        return self._settings.user

    def _on_transition_clicked(self, transition: Transition) -> None:
        if self.incident is None:
            return
        self._submit(
            f"{transition.label}",
            lambda: apply_transition(self._store, self.incident.id, transition, self._user),
        )

    def _on_patrol_toggled(self, _checked: bool) -> None:
        if self.incident is None:
            return
        chosen = [
            action.data()
            for action in self.patrols_menu.actions()
            if action.isCheckable() and action.isChecked()
        ]
        self._submit(
            "Patrols assigned",
            lambda: assign_patrols(self._store, self.incident.id, chosen, self._user),
        )

    def _on_impact_chosen(self, level: v.ImpactLevel) -> None:
        if self.incident is None:
            return
        self._submit(
            f"Impact set to {level.label}",
            lambda: change_impact(self._store, self.incident.id, level, self._user),
        )

    def _on_acknowledge(self) -> None:
        if self.incident is None:
            return
        self._submit("Acknowledged", lambda: acknowledge(self._store, self.incident.id, self._user))

    def _on_note_requested(self, text: str) -> None:
        if self.incident is None:
            return
        self._submit(
            "Note added",
            lambda: add_note(self._store, self.incident.id, text, self._user),
            after=self.notes.box.clear,
        )

    def _submit(
        self, what: str, start: Callable[[], Future[Any]], after: Callable[[], None] | None = None
    ) -> None:
        try:
            future = start()
        except Exception as error:  # refused before it reached the writer (an empty note)
            self._on_write_finished(what, error, None)
            return
        future.add_done_callback(
            lambda done: self._write_finished.emit(what, done.exception(), after)
        )

    @Slot(object, object, object)
    def _on_write_finished(
        self, what: str, error: BaseException | None, after: Callable[[], None] | None
    ) -> None:
        if error is None:
            self._say(what, ok=True)
            if after is not None:
                after()
        else:
            self._say(str(error), ok=False)
        self.refresh()  # what is true now (and a refused patrol tick is put back)

    def _say(self, text: str, *, ok: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color:{'#2e7d32' if ok else '#c62828'}")
        self.message.show()


def _reason(error: BaseException) -> str:
    text = str(error)
    return text.split(": ", 1)[1] if text.startswith("incident ") and ": " in text else text


def _holders_html(held: list[tuple[str, str]]) -> str:
    parts = []
    for partner, state in held:
        color, text = _HOLDER_STYLE.get(state, ("#000", state))
        parts.append(f"{escape(partner)} <span style='color:{color}'>{text}</span>")
    return " · ".join(parts)
