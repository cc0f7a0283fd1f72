"""Every incident's placement (country, sector, km to the border, side), kept by incident id.

Columns, not one object per incident: 100k incidents are five arrays and a dict of row numbers.
Rows of removed incidents stay as unused space until the next :meth:`PlacementTable.replace`
(incidents are rarely deleted, so this costs little and keeps every update O(changed)).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from maps.jurisdiction import Placement, Placements

_COLUMNS = ("country", "sector_id", "border_km", "border_id", "across")


class PlacementTable:
    def __init__(self) -> None:
        self._row: dict[str, int] = {}
        self._used = 0
        self._columns = _empty(0)

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, incident_id: object) -> bool:
        return incident_id in self._row

    def get(self, incident_id: str) -> Placement | None:
        row = self._row.get(incident_id)
        return None if row is None else self._columns[row]

    def subset(self, ids: Sequence[str]) -> Placements:
        """Placements of ``ids`` in their order, as arrays; unknown ids get empty values."""
        rows = np.fromiter((self._row.get(i, -1) for i in ids), dtype=np.int64, count=len(ids))
        known = rows >= 0
        picked = _empty(len(ids))
        for name in _COLUMNS:
            getattr(picked, name)[known] = getattr(self._columns, name)[rows[known]]
        return picked

    def replace(self, ids: Sequence[str], placements: Placements) -> None:
        """Everything anew (all incidents located again, e.g. after the sectors changed)."""
        self._row.clear()
        self._used = 0
        self._columns = _empty(len(ids))
        self.update(ids, placements)

    def update(self, ids: Sequence[str], placements: Placements) -> None:
        ids = list(ids)
        if len(ids) != len(placements):
            raise ValueError("ids and placements differ in length")
        rows = np.fromiter(
            (self._row.get(incident_id, -1) for incident_id in ids), dtype=np.int64, count=len(ids)
        )
        new = rows < 0
        count = int(new.sum())
        self._reserve(self._used + count)
        rows[new] = np.arange(self._used, self._used + count)
        self._used += count
        for name in _COLUMNS:
            getattr(self._columns, name)[rows] = getattr(placements, name)
        self._row.update(zip(ids, rows.tolist(), strict=True))

    def remove(self, ids: Iterable[str]) -> None:
        for incident_id in ids:
            self._row.pop(incident_id, None)

    def _reserve(self, size: int) -> None:
        capacity = len(self._columns)
        if size <= capacity:
            return
        grown = _empty(max(size, 2 * capacity, 1024))
        for name in _COLUMNS:
            getattr(grown, name)[:capacity] = getattr(self._columns, name)
        self._columns = grown


def _empty(size: int) -> Placements:
    return Placements(
        country=np.full(size, "", dtype=object),
        sector_id=np.full(size, "", dtype=object),
        border_km=np.full(size, np.nan),
        border_id=np.full(size, "", dtype=object),
        across=np.full(size, "", dtype=object),
    )
