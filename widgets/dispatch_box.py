"""Send a patrol to the selected incident: the nearest available patrols, nearest first."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import Incident, Patrol
from app.roster_dispatch import Candidate

NO_INCIDENT = "Select an incident to see the nearest available patrols."


class DispatchBox(QWidget):
    send_requested = Signal(str, object)  # patrol id, the Incident

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._incident: Incident | None = None
        self.label = QLabel(NO_INCIDENT)
        self.label.setWordWrap(True)
        self.candidates = QListWidget()
        self.candidates.setWordWrap(True)
        self.send_button = QPushButton("Send patrol")
        self.send_button.setEnabled(False)
        self.candidates.currentRowChanged.connect(
            lambda row: self.send_button.setEnabled(row >= 0 and self._incident is not None)
        )
        self.send_button.clicked.connect(self._on_send)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        for widget in (self.label, self.candidates, self.send_button):
            layout.addWidget(widget)

    def show_candidates(
        self,
        incident: Incident | None,
        candidates: Sequence[Candidate],
        describe: Callable[[Patrol], str],
    ) -> None:
        """``describe``: what to say of a patrol after its distance (crew, broken rules)."""
        self._incident = incident
        self.candidates.clear()
        if incident is None:
            self.label.setText(NO_INCIDENT)
            return
        self.label.setText(f"<b>Nearest available to</b> {incident.title}")
        for candidate in candidates:
            patrol = candidate.patrol
            item = QListWidgetItem(
                f"{patrol.call_sign} · {candidate.distance_km:.1f} km "
                f"({candidate.bearing_deg:03.0f}°) · {describe(patrol)}"
            )
            item.setData(Qt.ItemDataRole.UserRole, patrol.id)
            self.candidates.addItem(item)
        if candidates:
            self.candidates.setCurrentRow(0)
        else:
            self.candidates.addItem("No available patrol on shift with a known position")
            self.candidates.item(0).setFlags(Qt.ItemFlag.NoItemFlags)

    def _on_send(self) -> None:
        item = self.candidates.currentItem()
        patrol_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if patrol_id and self._incident is not None:
            self.send_requested.emit(patrol_id, self._incident)
