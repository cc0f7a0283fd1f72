"""Alert rules: what deserves an operator's attention the moment it happens.

- A **new incident near the line**: within ``border_km`` of the border (geodesic).
- A **new incident in a hot sector**: a sector whose impact level is one of ``sector_levels``.
- A **patrol outside its sector**: its last position is more than ``patrol_margin_km`` outside
  the polygon of its assigned sector. Raised when it leaves (or is first seen outside), not
  again while it stays out; raised again after it came back and left once more.

The rules only decide; they hold no store and no Qt. Incidents are screened in bulk (numpy)
so a partner's catch-up of 100k costs milliseconds, and many alerts at once are folded into
one summary (:data:`MAX_SINGLE_ALERTS`): a flood of alerts is no alert at all.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Geod
from shapely.geometry import shape

from app.domain import Incident, Patrol, Sector
from app.settings import AlertSettings
from app.values import ImpactLevel
from maps.jurisdiction import Placement, Placements

MAX_SINGLE_ALERTS = 20

NEAR_BORDER = "near_border"
HOT_SECTOR = "hot_sector"
PATROL_OUTSIDE = "patrol_outside_sector"
SUMMARY = "summary"

_GEOD = Geod(ellps="WGS84")
_ids = itertools.count(1)


@dataclass(frozen=True)
class Alert:
    kind: str  # NEAR_BORDER, HOT_SECTOR, PATROL_OUTSIDE or SUMMARY
    text: str
    record_kind: str = ""  # "incident" or "patrol"; "" for a summary
    record_id: str = ""
    lon: float | None = None
    lat: float | None = None
    raised_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    number: int = field(default_factory=lambda: next(_ids))


class AlertRules:
    def __init__(self, settings: AlertSettings) -> None:
        self.settings = settings
        self._patrol_outside: dict[str, bool] = {}

    # -- incidents -----------------------------------------------------------------------------

    def screen_incidents(
        self,
        placements: Placements,
        sector_levels: Mapping[str, ImpactLevel],
    ) -> NDArray[np.bool_]:
        """Which of these (new) incidents' placements call for an alert; vectorized."""
        hits = np.zeros(len(placements), dtype=bool)
        if self.settings.near_border:
            hits |= placements.border_km <= self.settings.border_km
        hot = [sid for sid, level in sector_levels.items() if level in self._hot_levels]
        if hot:
            hits |= np.isin(placements.sector_id, np.asarray(hot, dtype=object))
        return hits

    def incident_alerts(
        self,
        incidents: Sequence[Incident],
        placements: Sequence[Placement],
        sectors: Mapping[str, Sector],
        total: int | None = None,
    ) -> list[Alert]:
        """Alerts for screened incidents; ``total`` screened hits when only some are given."""
        total = len(incidents) if total is None else total
        if total > MAX_SINGLE_ALERTS:
            return [
                Alert(
                    SUMMARY,
                    f"{total:,} new incidents near the border or in high-impact sectors at "
                    "once (a partner catching up?): see the timeline",
                )
            ]
        alerts = []
        for incident, placed in zip(incidents, placements, strict=True):
            reasons = []
            if self.settings.near_border and placed.border_km <= self.settings.border_km:
                reasons.append((NEAR_BORDER, f"{_km(placed.border_km)} from the border"))
            sector = sectors.get(placed.sector_id)
            if sector is not None and sector.impact in self._hot_levels:
                reasons.append((HOT_SECTOR, f"in {sector.name} ({sector.impact.value} impact)"))
            if not reasons:
                continue
            where = f"{placed.country} side" if placed.country else "at sea"
            alerts.append(
                Alert(
                    reasons[0][0],
                    f"New {incident.category.label.lower()}: {incident.title} — "
                    f"{', '.join(text for _, text in reasons)}, {where}",
                    "incident",
                    incident.id,
                    incident.lon,
                    incident.lat,
                )
            )
        return alerts

    @property
    def _hot_levels(self) -> set[ImpactLevel]:
        return {ImpactLevel(level) for level in self.settings.sector_levels}

    # -- patrols -------------------------------------------------------------------------------

    def patrol_alerts(
        self, patrols: Iterable[Patrol], sectors: Mapping[str, Sector]
    ) -> list[Alert]:
        """Patrols that have just left their sector (or are first seen outside it)."""
        if not self.settings.patrol_outside_sector:
            return []
        alerts = []
        for patrol in patrols:
            sector = sectors.get(patrol.sector_id)
            if patrol.deleted or patrol.lon is None or patrol.lat is None or sector is None:
                self._patrol_outside.pop(patrol.id, None)
                continue
            outside_km = _km_outside(shape(sector.geometry), patrol.lon, patrol.lat)
            outside = outside_km > self.settings.patrol_margin_km
            was_outside = self._patrol_outside.get(patrol.id, False)
            self._patrol_outside[patrol.id] = outside
            if outside and not was_outside:
                alerts.append(
                    Alert(
                        PATROL_OUTSIDE,
                        f"Patrol {patrol.call_sign} is {_km(outside_km)} outside its sector "
                        f"{sector.name}",
                        "patrol",
                        patrol.id,
                        patrol.lon,
                        patrol.lat,
                    )
                )
        return alerts


def _km_outside(polygon, lon: float, lat: float) -> float:
    """Geodesic km from a point to a polygon it is outside of; 0 inside."""
    point = shapely.Point(lon, lat)
    if polygon.contains(point):
        return 0.0
    nearest = shapely.shortest_line(point, polygon.boundary).coords[-1]
    _, _, metres = _GEOD.inv(lon, lat, nearest[0], nearest[1])
    return metres / 1000.0


def _km(km: float) -> str:
    return f"{km * 1000:.0f} m" if km < 1 else f"{km:.1f} km"
