"""The timeline table's rows, read off the GUI thread: the newest page first, then the rest.

A filter over a million incidents matches up to a million row ids, half a second to read. The
first page (what the table shows before any scrolling) is the same query with a LIMIT, a few
ms from the timeline index; the complete list follows on the same worker and is appended
under it, so the selection and the scroll position stay. Only the newest listing is
delivered, and an older one still reading gives up at its next chunk.

Live changes are checked on that worker too (:func:`app.listing_changes.listing_change`): the
GUI thread only drops cached pages and repaints, or asks for a new listing.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.incident_filter import IncidentFilter, ReadSuperseded, filtered_rowids
from app.listing_changes import listing_change
from widgets.background import BackgroundReads
from widgets.changed_reads import ChangedReads
from widgets.incident_table import PAGE, IncidentTableModel

FIRST_PAGE = PAGE  # the rows read first: one page of the table's cache, more than a screen


class TimelineListing(QObject):
    first_page_shown = Signal(int)  # rows shown so far; the rest of the list is being read
    loaded = Signal(int)  # the complete list is shown: its length

    def __init__(self, model: IncidentTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._reads = BackgroundReads(self)
        self._generation = 0  # bumped by each listing: older reads are dropped or give up
        self._source: Any = None
        self._criteria = IncidentFilter()
        self._pending = False  # a listing is being read
        self._held: set[str] = set()  # changed ids to check once the listing is shown
        self._changed = ChangedReads(
            self._reads, "rows-changed", self._read_change, self._on_change_read
        )

    @property
    def pending(self) -> bool:
        return self._pending

    @property
    def idle(self) -> bool:
        """Nothing being listed or checked (for tests and benchmarks)."""
        return not self._pending and not self._held and self._changed.idle

    def list(self, source: Any, criteria: IncidentFilter, *, progressive: bool = True) -> None:
        """List ``criteria`` (quick range resolved) from ``source``. ``progressive``: show the
        first page as soon as it is read (a filter change); otherwise the complete list
        replaces the shown one in one go (a live re-list: the table keeps what it shows)."""
        self._generation += 1
        generation = self._generation
        self._source, self._criteria, self._pending = source, criteria, True

        def current() -> bool:
            return generation == self._generation

        # Each read returns its generation with its rows: BackgroundReads hands an older
        # read's result to the newest request's delivery, which must not take it for its own.
        def read_all() -> tuple[int, np.ndarray | None]:
            try:
                with source.read() as connection:
                    rowids = filtered_rowids(connection, criteria, stop=lambda: not current())
            except ReadSuperseded:
                return generation, None
            return generation, rowids

        def show_all(result: tuple[int, np.ndarray | None]) -> None:
            got, rowids = result
            if rowids is None or got != self._generation:
                return
            if progressive:
                self.model.show_complete(criteria, rowids)
            else:
                self.model.show(criteria, rowids)
            self._finish()

        if not progressive:
            self._reads.request("rows-all", read_all, show_all)
            return

        def read_first() -> tuple[int, np.ndarray]:
            with source.read() as connection:
                return generation, filtered_rowids(connection, criteria, limit=FIRST_PAGE)

        def show_first(result: tuple[int, np.ndarray]) -> None:
            got, rowids = result
            if got != self._generation:
                return
            complete = len(rowids) < FIRST_PAGE
            self.model.show(criteria, rowids, complete=complete)
            if complete:
                self._finish()
                return
            self.first_page_shown.emit(len(rowids))
            self._reads.request("rows-all", read_all, show_all)

        self._reads.request("rows-first", read_first, show_first)

    def _finish(self) -> None:
        self._pending = False
        self.loaded.emit(self.model.rowCount())
        held, self._held = self._held, set()
        if held:
            self._changed.add(held)

    # -- live changes ------------------------------------------------------------------------------

    def apply_changes(self, ids: Collection[str]) -> None:
        """Incidents ``ids`` changed: repaint them, or list again if the list changed."""
        if not ids:
            return
        if self._pending or self._source is None:
            self._held.update(ids)  # checked against the listing being read, once shown
        else:
            self._changed.add(ids)

    def _read_change(self, ids: frozenset[str]) -> tuple[int, np.ndarray, frozenset[str], Any]:
        # On the worker: the attributes are read as they are now; if they are older than the
        # listing shown at delivery, the ids are checked again.
        generation, listed = self._generation, self.model.rowids()
        source, criteria = self._source, self._criteria
        with source.read() as connection:
            return generation, listed, ids, listing_change(connection, criteria, ids, listed)

    def _on_change_read(self, result: tuple[int, np.ndarray, frozenset[str], Any]) -> None:
        generation, listed, ids, change = result
        if generation != self._generation or listed is not self.model.rowids() or self._pending:
            self.apply_changes(ids)  # a listing came in between: check against it
        elif change.relist:
            self.list(self._source, self._criteria, progressive=False)
        else:
            self.model.refresh_rows(change.rows)

    def shutdown(self) -> None:
        self._generation += 1  # a long read in progress gives up at its next chunk
        self._reads.shutdown()
