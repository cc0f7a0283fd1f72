"""Reading changed records on a worker thread, one read at a time, never losing an id.

Changes keep coming while a read runs; their ids wait and are read together next, so a burst
of thousands of change sets costs a few reads, each of what changed since the last one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from widgets.background import BackgroundReads

log = logging.getLogger(__name__)
_FAILED = object()


class ChangedReads:
    """``read(ids)`` runs on the worker; ``deliver(result)`` on the GUI thread, in order."""

    def __init__(
        self,
        reads: BackgroundReads,
        key: str,
        read: Callable[[frozenset[str]], Any],
        deliver: Callable[[Any], None],
    ) -> None:
        self._reads, self._key = reads, key
        self._read, self._deliver = read, deliver
        self._waiting: set[str] = set()
        self._running = False

    @property
    def idle(self) -> bool:
        return not self._running and not self._waiting

    def add(self, ids: Collection[str]) -> None:
        self._waiting.update(ids)
        self._start()

    def forget(self) -> None:
        """Drop ids waiting to be read (a full reload covers them)."""
        self._waiting.clear()

    def _start(self) -> None:
        if self._running or not self._waiting:
            return
        ids, self._waiting = frozenset(self._waiting), set()
        self._running = True
        self._reads.request(self._key, lambda: self._read_logged(ids), self._on_read)

    def _read_logged(self, ids: frozenset[str]) -> Any:
        try:
            return self._read(ids)
        except Exception:  # logged here; the next change set tries again
            log.exception("reading %d changed records for %s failed", len(ids), self._key)
            return _FAILED

    def _on_read(self, result: Any) -> None:
        self._running = False
        try:
            if result is not _FAILED:
                self._deliver(result)
        finally:
            self._start()
