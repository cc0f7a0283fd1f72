"""Every incident's country, sector and distance to the border, kept current off the GUI thread.

The :class:`~maps.jurisdiction.Jurisdiction` is built on a worker (it takes most of a second);
changed incidents are located there too, and the answers land in a
:class:`~maps.placement_table.PlacementTable` on the GUI thread. It follows every change set,
shown or not: alerts and the details panel need placements even while the map dock is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.domain import BorderLine
from app.store import Store
from app.store import queries as q
from app.store.feed import ChangeSet
from maps.geography import Country
from maps.jurisdiction import Jurisdiction, Placement, Placements
from maps.placement_table import PlacementTable
from widgets.background import BackgroundReads
from widgets.changed_reads import ChangedReads


class IncidentPlacements(QObject):
    # Ids whose placement is new or changed, and whether they are new to the table (a frozenset,
    # then a frozenset of the new ones).
    placed = Signal(object, object)
    ready = Signal()  # the jurisdiction is built and every incident located

    def __init__(
        self,
        store: Store,
        countries: Sequence[Country],
        lines: Sequence[BorderLine],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self.table = PlacementTable()
        self.jurisdiction: Jurisdiction | None = None
        self._worker_jurisdiction: Jurisdiction | None = None  # touched by the worker only
        self._reads = BackgroundReads(self)
        self._changed = ChangedReads(
            self._reads, "placements", self._locate_changed, self._on_located
        )

        def build() -> tuple[Jurisdiction, np.ndarray, Placements]:
            with store.read() as connection:
                sectors = q.sectors(connection)
            self._worker_jurisdiction = Jurisdiction(countries, lines, sectors)
            return self._locate_all()

        self._reads.request("jurisdiction", build, self._on_all_located)

    def get(self, incident_id: str) -> Placement | None:
        """The placement of an incident, or None (unknown, or not located yet)."""
        return self.table.get(incident_id)

    def locate(self, lon: float, lat: float) -> Placement | None:
        """Where a point lies (for a form about to create an incident); None while building."""
        return None if self.jurisdiction is None else self.jurisdiction.locate_point(lon, lat)

    def apply_changes(self, changes: ChangeSet) -> None:
        if changes.ids("sector"):

            def relocate() -> tuple[Jurisdiction, np.ndarray, Placements]:
                with self._store.read() as connection:
                    sectors = q.sectors(connection)
                self._worker_jurisdiction = self._worker_jurisdiction.with_sectors(sectors)
                return self._locate_all()

            self._reads.request("jurisdiction", relocate, self._on_all_located)
        if changes.ids("incident"):
            self._changed.add(changes.ids("incident"))

    @property
    def settled(self) -> bool:
        return self.jurisdiction is not None and self._changed.idle

    # -- on the worker -----------------------------------------------------------------------

    def _locate_all(self) -> tuple[Jurisdiction, np.ndarray, Placements]:
        with self._store.read() as connection:
            columns = q.incident_positions(connection)
        jurisdiction = self._worker_jurisdiction
        return jurisdiction, columns["id"], jurisdiction.locate(columns["lon"], columns["lat"])

    def _locate_changed(self, ids: frozenset[str]) -> tuple[np.ndarray, Placements, set[str]]:
        with self._store.read() as connection:
            columns = q.incident_positions(connection, ids)
        # The build was queued first on this one worker, so the jurisdiction exists here.
        placements = self._worker_jurisdiction.locate(columns["lon"], columns["lat"])
        return columns["id"], placements, ids.difference(columns["id"].tolist())

    # -- back on the GUI thread ----------------------------------------------------------------

    def _on_all_located(self, result: tuple[Jurisdiction, np.ndarray, Placements]) -> None:
        first = self.jurisdiction is None
        self.jurisdiction, ids, placements = result
        listed = ids.tolist()
        # What the window found at start is not new; after that, an id the table lacks is.
        new = frozenset() if first else frozenset(i for i in listed if i not in self.table)
        self.table.replace(listed, placements)
        self.placed.emit(frozenset(listed), new)
        if first:
            self.ready.emit()

    def _on_located(self, result: tuple[np.ndarray, Placements, set[str]]) -> None:
        ids, placements, removed = result
        listed = ids.tolist()
        new = frozenset(i for i in listed if i not in self.table)
        self.table.update(listed, placements)
        self.table.remove(removed)
        if listed:
            self.placed.emit(frozenset(listed), new)
