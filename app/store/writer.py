"""The one owner of writes: a thread with its own connection that runs write jobs in order.

Callers (the window, the change simulator, the network loop later) submit a job and get a
``concurrent.futures.Future``; nobody waits on SQLite's write lock but this thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)
T = TypeVar("T")
_STOP = object()


class Writer:
    def __init__(self, engine: Engine, name: str = "limes-writer") -> None:
        self._engine = engine
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._after_commit: list[Callable[[Any], None]] = []
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def on_commit(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(result)`` on the writer thread after each committed job."""
        self._after_commit.append(callback)

    def submit(self, job: Callable[[Connection], T]) -> Future[T]:
        """Run ``job(connection)`` in one transaction on the writer thread."""
        future: Future[T] = Future()
        if not self._thread.is_alive():
            future.set_exception(RuntimeError("the store is closed"))
            return future
        self._jobs.put((job, future))
        return future

    def call(self, job: Callable[[Connection], T], timeout: float | None = None) -> T:
        """Submit and wait: for the command line and tests, never for the GUI thread."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("a write job may not wait for another write job")
        return self.submit(job).result(timeout)

    def close(self, timeout: float = 30.0) -> None:
        if self._thread.is_alive():
            self._jobs.put(_STOP)
            self._thread.join(timeout)

    def _run(self) -> None:
        with self._engine.connect() as connection:
            while True:
                item = self._jobs.get()
                if item is _STOP:
                    break
                job, future = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    with connection.begin():
                        result = job(connection)
                except BaseException as error:  # reported to the submitter, never lost
                    future.set_exception(error)
                    continue
                future.set_result(result)
                for callback in self._after_commit:
                    try:
                        callback(result)
                    except Exception:
                        log.exception("after-commit callback failed")
