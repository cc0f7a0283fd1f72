"""The selected patrol's history: every change (crew, sector, shift, status, overrides with
their reason, position reports summarised), who made it, at which center, when; newest first.

The same table as an incident's audit trail (:class:`~widgets.audit_view.AuditView`), read
from the op-log by :func:`app.patrol_history.patrol_history`. It is read when shown: a hidden
tab only remembers that it is out of date.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.patrol_history import patrol_change_text, patrol_history
from app.roster_state import RosterState
from app.store import Store
from widgets.audit_view import AuditView


class PatrolHistoryView(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._patrol_id = ""
        self._state: RosterState | None = None
        self._stale = False
        self.title = QLabel()
        self.table = AuditView(describe_change=patrol_change_text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        self.show_patrol(None, "")

    def show_patrol(self, state: RosterState | None, patrol_id: str) -> None:
        """Show ``patrol_id``'s history (read now if this tab is visible, else when shown)."""
        self._state, self._patrol_id = state, patrol_id
        self._stale = True
        if self.isVisible():
            self._read()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._read()

    def _read(self) -> None:
        self._stale = False
        state, patrol_id = self._state, self._patrol_id
        patrol = state.patrols.get(patrol_id) if state is not None else None
        if state is None or patrol is None:
            self.title.setText("History (select a patrol)")
            self.table.clear()
            return
        with self._store.read() as connection:
            entries = patrol_history(connection, patrol_id)
        names = {o.id: f"{o.name} ({o.country})" for o in state.officers.values()}
        names.update((s.id, s.name) for s in state.sectors.values())
        names.update((p.id, p.call_sign) for p in state.patrols.values())
        self.title.setText(f"<b>History of {patrol.call_sign}</b> · {len(entries)} entries")
        self.table.show_entries(entries, names)

    def change_at(self, row: int) -> str:
        return self.table.change_at(row)
