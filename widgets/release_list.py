"""Who receives a record: "all partners" or chosen partner centers, as a checkable list."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from app.records import RELEASE_TO_ALL
from app.settings import PartnerSettings


class ReleaseList(QListWidget):
    """``touched`` turns true once the operator changes a tick (a default may replace the list
    until then, never after)."""

    def __init__(self, partners: Sequence[PartnerSettings], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._partners = list(partners)
        self.touched = False
        self.setMaximumHeight(96)
        self.itemChanged.connect(self._on_item_changed)

    def set_released(self, released: Sequence[str]) -> None:
        """Tick ``released``; a center it names that settings do not know is listed too."""
        self.blockSignals(True)
        self.clear()
        entries = [(RELEASE_TO_ALL, "All partners")]
        entries += [(p.id, f"{p.name} ({p.id})") for p in self._partners]
        known = {center for center, _label in entries}
        entries += [(center, center) for center in released if center not in known]
        for center, label in entries:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, center)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = center in released
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.blockSignals(False)

    def released_to(self) -> list[str]:
        items = [self.item(row) for row in range(self.count())]
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _on_item_changed(self, _item: QListWidgetItem) -> None:
        self.touched = True
