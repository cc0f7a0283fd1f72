"""The incident list: a table model that holds row ids only and fetches rows in pages.

A million incidents cost 8 MB of row ids; only the pages on screen become Python objects
(pattern from Anki's browser table).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.domain import Incident
from app.incident_filter import IncidentFilter, filtered_rowids, matches
from app.store import Store
from app.store import queries as q
from app.store.feed import ChangeSet
from app.values import format_utc
from widgets.table_model import ColumnTableModel

PAGE = 200
PAGES_KEPT = 50

COLUMNS: tuple[str, ...] = ("Time (UTC)", "Category", "Impact", "Status", "Title", "Owner")
IMPACT_COLORS = {"low": "#2e7d32", "medium": "#b26a00", "high": "#c62828"}

Index = QModelIndex | QPersistentModelIndex


class IncidentTableModel(ColumnTableModel):
    COLUMNS = COLUMNS

    def __init__(self, store: Store, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._rowids = np.empty(0, dtype=np.int64)
        self._pages: OrderedDict[int, dict[int, Incident]] = OrderedDict()
        self._filter = IncidentFilter()
        self.reload()

    # -- data ------------------------------------------------------------------------------------

    @property
    def criteria(self) -> IncidentFilter:
        return self._filter

    def show(self, criteria: IncidentFilter, rowids: np.ndarray) -> None:
        """Show ``rowids``, read elsewhere (off the GUI thread) for ``criteria``; live changes
        later re-list by ``criteria`` (its quick range already resolved by the caller)."""
        self.beginResetModel()
        self._filter = criteria
        self._rowids = rowids
        self._pages.clear()
        self.endResetModel()

    def set_source(self, source: Any) -> None:
        """Read from ``source`` (the store, or a replayed picture with the same tables) from now
        on; the caller then lists rows with :meth:`show`."""
        self._store = source
        self._pages.clear()

    def rowids(self) -> np.ndarray:
        return self._rowids

    def reload(self) -> None:
        self.beginResetModel()
        with self._store.read() as connection:
            self._rowids = filtered_rowids(connection, self._filter, newest_first=True)
        self._pages.clear()
        self.endResetModel()

    def apply_changes(self, changes: ChangeSet, relist: Callable[[], None] | None = None) -> None:
        """Refresh only what changed; re-list ids only when incidents appeared or vanished
        (through ``relist`` if given: the timeline re-lists off the GUI thread)."""
        ids = changes.ids("incident")
        if not ids:
            return
        with self._store.read() as connection:
            rows = []
            id_list = list(ids)
            for start in range(0, len(id_list), 500):
                chunk = id_list[start : start + 500]
                rows += connection.exec_driver_sql(
                    "SELECT rowid, deleted = 0 AND complete = 1 FROM incidents "
                    f"WHERE id IN ({','.join('?' * len(chunk))})",
                    tuple(chunk),
                ).fetchall()
        rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        visible = np.fromiter((bool(r[1]) for r in rows), dtype=bool, count=len(rows))
        present = np.isin(rowids, self._rowids)
        if len(rows) != len(ids) or not np.array_equal(present, visible):
            # something new, deleted or completed: the order may change
            (relist or self.reload)()
            return
        # Changes to listed incidents: drop their pages and repaint (their time may have
        # changed too, so a moved time triggers a reload through the order check below).
        positions = np.nonzero(np.isin(self._rowids, rowids))[0]
        for page in {int(p) // PAGE for p in positions}:
            self._pages.pop(page, None)
        if len(positions):
            self.dataChanged.emit(
                self.index(int(positions.min()), 0),
                self.index(int(positions.max()), len(COLUMNS) - 1),
            )

    def incident_at(self, row: int) -> Incident | None:
        if not 0 <= row < len(self._rowids):
            return None
        page = row // PAGE
        cached = self._pages.get(page)
        if cached is None:
            with self._store.read() as connection:
                cached = q.incidents_by_rowid(
                    connection, self._rowids[page * PAGE : (page + 1) * PAGE]
                )
            self._pages[page] = cached
            while len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return cached.get(int(self._rowids[row]))

    def row_of(self, incident_id: str) -> int | None:
        with self._store.read() as connection:
            rowid = connection.exec_driver_sql(
                "SELECT rowid FROM incidents WHERE id = ?", (incident_id,)
            ).scalar()
        return None if rowid is None else self.row_of_rowid(rowid)

    def would_list(self, incident_id: str) -> bool:
        """Whether the criteria shown include the incident (listed now, or once re-listed)."""
        with self._store.read() as connection:
            return matches(connection, self._filter, incident_id)

    def row_of_rowid(self, rowid: int) -> int | None:
        hits = np.nonzero(self._rowids == rowid)[0]
        return int(hits[0]) if len(hits) else None

    # -- Qt model --------------------------------------------------------------------------------

    def row_total(self) -> int:
        return len(self._rowids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        incident = self.incident_at(index.row())
        if incident is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                format_utc(incident.occurred_at),
                incident.category.label,
                incident.impact.label,
                incident.status.label,
                incident.title,
                incident.owner,
            )[column]
        if role == Qt.ItemDataRole.ForegroundRole:
            if not incident.status.is_open:
                return QBrush(QColor("#8a8a8a"))
            if column == 2:
                return QBrush(QColor(IMPACT_COLORS.get(incident.impact.value, "#000")))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{incident.title}\n{incident.description[:400]}"
        if role == Qt.ItemDataRole.UserRole:
            return incident.id
        return None
