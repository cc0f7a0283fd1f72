"""The change feed: the op-log read as a stream of "which records changed".

Every write, by this process or another one on the same file (a ``limes import`` beside the
window, a node applying a partner's catch-up), appends ops with increasing local ``lsn``.
The feed watches ``PRAGMA data_version`` on its own connection, reads the ops past its cursor
and emits one :class:`ChangeSet` per poll, so views learn of every change through one path.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass

from psygnal import Signal

from app.store.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeSet:
    """Records changed between two points of the op-log: kind -> ids."""

    changed: dict[str, frozenset[str]]
    first_lsn: int
    last_lsn: int

    def ids(self, kind: str) -> frozenset[str]:
        return self.changed.get(kind, frozenset())

    def __bool__(self) -> bool:
        return bool(self.changed)


class ChangeFeed:
    records_changed = Signal(ChangeSet)  # emitted on the feed's thread
    BATCH = 50_000

    def __init__(self, store: Store, *, interval_s: float = 0.2, details: bool = True) -> None:
        """``details=False``: only say that the log grew (no ids), for watchers that rescan."""
        self._store = store
        self._details = details
        self._interval = interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        with store.read() as connection:
            self.cursor = connection.exec_driver_sql(
                "SELECT COALESCE(MAX(lsn), 0) FROM ops"
            ).scalar_one()
        store.writer.on_commit(lambda _result: self._wake.set())

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="limes-change-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)

    def poll(self) -> ChangeSet:
        """Read what changed since the last poll (also usable without the thread)."""
        changed: dict[str, set[str]] = defaultdict(set)
        first = self.cursor + 1
        if not self._details:
            with self._store.read() as connection:
                last = connection.exec_driver_sql(
                    "SELECT COALESCE(MAX(lsn), 0) FROM ops"
                ).scalar_one()
            self.cursor = max(self.cursor, last)
            grown = {"*": frozenset()} if last >= first else {}
            return ChangeSet(grown, first, self.cursor)
        with self._store.read() as connection:
            rows = connection.exec_driver_sql(
                "SELECT lsn, kind, record_id FROM ops WHERE lsn > ? ORDER BY lsn LIMIT ?",
                (self.cursor, self.BATCH),
            ).fetchall()
        for lsn, kind, record_id in rows:
            changed[kind].add(record_id)
            self.cursor = lsn
        return ChangeSet({k: frozenset(v) for k, v in changed.items()}, first, self.cursor)

    def _run(self) -> None:
        version = None
        while not self._stop.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                with self._store.read() as connection:
                    now = connection.exec_driver_sql("PRAGMA data_version").scalar_one()
                if now == version:
                    continue
                version = now
                while True:
                    changes = self.poll()
                    if changes:
                        self.records_changed.emit(changes)
                    if changes.last_lsn - changes.first_lsn + 1 < self.BATCH:
                        break
            except Exception:  # a bad moment must not end the feed; the next poll retries
                log.exception("change feed poll failed")
