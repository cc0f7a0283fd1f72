"""An incident's audit trail as a table: newest first, who, which center, what, and when this
center learned it when that was later than the change was made."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from app import values as v
from app.audit import CREATED, DELETED, NOTE, AuditEntry, describe

COLUMNS = ["When (UTC)", "Center", "Who", "Change", "Learned here"]
CHANGE_COLUMN = COLUMNS.index("Change")


class AuditView(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setHeaderLabels(COLUMNS)
        self.header().setSectionResizeMode(CHANGE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.header().setStretchLastSection(False)

    def show_entries(self, entries: list[AuditEntry], call_signs: dict[str, str]) -> None:
        """``call_signs`` names patrols by what people know them by, not by their ids."""
        self.clear()
        items = []
        for entry in reversed(entries):  # newest first: what changed last is what is asked
            change = change_text(entry, call_signs)
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


def change_text(entry: AuditEntry, call_signs: dict[str, str]) -> str:
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
