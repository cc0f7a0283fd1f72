"""Hybrid logical clock: wall milliseconds plus a counter, packed into one sortable integer.

A stamp is ``wall_ms << 16 | counter``. Stamps from this clock never go backwards, even when
the wall clock does, and after a partner's op is received they are above its stamp, so
"newer" keeps its meaning across centers whose clocks disagree by a little.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

COUNTER_BITS = 16
COUNTER_MAX = (1 << COUNTER_BITS) - 1
DEFAULT_MAX_DRIFT_MS = 120_000


def pack(wall_ms: int, counter: int) -> int:
    return (wall_ms << COUNTER_BITS) | counter


def wall_of(stamp: int) -> int:
    return stamp >> COUNTER_BITS


def counter_of(stamp: int) -> int:
    return stamp & COUNTER_MAX


class ClockDriftError(Exception):
    """A received stamp is further in the future than the clock guard allows."""

    def __init__(self, stamp: int, now_ms: int, max_drift_ms: int) -> None:
        self.stamp = stamp
        self.ahead_ms = wall_of(stamp) - now_ms
        super().__init__(
            f"stamp is {self.ahead_ms / 1000:.1f} s ahead of this clock "
            f"(limit {max_drift_ms / 1000:.0f} s)"
        )


class HybridLogicalClock:
    def __init__(
        self,
        last: int = 0,
        *,
        wall: Callable[[], int] | None = None,
        max_drift_ms: int = DEFAULT_MAX_DRIFT_MS,
    ) -> None:
        self._last = last
        self._wall = wall or (lambda: time.time_ns() // 1_000_000)
        self._max_drift_ms = max_drift_ms
        self._lock = threading.Lock()

    @property
    def last(self) -> int:
        return self._last

    def now(self) -> int:
        """A fresh stamp for a local event, greater than every stamp seen so far."""
        with self._lock:
            physical = pack(self._wall(), 0)
            self._last = physical if physical > self._last else self._last + 1
            return self._last

    def check(self, stamp: int) -> None:
        """Raise :class:`ClockDriftError` if ``stamp`` is too far ahead to be trusted."""
        now_ms = self._wall()
        if wall_of(stamp) - now_ms > self._max_drift_ms:
            raise ClockDriftError(stamp, now_ms, self._max_drift_ms)

    def horizon(self) -> int:
        """The greatest stamp :meth:`check` accepts right now."""
        return pack(self._wall() + self._max_drift_ms, COUNTER_MAX)

    def receive(self, stamp: int) -> None:
        """Take a remote stamp into account (after :meth:`check` has accepted it)."""
        with self._lock:
            if stamp > self._last:
                self._last = stamp
