"""Geometry for the demo scenario: border lines cut into sections, sector polygons on one side
of the line, and seeded random points near the border or inside a sector.

Work is done in metres in UTM zone 35N (EPSG:32635), which covers the Evros and the
Bulgarian-Turkish border with little distortion, and converted back to lon/lat.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, mapping, shape
from shapely.ops import nearest_points, substring

from app.geometry_check import check_polygon_geojson

DATA_DIR = Path(__file__).resolve().parent.parent / "resources" / "data"
COUNTRIES_FILE = DATA_DIR / "ne_50m_admin0_countries.geojson"
LOCAL_CRS = "EPSG:32635"
_TO_LOCAL = Transformer.from_crs("EPSG:4326", LOCAL_CRS, always_xy=True)
_TO_LONLAT = Transformer.from_crs(LOCAL_CRS, "EPSG:4326", always_xy=True)
# How far from the line the demo's sides are worked out (its farthest incident: 15 km).
SIDE_DEPTH_M = 20_000.0


def to_local(geom: Any) -> Any:
    return shapely.transform(geom, _TO_LOCAL.transform, interleaved=False)


def to_lonlat(geom: Any) -> Any:
    return shapely.transform(geom, _TO_LONLAT.transform, interleaved=False)


@dataclass(frozen=True)
class Border:
    """A border line in local metres and which side of it (seen along the line) is whose.

    ``side_a`` is +1 if ``country_a`` lies on the left of the line's direction, -1 if on the
    right; found from a point known to be in ``country_a``, never assumed.
    """

    name: str
    country_a: str
    country_b: str
    line: LineString  # local metres
    side_a: int

    @property
    def length_m(self) -> float:
        return float(self.line.length)

    def side_of(self, country: str) -> int:
        return self.side_a if country == self.country_a else -self.side_a

    @cached_property
    def _sides(self) -> tuple[Any, Any]:
        """The ground on the line's left and on its right, up to SIDE_DEPTH_M from it. Inside a
        tight meander the two overlap: such ground is on neither side, for honesty's sake."""
        left = self.line.buffer(SIDE_DEPTH_M, single_sided=True)
        right = self.line.buffer(-SIDE_DEPTH_M, single_sided=True)
        both = left.intersection(right)
        return left.difference(both), right.difference(both)

    def side_area(self, country: str) -> Any:
        """The ground on ``country``'s side of this line (as the shipped line draws it)."""
        left, right = self._sides
        return left if self.side_of(country) > 0 else right

    def point_toward(
        self, distance_m: float, country: str, offset_m: float, clear_m: float = 40.0
    ) -> Point:
        """A point about ``offset_m`` off the line at ``distance_m``, on ``country``'s side.

        :meth:`point_at` goes square to the line's local direction, which at a tight meander
        can cross the line; the point is then pulled closer or moved along until it really
        lies on that side of the shipped line, at least ``clear_m`` from it.
        """
        side, area = self.side_of(country), self.side_area(country)
        for shrink in (1.0, 0.6, 0.35, 0.15):
            offset = offset_m * shrink
            for shift in (0.0, 200.0, -200.0, 500.0, -500.0, 1000.0, -1000.0):
                point = self.point_at(distance_m + shift, side * offset)
                clear = min(clear_m, offset / 2)
                if area.contains(point) and self.line.distance(point) >= clear:
                    return point
        # Nowhere square to the line near there: the nearest ground on the right side.
        wanted = self.point_at(distance_m, side * offset_m)
        return nearest_points(area.buffer(-clear_m), wanted)[0]

    def point_at(self, distance_m: float, offset_m: float) -> Point:
        """The point ``offset_m`` metres off the line (positive: left) at ``distance_m``."""
        distance_m = min(max(distance_m, 1.0), self.length_m - 1.0)
        here = self.line.interpolate(distance_m)
        ahead = self.line.interpolate(min(distance_m + 200.0, self.length_m))
        behind = self.line.interpolate(max(distance_m - 200.0, 0.0))
        dx, dy = ahead.x - behind.x, ahead.y - behind.y
        norm = (dx * dx + dy * dy) ** 0.5 or 1.0
        return Point(here.x - dy / norm * offset_m, here.y + dx / norm * offset_m)

    def section(self, start_m: float, end_m: float) -> LineString:
        return substring(self.line, start_m, end_m)


def load_border(file_name: str, inside_a: tuple[float, float]) -> Border:
    """Load a border extract and tell its sides apart with a point inside ``country_a``."""
    with (DATA_DIR / file_name).open(encoding="utf-8") as handle:
        feature = json.load(handle)["features"][0]
    props = feature["properties"]
    line = to_local(shape(feature["geometry"]))
    probe = to_local(Point(inside_a))
    left = line.buffer(60_000, single_sided=True)
    side_a = 1 if left.contains(probe) else -1
    return Border(props["name"], props["country_a_iso3"], props["country_b_iso3"], line, side_a)


def load_borders() -> dict[str, Border]:
    """The demo's two lines, keyed by the EU country whose side the sectors are on."""
    return {
        "GRC": load_border("greece_turkey_border.geojson", inside_a=(26.20, 41.10)),
        "BGR": load_border("bulgaria_turkey_border.geojson", inside_a=(26.90, 42.10)),
    }


@dataclass(frozen=True)
class SectorShape:
    """A sector's polygon, in local metres and as checked GeoJSON, and its stretch of line."""

    local: Polygon
    geojson: dict[str, Any]
    line: LineString  # the stretch of border it covers, local metres

    @cached_property
    def lonlat(self) -> Any:
        return shape(self.geojson)

    @property
    def centre_lonlat(self) -> tuple[float, float]:
        point = to_lonlat(self.local.representative_point())
        return point.x, point.y


def sector_shapes(
    border: Border, country: str, sections: int, depth_m: float, tolerance_m: float = 150.0
) -> list[SectorShape]:
    """Cut ``border`` into ``sections`` equal stretches; each a band ``depth_m`` deep on
    ``country``'s side, simplified, valid, in lon/lat."""
    side = border.side_of(country)
    step = border.length_m / sections
    shapes = []
    for index in range(sections):
        stretch = border.section(index * step, (index + 1) * step)
        band = stretch.buffer(side * depth_m, single_sided=True)
        # Simplifying can cut a corner over the line: keep the band on its own side, and off
        # a third country's land where the line ends at a tripoint.
        band = band.simplify(tolerance_m).intersection(border.side_area(country))
        third = [
            land
            for iso3, land in _countries_local().items()
            if iso3 not in (border.country_a, border.country_b) and land.intersects(band)
        ]
        if third:
            band = band.difference(shapely.union_all(third))
        band = shapely.make_valid(band)
        if band.geom_type != "Polygon":  # keep the main piece of a band pinched by a meander
            band = max(getattr(band, "geoms", [band]), key=lambda part: part.area)
        band = shapely.set_precision(to_lonlat(band), 1e-5)
        if band.geom_type != "Polygon":
            band = max(band.geoms, key=lambda part: part.area)
        geojson = check_polygon_geojson(mapping(band), "geometry")
        shapes.append(SectorShape(to_local(shape(geojson)), geojson, stretch))
    return shapes


@cache
def _countries_local() -> dict[str, Any]:
    """Natural Earth's 1:50m country polygons near the demo (ISO3 -> local metres)."""
    features = json.loads(COUNTRIES_FILE.read_text(encoding="utf-8"))["features"]
    near = shapely.box(20.0, 38.0, 32.0, 45.0)
    return {
        feature["properties"]["adm0_a3"]: to_local(shape(feature["geometry"]).intersection(near))
        for feature in features
        if shape(feature["geometry"]).intersects(near)
    }


def random_point_in(polygon: Polygon, rng: random.Random, tries: int = 200) -> Point:
    """A uniformly placed point inside ``polygon`` (rejection sampling on its bounds)."""
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(tries):
        candidate = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if polygon.contains(candidate):
            return candidate
    return polygon.representative_point()


def step_inside(polygon: Polygon, x: float, y: float, rng: random.Random, step_m: float) -> Point:
    """A point about ``step_m`` from (x, y), still inside ``polygon`` (drifting to its middle
    when a step would leave it)."""
    for _ in range(12):
        candidate = Point(x + rng.uniform(-step_m, step_m), y + rng.uniform(-step_m, step_m))
        if polygon.contains(candidate):
            return candidate
    middle = polygon.representative_point()
    candidate = Point(x + (middle.x - x) * 0.3, y + (middle.y - y) * 0.3)
    return candidate if polygon.contains(candidate) else middle


def bounds_lonlat(geoms: list[Any], margin_deg: float = 0.1) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = (float(value) for value in shapely.total_bounds(geoms))
    return (
        round(minx - margin_deg, 3),
        round(miny - margin_deg, 3),
        round(maxx + margin_deg, 3),
        round(maxy + margin_deg, 3),
    )
