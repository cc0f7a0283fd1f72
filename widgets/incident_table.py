"""The incident list: a table model that holds row ids only and fetches rows in pages.

A million incidents cost 8 MB of row ids; only the pages on screen become Python objects
(pattern from Anki's browser table).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.domain import Incident
from app.incident_filter import IncidentFilter, filtered_rowids, matches
from app.store import Store
from app.store import queries as q
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
        """Empty until rows are shown: the timeline lists them off the GUI thread (a million
        row ids take half a second to read)."""
        super().__init__(parent)
        self._store = store
        self._rowids = np.empty(0, dtype=np.int64)
        self._complete = False
        self._pages: OrderedDict[int, dict[int, Incident]] = OrderedDict()
        self._filter = IncidentFilter()

    # -- data ------------------------------------------------------------------------------------

    @property
    def criteria(self) -> IncidentFilter:
        return self._filter

    @property
    def complete(self) -> bool:
        """False while only the first rows of the list are shown (the rest are being read)."""
        return self._complete

    def show(self, criteria: IncidentFilter, rowids: np.ndarray, *, complete: bool = True) -> None:
        """Show ``rowids``, read elsewhere (off the GUI thread) for ``criteria``; with
        ``complete=False`` they are only the first of the list (see :meth:`show_complete`)."""
        self.beginResetModel()
        self._filter = criteria
        self._rowids = rowids
        self._complete = complete
        self._pages.clear()
        self.endResetModel()

    def show_complete(self, criteria: IncidentFilter, rowids: np.ndarray) -> bool:
        """The complete list for ``criteria``. When it starts with the rows shown, the rest is
        appended (rows inserted: the selection, the scroll position and the pages read stay);
        otherwise it is shown anew. Returns whether it was appended."""
        shown = self._rowids
        if (
            criteria != self._filter
            or self._complete
            or len(rowids) < len(shown)
            or not np.array_equal(rowids[: len(shown)], shown)
        ):
            self.show(criteria, rowids)
            return False
        if len(rowids) == len(shown):
            self._rowids, self._complete = rowids, True
            return True
        self.beginInsertRows(QModelIndex(), len(shown), len(rowids) - 1)
        self._rowids, self._complete = rowids, True
        self.endInsertRows()
        return True

    def set_source(self, source: Any) -> None:
        """Read from ``source`` (the store, or a replayed picture with the same tables) from now
        on; the caller then lists rows with :meth:`show`."""
        self._store = source
        self._pages.clear()

    def rowids(self) -> np.ndarray:
        """The row ids shown, in order. Never changed in place: a new list is a new array."""
        return self._rowids

    def reload(self) -> None:
        """List ``criteria`` now, on this thread (for scripts and benchmarks: in the window the
        timeline lists off the GUI thread)."""
        with self._store.read() as connection:
            rowids = filtered_rowids(connection, self._filter, newest_first=True)
        self.show(self._filter, rowids)

    def refresh_rows(self, positions: np.ndarray) -> None:
        """The incidents at ``positions`` changed in place: drop their cached pages, repaint."""
        if not len(positions):
            return
        for page in {int(p) // PAGE for p in positions}:
            self._pages.pop(page, None)
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
