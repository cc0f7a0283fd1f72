"""Alerts: the monitor that applies the rules to live changes, and the list an operator reads.

Nothing here is a dialog. A new alert goes to the top of the list (with its UTC time), and its
item flashes on the map; clicking an alert centres the map on it and selects the incident.
Given the store's :class:`~app.store.alert_log.AlertLog`, the list is kept across restarts:
every alert is written to it (on the writer thread) and the uncleared ones are listed again
when the window opens.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.settings import AlertSettings
from app.store import Store
from app.store import queries as q
from app.store.alert_log import AlertLog, AlertRecord
from app.store.feed import ChangeSet
from maps.alerts import MAX_SINGLE_ALERTS, PATROL_OUTSIDE, SUMMARY, Alert, AlertRules
from widgets.incident_placements import IncidentPlacements

KIND_COLORS = {PATROL_OUTSIDE: "#1565c0", SUMMARY: "#5f6b73"}
INCIDENT_COLOR = "#b71c1c"


class AlertMonitor(QObject):
    """Applies :class:`AlertRules` to new placements and to patrol moves; emits each alert."""

    raised = Signal(object)  # an Alert

    def __init__(
        self,
        store: Store,
        placements: IncidentPlacements,
        settings: AlertSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._placements = placements
        self.rules = AlertRules(settings)
        placements.placed.connect(self._on_placed)
        self._check_patrols()  # a patrol already outside its sector at start is worth saying

    def apply_changes(self, changes: ChangeSet) -> None:
        if changes.ids("patrol") or changes.ids("sector"):
            self._check_patrols()

    def _on_placed(self, _ids: frozenset[str], new: frozenset[str]) -> None:
        if not new:
            return
        ids = list(new)
        placed = self._placements.table.subset(ids)
        with self._store.read() as connection:
            sectors = {sector.id: sector for sector in q.sectors(connection)}
            levels = {sector_id: sector.impact for sector_id, sector in sectors.items()}
            hits = np.flatnonzero(self.rules.screen_incidents(placed, levels))
            chosen = hits[: MAX_SINGLE_ALERTS + 1]  # beyond that, one summary says it all
            incidents = [q.incident(connection, ids[k]) for k in chosen.tolist()]
        found = [(inc, placed[k]) for inc, k in zip(incidents, chosen.tolist(), strict=True) if inc]
        alerts = self.rules.incident_alerts(
            [inc for inc, _ in found], [p for _, p in found], sectors, total=len(hits)
        )
        for alert in alerts:
            self.raised.emit(alert)

    def _check_patrols(self) -> None:
        with self._store.read() as connection:
            sectors = {sector.id: sector for sector in q.sectors(connection)}
            patrols = q.patrols(connection)
        for alert in self.rules.patrol_alerts(patrols, sectors):
            self.raised.emit(alert)


class AlertPanel(QWidget):
    """The alert list, newest first. ``alert_activated`` when an operator clicks one."""

    alert_activated = Signal(object)  # the Alert

    def __init__(self, log: AlertLog | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._log = log
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.itemActivated.connect(self._on_item)
        self.list.itemClicked.connect(self._on_item)
        self._count = QLabel("No alerts")
        clear = QPushButton("Clear")
        clear.setToolTip("Remove every alert from the list")
        clear.clicked.connect(self.clear)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self._count, 1)
        bar.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        if log is not None:
            for record in log.listed():
                self._list(_alert_of(record))

    def add(self, alert: Alert) -> None:
        """List a new alert (kept in the log, if there is one)."""
        if self._restated(alert):
            return
        self._list(alert)
        if self._log is not None:
            self._log.append([_record_of(alert)])

    def _restated(self, alert: Alert) -> bool:
        """Whether the newest alert about the same record already says exactly this.

        The rules raise a patrol outside its sector once per departure, but a restart forgets
        the departure: the same words again would only be noise.
        """
        for listed in self.alerts():
            if (listed.kind, listed.record_id) == (alert.kind, alert.record_id):
                return bool(alert.record_id) and listed.text == alert.text
        return False

    def _list(self, alert: Alert) -> None:
        # An alert from an earlier day (kept across a restart) says which day.
        today = alert.raised_at.date() == datetime.now(UTC).date()
        when = f"{alert.raised_at:%H:%M:%S}Z" if today else f"{alert.raised_at:%d %b %H:%M}Z"
        item = QListWidgetItem(f"{when}  {alert.text}")
        item.setData(Qt.ItemDataRole.UserRole, alert)
        item.setForeground(QBrush(QColor(KIND_COLORS.get(alert.kind, INCIDENT_COLOR))))
        item.setToolTip(alert.text)
        self.list.insertItem(0, item)
        self._update_count()

    def alerts(self) -> list[Alert]:
        """Alerts listed, newest first."""
        return [
            self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())
        ]

    def clear(self) -> None:
        self.list.clear()
        self._update_count()
        if self._log is not None:
            self._log.clear()

    def _update_count(self) -> None:
        count = self.list.count()
        self._count.setText(f"{count} alert{'s' if count != 1 else ''}" if count else "No alerts")

    def _on_item(self, item: QListWidgetItem) -> None:
        self.alert_activated.emit(item.data(Qt.ItemDataRole.UserRole))


def _record_of(alert: Alert) -> AlertRecord:
    raised_ms = int(alert.raised_at.timestamp() * 1000)
    return AlertRecord(
        raised_ms, alert.kind, alert.text, alert.record_kind, alert.record_id, alert.lon, alert.lat
    )


def _alert_of(record: AlertRecord) -> Alert:
    raised_at = datetime.fromtimestamp(record.raised_at_ms / 1000, UTC)
    return Alert(
        record.kind, record.text, record.record_kind, record.record_id, record.lon, record.lat,
        raised_at,
    )  # fmt: skip
