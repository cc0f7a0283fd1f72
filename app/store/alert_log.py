"""The alert log: alerts this center raised, kept in its SQLite file across restarts.

Alerts are an operational log of this center alone (what the screen told the operator, and
when), so they are never replicated and never part of the picture digest. Writes go through
the store's writer thread like every other write; "Clear" only stamps the rows as cleared, so
the log itself loses nothing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy import Connection

from app.store.store import Store

RESTORED = 500  # the newest uncleared alerts listed again when the window opens


@dataclass(frozen=True)
class AlertRecord:
    raised_at_ms: int
    kind: str
    text: str
    record_kind: str = ""
    record_id: str = ""
    lon: float | None = None
    lat: float | None = None


class AlertLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    def append(self, records: Sequence[AlertRecord]) -> Future[None]:
        """Keep ``records`` (on the writer thread: the caller never waits)."""
        rows = [
            (r.raised_at_ms, r.kind, r.text, r.record_kind, r.record_id, r.lon, r.lat)
            for r in records
        ]

        def write(connection: Connection) -> None:
            connection.exec_driver_sql(
                "INSERT INTO alerts (raised_at, kind, text, record_kind, record_id, lon, lat) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

        return self._store.writer.submit(write)

    def clear(self) -> Future[None]:
        """Take every alert off the list (they stay in the log, stamped as cleared)."""
        now = time.time_ns() // 1_000_000

        def write(connection: Connection) -> None:
            connection.exec_driver_sql(
                "UPDATE alerts SET cleared_at = ? WHERE cleared_at IS NULL", (now,)
            )

        return self._store.writer.submit(write)

    def listed(self, limit: int = RESTORED) -> list[AlertRecord]:
        """The uncleared alerts, oldest first (the newest ``limit`` of them)."""
        with self._store.read() as connection:
            rows = connection.exec_driver_sql(
                "SELECT raised_at, kind, text, record_kind, record_id, lon, lat FROM alerts "
                "WHERE cleared_at IS NULL ORDER BY raised_at DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [AlertRecord(*row) for row in reversed(rows)]
