"""The Incident menu: new (Ctrl+N), edit the selected incident (Ctrl+E), add a note to it
(Ctrl+Shift+N).

Kept out of the main window so that it only installs it; the map's "new incident here" calls
:meth:`IncidentActions.new_incident` with the place it was asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from app.lifecycle import TransitionRefused
from app.settings import Settings
from app.store import Store
from app.store.feed import ChangeSet
from widgets.details_panel import DetailsPanel
from widgets.incident_form import IncidentForm


class IncidentActions(QObject):
    def __init__(
        self,
        window: QMainWindow,
        store: Store,
        settings: Settings,
        details: DetailsPanel,
        select: Callable[[str], None],
        records_changed: SignalInstance,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._store = store
        self._settings = settings
        self._details = details
        self._select = select
        self.form: IncidentForm | None = None
        self._pending: set[str] = set()  # saved here, not yet in the views
        records_changed.connect(self._on_records_changed)
        menu = window.menuBar().addMenu("&Incident")
        self.new_action = QAction("&New incident…", window)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(lambda: self.new_incident())
        self.edit_action = QAction("&Edit selected incident…", window)
        self.edit_action.setShortcut(QKeySequence("Ctrl+E"))
        self.edit_action.triggered.connect(self.edit_selected)
        self.note_action = QAction("Add a follow-up &note…", window)
        self.note_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.note_action.triggered.connect(self.note_on_selected)
        for action in (self.new_action, self.edit_action, self.note_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            menu.addAction(action)

    def new_incident(
        self,
        lon: float | None = None,
        lat: float | None = None,
        derived: Mapping[str, Any] | None = None,
    ) -> IncidentForm:
        return self._open(
            IncidentForm.for_new(
                self._store, self._settings, lon, lat, self._window, derived=derived
            )
        )

    def edit_selected(self) -> IncidentForm | None:
        incident = self._details.incident
        if incident is None:
            self._window.statusBar().showMessage("Select an incident to edit it.", 5000)
            return None
        try:
            form = IncidentForm.for_edit(self._store, self._settings, incident, self._window)
        except TransitionRefused as error:
            self._window.statusBar().showMessage(str(error), 8000)
            return None
        return self._open(form)

    def note_on_selected(self) -> None:
        """Straight to the note box of the incident in the details dock."""
        if self._details.incident is None:
            self._window.statusBar().showMessage("Select an incident to add a note to it.", 5000)
            return
        self._details.start_note()

    def _open(self, form: IncidentForm) -> IncidentForm:
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.saved.connect(self._on_saved)
        self.form = form
        form.show()
        form.activateWindow()
        return form

    def _on_saved(self, incident_id: str) -> None:
        self._select(incident_id)
        self._pending.add(incident_id)

    def _on_records_changed(self, changes: ChangeSet) -> None:
        """Select a just-saved incident again once the views have it (after their update)."""
        arrived = self._pending & changes.ids("incident")
        for incident_id in arrived:
            self._select(incident_id)
        self._pending -= arrived
