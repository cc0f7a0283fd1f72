"""The partners dock: one row per partner center with the truth about its link."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from widgets.table_model import ColumnTableModel

Index = QModelIndex | QPersistentModelIndex
STATE_COLORS = {"up": "#2e7d32", "connecting": "#b26a00", "cut": "#e65100"}


def _age(then: float, now: float) -> str:
    if not then:
        return "never"
    seconds = max(0.0, now - then)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class PartnerTableModel(ColumnTableModel):
    COLUMNS = ("Partner", "Link", "Queued", "Sent ↑ / ↓", "Ack", "Picture", "Problem")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._links: list[dict[str, Any]] = []

    def row_total(self) -> int:
        return len(self._links)

    def set_status(self, status: dict[str, Any]) -> None:
        links = sorted(status.get("links", {}).values(), key=lambda link: link["partner"])
        if [link["partner"] for link in links] != [link["partner"] for link in self._links]:
            self.beginResetModel()
            self._links = links
            self.endResetModel()
            return
        self._links = links
        if links:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(links) - 1, len(self.COLUMNS) - 1)
            )

    def partner_at(self, row: int) -> str | None:
        return self._links[row]["partner"] if 0 <= row < len(self._links) else None

    def state_of(self, partner: str) -> str:
        for link in self._links:
            if link["partner"] == partner:
                return link["state"]
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        link = self._links[index.row()]
        column = index.column()
        now = time.time()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return link["partner"]
            if column == 1:
                state = link["state"]
                if state == "up":
                    state = "up, catching up" if link["catching_up"] else "up"
                    progress = link.get("incoming_progress")
                    if progress is not None:
                        state = f"up, receiving {progress:.0%}"
                    if link["quiet"]:
                        state = "up but QUIET"
                return f"{state} ({link['direction']})" if link["direction"] else state
            if column == 2:
                return f"≤ {link['queued']:,}"
            if column == 3:
                return f"{link['sent_ops']:,} / {link['received_ops']:,}"
            if column == 4:
                return _age(link["last_ack_at"], now)
            if column == 5:
                match = link["digest_match"]
                return (
                    "same picture" if match else ("DIFFERS" if match is False else "not compared")
                )
            if column == 6:
                return link["last_error"] or (
                    f"{link['rejected_ops']} refused" if link["rejected_ops"] else ""
                )
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 1:
                color = "#b26a00" if link["quiet"] else STATE_COLORS.get(link["state"], "#c62828")
                return QBrush(QColor(color))
            if column == 5 and link["digest_match"] is False:
                return QBrush(QColor("#c62828"))
            if column == 6 and link["last_error"]:
                return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return link["name"]
            if column == 5:
                return "Digest of the picture shared with this partner, compared when both sides are idle"
            return link["last_error"] or None
        return None


class PartnerPanel(QWidget):
    """Polls the node's status once a second; offers cut and restore for the selected link."""

    link_toggled = Signal(str, bool)

    def __init__(self, status_source: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = status_source
        self.model = PartnerTableModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(1000)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_status(self._source())
