"""The patrol list: status, crew nationalities, sector, time on shift, broken rules.

A status key sets the selected patrol's status: P planned, A available, E en route,
S on scene, R returning, O off duty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QTableView

from app import values as v
from app.domain import Patrol
from app.roster_state import RosterState
from widgets.shift_board import STATUS_COLORS
from widgets.table_model import ColumnTableModel

COLUMNS: tuple[str, ...] = ("Call sign", "Status", "Crew", "Sector", "On shift", "Rules", "Vehicle")
STATUS_KEYS = {
    Qt.Key.Key_P: v.PatrolStatus.PLANNED,
    Qt.Key.Key_A: v.PatrolStatus.AVAILABLE,
    Qt.Key.Key_E: v.PatrolStatus.EN_ROUTE,
    Qt.Key.Key_S: v.PatrolStatus.ON_SCENE,
    Qt.Key.Key_R: v.PatrolStatus.RETURNING,
    Qt.Key.Key_O: v.PatrolStatus.OFF_DUTY,
}
Index = QModelIndex | QPersistentModelIndex


def _on_shift(patrol: Patrol, now: datetime) -> str:
    length = patrol.shift_end - patrol.shift_start
    if now < patrol.shift_start:
        return f"starts in {_span(patrol.shift_start - now)}"
    if now >= patrol.shift_end:
        return f"ended {patrol.shift_end:%d %H:%M}Z"
    return f"{_span(now - patrol.shift_start)} of {_span(length)}"


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}"


class PatrolTableModel(ColumnTableModel):
    COLUMNS = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._patrols: list[Patrol] = []
        self._state: RosterState | None = None
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # a replay's moment

    def set_state(self, state: RosterState) -> bool:
        """Show ``state``; True if the rows changed (a reset: selection and widths are lost),
        False if the same patrols are only shown again (their cells repainted)."""
        patrols = sorted(state.patrols.values(), key=lambda p: p.call_sign)
        same_rows = [p.id for p in patrols] == [p.id for p in self._patrols]
        if same_rows and self._patrols:
            self._state, self._patrols = state, patrols
            last = self.index(len(patrols) - 1, len(self.COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            return False
        self.beginResetModel()
        self._state, self._patrols = state, patrols
        self.endResetModel()
        return True

    def patrol_at(self, row: int) -> Patrol | None:
        return self._patrols[row] if 0 <= row < len(self._patrols) else None

    def row_of(self, patrol_id: str) -> int | None:
        for row, patrol in enumerate(self._patrols):
            if patrol.id == patrol_id:
                return row
        return None

    def row_total(self) -> int:
        return len(self._patrols)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        patrol = self.patrol_at(index.row()) if index.isValid() else None
        state = self._state
        if patrol is None or state is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 5:
                active = [x for x in state.violations_of(patrol.id) if not x.overridden]
                labels = sorted({x.rule.label for x in active})
                if patrol.id in state.crew_conflicts:
                    labels.insert(0, "Crew conflict")
                return ", ".join(labels) or "✓"
            sector = state.sectors.get(patrol.sector_id)
            return (
                patrol.call_sign,
                patrol.status.label,
                f"{len(patrol.crew)} · {'/'.join(state.countries_of(patrol)) or '—'}",
                sector.name if sector else (patrol.sector_id or "—"),
                _on_shift(patrol, self.clock()),
                "",
                patrol.vehicle,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            crew = []
            for officer_id in patrol.crew:
                officer = state.officers.get(officer_id)
                crew.append(f"{officer.name} ({officer.country})" if officer else officer_id)
            lines = [", ".join(crew)] + [x.text for x in state.violations_of(patrol.id)]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 1:
                return QBrush(QColor(STATUS_COLORS.get(patrol.status.value, "#000")))
            if column == 5 and (
                patrol.id in state.crew_conflicts
                or any(not x.overridden for x in state.violations_of(patrol.id))
            ):
                return QBrush(QColor("#b71c1c"))
        if (
            role == Qt.ItemDataRole.BackgroundRole
            and column == 4
            and patrol.shift_start <= self.clock() < patrol.shift_end
        ):
            return QBrush(QColor("#e8f5e9"))
        if role == Qt.ItemDataRole.UserRole:
            return patrol.id
        return None


class PatrolTableView(QTableView):
    """The patrol list; a status key sets the selected patrol's status."""

    status_key = Signal(str, object)  # patrol id, PatrolStatus

    def keyPressEvent(self, event: QKeyEvent) -> None:
        status = STATUS_KEYS.get(Qt.Key(event.key()))
        index = self.currentIndex()
        if status is not None and index.isValid() and not event.modifiers():
            self.status_key.emit(index.data(Qt.ItemDataRole.UserRole), status)
            return
        super().keyPressEvent(event)
