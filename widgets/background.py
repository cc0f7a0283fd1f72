"""Reads too slow for the GUI thread (the picture digest over every record), run on a worker
thread; the result comes back through a queued signal, so the window never waits.

Per key, at most one read runs; a request while one runs is remembered and run once after it,
so a burst of changes costs at most two reads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class BackgroundReads(QObject):
    _finished = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="limes-read")
        self._running: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]] = {}
        self._again: set[str] = set()
        self._finished.connect(self._on_finished)

    def request(self, key: str, read: Callable[[], Any], deliver: Callable[[Any], None]) -> None:
        if key in self._running:
            self._again.add(key)
            self._running[key] = (read, deliver)
            return
        self._start(key, read, deliver)

    def _start(self, key: str, read: Callable[[], Any], deliver: Callable[[Any], None]) -> None:
        self._running[key] = (read, deliver)
        future = self._executor.submit(read)
        future.add_done_callback(lambda done: self._finished.emit(key, done))

    @Slot(str, object)
    def _on_finished(self, key: str, done: Future) -> None:
        read, deliver = self._running.pop(key)
        if done.cancelled():  # shut down before it ran: nobody waits for it any more
            self._again.discard(key)
            return
        try:
            deliver(done.result())
        except Exception:
            log.exception("background read %s failed", key)
        if key in self._again:
            self._again.discard(key)
            self._start(key, read, deliver)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
