"""Sending a patrol to an incident: the nearest available patrols first.

Distances are geodesic (WGS84 ellipsoid, kilometres) from the patrol's last reported position.
A patrol is proposed when its status is one of ``statuses`` (by default: available), its shift
covers ``now`` and its position is known. The incident details call
:func:`nearest_patrols`; the commander's view uses the same ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from pyproj import Geod
from sqlalchemy import Connection

from app import values as v
from app.domain import Patrol
from app.store import queries as q

_GEOD = Geod(ellps="WGS84")
DISPATCHABLE = (v.PatrolStatus.AVAILABLE,)


@dataclass(frozen=True)
class Candidate:
    patrol: Patrol
    distance_km: float
    bearing_deg: float  # from the patrol towards the incident, clockwise from true north


def rank_patrols(
    patrols: Iterable[Patrol],
    lon: float,
    lat: float,
    n: int,
    *,
    now: datetime | None = None,
    statuses: Sequence[v.PatrolStatus] = DISPATCHABLE,
) -> list[Candidate]:
    """The ``n`` nearest eligible patrols to (lon, lat), nearest first (ties by call sign)."""
    lon, lat = v.check_lon(lon), v.check_lat(lat)
    now = now or datetime.now(UTC)
    eligible = [
        p
        for p in patrols
        if p.status in statuses
        and p.shift_start <= now < p.shift_end
        and p.lon is not None
        and p.lat is not None
        and not p.deleted
    ]
    if not eligible or n <= 0:
        return []
    lons = np.array([p.lon for p in eligible], dtype=np.float64)
    lats = np.array([p.lat for p in eligible], dtype=np.float64)
    azimuth, _, metres = _GEOD.inv(lons, lats, np.full_like(lons, lon), np.full_like(lats, lat))
    km = np.asarray(metres) / 1000.0
    order = sorted(range(len(eligible)), key=lambda i: (km[i], eligible[i].call_sign))[:n]
    return [Candidate(eligible[i], float(km[i]), float(np.mod(azimuth[i], 360.0))) for i in order]


def nearest_patrols(
    connection: Connection,
    lon: float,
    lat: float,
    n: int = 3,
    *,
    now: datetime | None = None,
    statuses: Sequence[v.PatrolStatus] = DISPATCHABLE,
) -> list[Candidate]:
    """The ``n`` nearest available patrols on shift to an incident at (lon, lat), from the store."""
    return rank_patrols(q.patrols(connection), lon, lat, n, now=now, statuses=statuses)
