"""Map projection (lon/lat to display coordinates) and geodesic measures on the WGS84 ellipsoid."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Geod, Transformer

GEOGRAPHIC = "EPSG:4326"
WEB_MERCATOR = "EPSG:3857"
# Web Mercator is square at this latitude; beyond it the projection runs off to infinity.
WEB_MERCATOR_MAX_LAT = 85.0511287798

# How far beyond a projected CRS's area of use geometry is still drawn, in degrees.
DRAWABLE_MARGIN_LON = 20.0
DRAWABLE_MARGIN_LAT = 10.0

_GEOD = Geod(ellps="WGS84")

Floats = NDArray[np.float64]


@lru_cache(maxsize=32)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _crs_code(crs: str | int) -> str:
    """``32635``, ``"epsg:32635"`` and ``"EPSG:32635"`` name the same CRS (one cache entry)."""
    if isinstance(crs, int):
        return f"EPSG:{crs}"
    text = crs.strip()
    if text.isdigit():
        return f"EPSG:{text}"
    if text.upper().startswith("EPSG:"):
        return "EPSG:" + text[5:].strip()
    return text


class Projection:
    """Projects lon/lat degrees to the display CRS (metres) and back, vectorized with numpy.

    ``bounds`` is the lon/lat box (lon_min, lat_min, lon_max, lat_max) outside which this
    projection folds or explodes (a UTM zone far from its meridian), so geometry is clipped to
    it before drawing; ``None`` for Web Mercator, which is drawable worldwide.
    """

    def __init__(self, crs: str | int = WEB_MERCATOR) -> None:
        self.crs = _crs_code(crs)
        parsed = CRS.from_user_input(self.crs)  # fails early, with pyproj's message, on a bad code
        self.name = parsed.name
        self.is_web_mercator = parsed.to_epsg() == 3857
        self.bounds = None if self.is_web_mercator else _drawable_bounds(parsed)

    @classmethod
    def utm_for(cls, lon: float, lat: float) -> Projection:
        """The UTM zone (WGS84) containing a point: true distances and angles over an operation."""
        zone = min(int((lon + 180.0) // 6.0) + 1, 60)
        return cls(f"EPSG:{(32600 if lat >= 0 else 32700) + zone}")

    def forward(self, lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
        """Display x, y (float64 arrays) of lon/lat degrees. NaN stays NaN."""
        lon_a = np.asarray(lon, dtype=np.float64)
        lat_a = np.asarray(lat, dtype=np.float64)
        if self.is_web_mercator:
            lat_a = np.clip(lat_a, -WEB_MERCATOR_MAX_LAT, WEB_MERCATOR_MAX_LAT)
        x, y = _transformer(GEOGRAPHIC, self.crs).transform(lon_a, lat_a)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def inverse(self, x: ArrayLike, y: ArrayLike) -> tuple[Floats, Floats]:
        """Lon/lat degrees (float64 arrays) of display coordinates."""
        x_a = np.asarray(x, dtype=np.float64)
        y_a = np.asarray(y, dtype=np.float64)
        lon, lat = _transformer(self.crs, GEOGRAPHIC).transform(x_a, y_a)
        return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)

    def forward_point(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.forward(lon, lat)
        return float(x), float(y)

    def inverse_point(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = self.inverse(x, y)
        return float(lon), float(lat)

    def __repr__(self) -> str:
        return f"Projection({self.crs!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Projection) and other.crs == self.crs

    def __hash__(self) -> int:
        return hash(self.crs)


def _drawable_bounds(crs: CRS) -> tuple[float, float, float, float] | None:
    """The CRS's area of use, widened so that neighbouring countries still show at its edges."""
    area = crs.area_of_use
    if area is None or crs.is_geographic:
        return None
    return (
        max(area.west - DRAWABLE_MARGIN_LON, -180.0),
        max(area.south - DRAWABLE_MARGIN_LAT, -90.0),
        min(area.east + DRAWABLE_MARGIN_LON, 180.0),
        min(area.north + DRAWABLE_MARGIN_LAT, 90.0),
    )


def geodesic_distance_km(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> float | Floats:
    """Distance on the WGS84 ellipsoid in kilometres (a float for scalars, else an array)."""
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return _scalar_or_array(np.asarray(metres, dtype=np.float64) / 1000.0)


def bearing_deg(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> float | Floats:
    """Initial bearing from point 1 to point 2, degrees clockwise from true north, in [0, 360)."""
    azimuth, _, _ = _GEOD.inv(lon1, lat1, lon2, lat2)
    return _scalar_or_array(np.mod(np.asarray(azimuth, dtype=np.float64), 360.0))


def _scalar_or_array(values: Floats) -> float | Floats:
    return float(values) if values.ndim == 0 else values
