"""The roster dock: joint patrols with crew, sector, shift and status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.domain import Officer, Patrol
from app.store import Store
from app.store import queries as q
from app.store.feed import ChangeSet
from widgets.table_model import ColumnTableModel

COLUMNS: tuple[str, ...] = ("Call sign", "Status", "Crew", "Sector", "Shift (UTC)", "Vehicle")
STATUS_COLORS = {
    "available": "#2e7d32",
    "en_route": "#1565c0",
    "on_scene": "#c62828",
    "returning": "#546e7a",
    "planned": "#757575",
    "off_duty": "#9e9e9e",
}
Index = QModelIndex | QPersistentModelIndex


class PatrolTableModel(ColumnTableModel):
    COLUMNS = COLUMNS

    def __init__(self, store: Store, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._patrols: list[Patrol] = []
        self._officers: dict[str, Officer] = {}
        self._sector_names: dict[str, str] = {}
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        with self._store.read() as connection:
            self._patrols = q.patrols(connection)
            self._officers = q.officer_index(connection)
            self._sector_names = {s.id: s.name for s in q.sectors(connection)}
        self.endResetModel()

    def apply_changes(self, changes: ChangeSet) -> None:
        if changes.ids("patrol") or changes.ids("officer") or changes.ids("sector"):
            self.reload()

    def patrol_at(self, row: int) -> Patrol | None:
        return self._patrols[row] if 0 <= row < len(self._patrols) else None

    def row_of(self, patrol_id: str) -> int | None:
        for row, patrol in enumerate(self._patrols):
            if patrol.id == patrol_id:
                return row
        return None

    def crew_text(self, patrol: Patrol) -> str:
        names = []
        for officer_id in patrol.crew:
            officer = self._officers.get(officer_id)
            names.append(f"{officer.name} ({officer.country})" if officer else f"{officer_id} (?)")
        return ", ".join(names)

    def row_total(self) -> int:
        return len(self._patrols)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        patrol = self.patrol_at(index.row()) if index.isValid() else None
        if patrol is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            countries = sorted(
                {self._officers[o].country for o in patrol.crew if o in self._officers}
            )
            return (
                patrol.call_sign,
                patrol.status.label,
                f"{len(patrol.crew)} · {'/'.join(countries)}" if column == 2 else "",
                self._sector_names.get(patrol.sector_id, patrol.sector_id or "—"),
                f"{patrol.shift_start:%d %H:%M}–{patrol.shift_end:%H:%M}",
                patrol.vehicle,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.crew_text(patrol)
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QBrush(QColor(STATUS_COLORS.get(patrol.status.value, "#000")))
        if role == Qt.ItemDataRole.BackgroundRole and column == 4:
            now = datetime.now(UTC)
            if patrol.shift_start <= now < patrol.shift_end:
                return QBrush(QColor("#e8f5e9"))
        if role == Qt.ItemDataRole.UserRole:
            return patrol.id
        return None
