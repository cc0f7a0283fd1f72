"""An incident's follow-up log, oldest first, with the box to add to it (Ctrl+Enter)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain import Note
from app.values import format_utc
from widgets.bounded_text import BoundedTextEdit

MAX_NOTE = 20_000  # characters, as app.records checks a note


class NotesView(QWidget):
    note_requested = Signal(str)  # the text typed, when the operator asks to add it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log = QTextBrowser()
        self.box = BoundedTextEdit(MAX_NOTE, "a note")
        self.box.setPlaceholderText("Follow-up note (Ctrl+Enter adds it)")
        self.box.setTabChangesFocus(True)
        self.box.setMaximumHeight(54)
        self.add_button = QPushButton("Add note")
        self.add_button.clicked.connect(self._on_add)
        QShortcut(QKeySequence("Ctrl+Return"), self.box, activated=self._on_add)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.log, 1)
        row = QHBoxLayout()
        row.addWidget(self.box, 1)
        row.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(row)

    def show_notes(self, notes: Sequence[Note]) -> None:
        if not notes:
            self.log.setHtml("<p style='color:#777'>No follow-ups yet.</p>")
            return
        self.log.setHtml(
            "".join(
                f"<p style='margin:0 0 6px 0'><b>{format_utc(note.created_at)}</b> "
                f"<span style='color:#555'>{escape(note.author)} · {escape(note.center)}</span>"
                f"<br>{escape(note.text).replace(chr(10), '<br>')}</p>"
                for note in notes
            )
        )
        bar = self.log.verticalScrollBar()
        bar.setValue(bar.maximum())  # the newest follow-up is the one to read

    def clear(self) -> None:
        self.log.clear()
        self.box.clear()

    def _on_add(self) -> None:
        self.note_requested.emit(self.box.toPlainText())
