"""A list widget shown again after an edit: rows whose text or colour changed are updated in
place when the list holds the same rows in the same order, so the 2,000 officers of a large
operation are not built again (and repainted) for each drop; otherwise it is filled anew."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem


@dataclass(frozen=True)
class ListRow:
    key: Hashable  # what the row stands for
    text: str
    color: str = ""  # "" for the list's own
    tooltip: str = ""
    data: Any = None  # under Qt.ItemDataRole.UserRole


class RowList:
    """The rows a QListWidget shows, to tell what changed since they were shown."""

    def __init__(self, widget: QListWidget) -> None:
        self.widget = widget
        self.rows: list[ListRow] = []

    def show(self, rows: Sequence[ListRow]) -> None:
        widget = self.widget
        if [row.key for row in rows] != [row.key for row in self.rows]:
            widget.clear()
            for row in rows:
                item = QListWidgetItem()
                _paint(item, row)
                widget.addItem(item)
        else:
            for index, (new, old) in enumerate(zip(rows, self.rows, strict=True)):
                if new != old:
                    _paint(widget.item(index), new)
        self.rows = list(rows)


def _paint(item: QListWidgetItem, row: ListRow) -> None:
    item.setText(row.text)
    item.setToolTip(row.tooltip)
    item.setData(Qt.ItemDataRole.UserRole, row.data)
    item.setForeground(QBrush(QColor(row.color)) if row.color else QBrush())
