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
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection

from app.incident_filter import IncidentFilter, compile_filter

ID_CHUNK = 500  # ids per IN (...): well under SQLite's parameter limit


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
    compiled = compile_filter(connection, criteria)
    found: list[Any] = []
    for chunk in _chunks(sorted(ids)):
        found += connection.exec_driver_sql(
            f"SELECT rowid, occurred_at, CASE WHEN {compiled.where} THEN 1 ELSE 0 END, lon, lat "
            f"FROM incidents WHERE id IN ({','.join('?' * len(chunk))})",
            (*compiled.params, *chunk),
        ).fetchall()
    nothing = ListingChange(np.empty(0, dtype=np.int64), False)
    if not found:
        return nothing
    rowids = np.fromiter((r[0] for r in found), dtype=np.int64, count=len(found))
    matching = np.fromiter((bool(r[2]) for r in found), dtype=bool, count=len(found))
    if compiled.area is not None and matching.any():
        lon = np.array([np.nan if r[3] is None else r[3] for r in found], dtype=float)
        lat = np.array([np.nan if r[4] is None else r[4] for r in found], dtype=float)
        matching &= shapely.intersects_xy(compiled.area, lon, lat)
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
