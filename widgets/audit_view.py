"""An audit trail as a table: newest first, who, which center, what, and when this center
learned it when that was later than the change was made. An incident's by default; a
patrol's history with :func:`app.patrol_history.patrol_change_text`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from app import values as v
from app.audit import CREATED, DELETED, NOTE, AuditEntry, describe

COLUMNS = ["When (UTC)", "Center", "Who", "Change", "Learned here"]
CHANGE_COLUMN = COLUMNS.index("Change")


ChangeText = Callable[[AuditEntry, Mapping[str, str]], str]


class AuditView(QTreeWidget):
    def __init__(self, parent: QWidget | None = None, describe_change: ChangeText | None = None):
        super().__init__(parent)
        self._change_text = describe_change or change_text
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setHeaderLabels(COLUMNS)
        self.header().setSectionResizeMode(CHANGE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.header().setStretchLastSection(False)

    def show_entries(self, entries: list[AuditEntry], names: Mapping[str, str]) -> None:
        """``names``: patrols (and officers, sectors) by what people know them by, not by
        their ids."""
        self.clear()
        items = []
        for entry in reversed(entries):  # newest first: what changed last is what is asked
            change = self._change_text(entry, names)
            learned = v.format_utc(entry.learned_at) if entry.late else "at once"
            item = QTreeWidgetItem(
                [v.format_utc(entry.at), entry.center, entry.author, change, learned]
            )
            item.setToolTip(CHANGE_COLUMN, change)
            item.setToolTip(
                len(COLUMNS) - 1,
                f"Made {entry.at:%Y-%m-%d %H:%M:%S}Z, learned {entry.learned_at:%H:%M:%S}Z",
            )
            items.append(item)
        self.addTopLevelItems(items)
        for column in range(len(COLUMNS)):
            if column != CHANGE_COLUMN:
                self.resizeColumnToContents(column)

    def change_at(self, row: int) -> str:
        return self.topLevelItem(row).text(CHANGE_COLUMN)


def change_text(entry: AuditEntry, call_signs: Mapping[str, str]) -> str:
    if entry.field == CREATED:
        return f"reported: {entry.new}"
    if entry.field == DELETED:
        return "deleted"
    if entry.field == NOTE:
        return f"note: {describe('text', entry.new)}"
    old, new = entry.old, entry.new
    if entry.field == "assigned_patrols":
        old, new = ([call_signs.get(p, p) for p in ids or ()] for ids in (old, new))
    return f"{entry.label}: {describe(entry.field, old)} → {describe(entry.field, new)}"
