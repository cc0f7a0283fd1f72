"""Crew edits made at once by two centers (or two desks), shown until a commander settles them.

The box above the rules lists each patrol whose crew is in conflict, with every version: who,
which center, when, and the crew it wrote. *Settle…* (or a double click) asks which crew the
patrol has: one of the versions, or all of their officers together. Nothing is decided for
the commander; the crew held meanwhile is the latest version (app/crew_versions.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.crew_versions import CrewConflict, CrewVersion
from app.domain import Officer

Names = Callable[[str], str]  # an officer id as people read it


def version_text(version: CrewVersion, name_of: Names) -> str:
    crew = ", ".join(name_of(officer) for officer in version.crew) or "no one"
    return f"{version.center} · {version.author} · {version.at:%d %b %H:%M}Z: {crew}"


class CrewConflictBox(QWidget):
    """Hidden while no crew is in conflict."""

    settle_requested = Signal(object)  # CrewConflict

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setStyleSheet("color: #b71c1c")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setMaximumHeight(110)
        self.settle_button = QPushButton("Settle crew conflict…")
        self.settle_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in (self.title, self.list, self.settle_button):
            layout.addWidget(widget)
        self.list.currentRowChanged.connect(lambda row: self.settle_button.setEnabled(row >= 0))
        self.list.itemDoubleClicked.connect(
            lambda item: self.settle_requested.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        self.settle_button.clicked.connect(self._on_settle)
        self.hide()

    def show_conflicts(
        self, conflicts: Sequence[CrewConflict], call_sign_of: Names, name_of: Names
    ) -> None:
        self.list.clear()
        self.setVisible(bool(conflicts))
        self.title.setText(
            f"<b>Crew conflicts</b>: {len(conflicts)} patrol"
            f"{'s' if len(conflicts) != 1 else ''} edited at once by "
            "two centers or desks; the latest crew is shown until you settle it"
        )
        for conflict in sorted(conflicts, key=lambda c: call_sign_of(c.patrol_id)):
            lines = [
                f"{call_sign_of(conflict.patrol_id)}: crew edited at once by "
                + " and ".join(conflict.centers)
            ]
            lines += [f"  • {version_text(x, name_of)}" for x in conflict.versions]
            item = QListWidgetItem("\n".join(lines))
            item.setData(Qt.ItemDataRole.UserRole, conflict)
            item.setForeground(QBrush(QColor("#b71c1c")))
            item.setToolTip(item.text())
            self.list.addItem(item)

    def conflict_at(self, row: int) -> CrewConflict | None:
        item = self.list.item(row)
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _on_settle(self) -> None:
        conflict = self.conflict_at(self.list.currentRow())
        if conflict is not None:
            self.settle_requested.emit(conflict)


def crew_choices(conflict: CrewConflict) -> list[tuple[str, tuple[str, ...]]]:
    """What a commander may settle on: each version's crew, and all their changes together."""
    choices = [(f"Keep {x.center}'s crew ({x.author})", x.crew) for x in conflict.versions]
    merged = conflict.merged()
    if all(merged != crew for _label, crew in choices):
        label = (
            "Apply both changes" if conflict.base_crew is not None else "Keep all their officers"
        )
        if len(conflict.versions) > 2 and conflict.base_crew is not None:
            label = "Apply all their changes"
        choices.append((label, merged))
    return choices


def ask_crew_choice(
    parent: QWidget, call_sign: str, conflict: CrewConflict, name_of: Names
) -> tuple[str, ...] | None:
    """Which crew the patrol has: one button per choice; None if the commander cancels."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(f"Settle the crew of {call_sign}")
    layout = QVBoxLayout(dialog)
    intro = QLabel(
        f"The crew of <b>{call_sign}</b> was edited at once, neither edit seeing the other:"
    )
    layout.addWidget(intro)
    for version in conflict.versions:
        label = QLabel("• " + version_text(version, name_of))
        label.setWordWrap(True)
        layout.addWidget(label)
    chosen: list[tuple[str, ...]] = []
    for text, crew in crew_choices(conflict):
        button = QPushButton(text)
        button.setToolTip(", ".join(name_of(o) for o in crew) or "no one")
        button.clicked.connect(lambda _checked=False, c=crew: (chosen.append(c), dialog.accept()))
        layout.addWidget(button)
    cancel = QPushButton("Cancel")
    cancel.clicked.connect(dialog.reject)
    layout.addWidget(cancel)
    dialog.exec()
    return chosen[0] if chosen else None


def officer_names(officers: Mapping[str, Officer]) -> Names:
    def name_of(officer_id: str) -> str:
        officer = officers.get(officer_id)
        return f"{officer.name} ({officer.country})" if officer is not None else officer_id

    return name_of
