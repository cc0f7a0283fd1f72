"""What a batch of changed incidents does to a listing (a filter's row ids, newest first).

Most changes touch incidents already listed without moving them: only their rows need drawing
again. A change that makes an incident match the filter or stop matching it (new, deleted,
closed under an "open" filter, moved out of the window...), or that moves a listed incident
in time past its neighbours, changes the list itself: it has to be read again. Both answers
come from a few indexed reads of the changed ids, and one pass over the listed row ids, which
is why the timeline asks this on its worker thread and never on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from app.incident_filter import ID_CHUNK, IncidentFilter, membership


@dataclass(frozen=True)
class ListingChange:
    rows: np.ndarray  # positions in the listing of the changed incidents that stay where they are
    relist: bool  # the listing's membership or order changed: read it again


def _chunks(values: list, size: int = ID_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def listing_change(
    connection: Connection,
    criteria: IncidentFilter,
    ids: Collection[str],
    listed: np.ndarray,
) -> ListingChange:
    """How the incidents ``ids`` (just changed) affect ``listed``, the row ids ``criteria``
    gave newest first (its quick range resolved)."""
    rowids, matching = membership(connection, criteria, ids)
    nothing = ListingChange(np.empty(0, dtype=np.int64), False)
    if not len(rowids):
        return nothing
    listed_now = np.isin(rowids, listed)
    if not np.array_equal(listed_now, matching):
        return ListingChange(nothing.rows, True)
    positions = np.nonzero(np.isin(listed, rowids[listed_now]))[0]
    if not len(positions):
        return nothing
    return ListingChange(positions, not _still_in_order(connection, listed, positions))


def _still_in_order(connection: Connection, listed: np.ndarray, positions: np.ndarray) -> bool:
    """Whether each listed row at ``positions`` still sits between its neighbours' times
    (equal times in any order)."""
    around = np.unique(np.concatenate([positions - 1, positions, positions + 1]))
    around = around[(around >= 0) & (around < len(listed))]
    wanted = [int(r) for r in listed[around]]
    time_of: dict[int, int] = {}
    for chunk in _chunks(wanted):
        time_of.update(
            connection.exec_driver_sql(
                f"SELECT rowid, occurred_at FROM incidents "
                f"WHERE rowid IN ({','.join('?' * len(chunk))})",
                tuple(chunk),
            ).fetchall()
        )
    last = len(listed) - 1
    for position in positions.tolist():
        at = time_of.get(int(listed[position]))
        before = time_of.get(int(listed[position - 1])) if position > 0 else None
        after = time_of.get(int(listed[position + 1])) if position < last else None
        if at is None or (before is not None and before < at) or (after is not None and at < after):
            return False
    return True


__all__ = ["ListingChange", "listing_change"]
