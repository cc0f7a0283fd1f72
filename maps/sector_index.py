"""Which sector is under a point, and what an operator should read about it on hover."""

from __future__ import annotations

from collections.abc import Iterable

import shapely
from shapely.geometry import shape

from app.domain import LevelChange, Sector

HISTORY_LINES = 8  # the latest changes; older ones are in the sector's audit trail


class SectorIndex:
    def __init__(self, sectors: Iterable[Sector] = ()) -> None:
        self.sectors = [sector for sector in sectors if not sector.deleted]
        geometries = [shape(sector.geometry) for sector in self.sectors]
        shapely.prepare(geometries)
        self._tree = shapely.STRtree(geometries)
        self._geometries = geometries

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(lon_min, lat_min, lon_max, lat_max) of every sector together; None without any."""
        if not self._geometries:
            return None
        lon_min, lat_min, lon_max, lat_max = shapely.total_bounds(self._geometries).tolist()
        return lon_min, lat_min, lon_max, lat_max

    def at(self, lon: float, lat: float) -> Sector | None:
        """The sector containing the point (the highest impact where sectors overlap)."""
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        found = [self.sectors[i] for i in hits.tolist()]
        return max(found, key=lambda s: s.impact.rank, default=None)


def sector_summary(sector: Sector, history: Iterable[LevelChange]) -> str:
    """Name, owner and level, then the latest level changes (newest first) with who and when."""
    lines = [
        f"{sector.name} — {sector.country}{' · ' + sector.agency if sector.agency else ''}",
        f"Impact level: {sector.impact.value}",
    ]
    changes = list(history)
    if changes:
        lines.append("Level changes (UTC):")
        for change in reversed(changes[-HISTORY_LINES:]):
            who = f"{change.center}/{change.author}" if change.author else change.center
            lines.append(f"  {change.at:%d %b %H:%M}Z  {change.level.value:<8} by {who}")
        if len(changes) > HISTORY_LINES:
            lines.append(f"  … {len(changes) - HISTORY_LINES} earlier")
    return "\n".join(lines)
