"""A measured leg between two points: geodesic distance and bearings, and its drawable path."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import Geod

from maps.projection import bearing_deg, geodesic_distance_km

_GEOD = Geod(ellps="WGS84")
PATH_POINTS = 64  # a long leg is drawn as the curve it is on a flat map, not as a chord


@dataclass(frozen=True)
class Leg:
    start: tuple[float, float]  # lon, lat
    end: tuple[float, float]

    @property
    def km(self) -> float:
        return float(geodesic_distance_km(*self.start, *self.end))

    @property
    def bearing(self) -> float:
        """Initial bearing from start to end, degrees clockwise from true north."""
        return float(bearing_deg(*self.start, *self.end))

    def text(self) -> str:
        km = self.km
        distance = f"{km * 1000:.0f} m" if km < 1 else f"{km:.2f} km"
        return f"{distance} · bearing {self.bearing:05.1f}° (true)"

    def path(self) -> tuple[np.ndarray, np.ndarray]:
        """Lon, lat along the geodesic, end points included."""
        between = _GEOD.npts(*self.start, *self.end, PATH_POINTS)
        lon = np.array([self.start[0], *(p[0] for p in between), self.end[0]])
        lat = np.array([self.start[1], *(p[1] for p in between), self.end[1]])
        return lon, lat
