"""The one bridge from background threads into Qt.

The change feed runs on its own thread; it hands each ChangeSet to :class:`StoreBridge`,
whose queued signal delivers it on the GUI thread. There the sets are merged and released to
the views at most every ``refresh_ms``, so a burst of thousands of ops costs one redraw.
"""

from __future__ import annotations

import time
from collections import defaultdict

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.store.feed import ChangeFeed, ChangeSet


class StoreBridge(QObject):
    records_changed = Signal(object)  # a merged ChangeSet, on the GUI thread
    _delivered = Signal(object)  # internal: crosses from the feed thread (queued)

    def __init__(self, feed: ChangeFeed, refresh_ms: int = 250, parent: QObject | None = None):
        super().__init__(parent)
        self._pending: dict[str, set[str]] = defaultdict(set)
        self._first: int | None = None
        self._last = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._refresh_ms = refresh_ms
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self._flush)
        self._delivered.connect(self._on_delivered)
        self._feed = feed
        feed.records_changed.connect(self._delivered.emit)  # called on the feed thread

    def disconnect_feed(self) -> None:
        self._feed.records_changed.disconnect(self._delivered.emit)

    @Slot(object)
    def _on_delivered(self, changes: ChangeSet) -> None:
        for kind, ids in changes.changed.items():
            self._pending[kind].update(ids)
        self._first = changes.first_lsn if self._first is None else self._first
        self._last = changes.last_lsn
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _flush(self) -> None:
        if not self._pending:
            return
        merged = ChangeSet(
            {kind: frozenset(ids) for kind, ids in self._pending.items()},
            self._first or 0,
            self._last,
        )
        self._pending = defaultdict(set)
        self._first = None
        started = time.perf_counter()
        self.records_changed.emit(merged)
        # During a burst (a partner's catch-up), redraws that take long are spaced out so
        # that the window spends at most a quarter of its time on them and stays usable.
        spent_ms = (time.perf_counter() - started) * 1000
        self._timer.setInterval(int(max(self._refresh_ms, min(3 * spent_ms, 5000))))
