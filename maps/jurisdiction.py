"""Whose territory a place is in: its country, its sector, and how far it is from the border.

For many points at once (100k incidents in well under a second), with shapely 2 STRtrees:

- **Country**: the Natural Earth country polygon containing the point. Within
  :data:`SIDE_TRUSTED_KM` of a border line, the side of that line decides instead: the 10m lines
  are finer than the 50m polygons, so near the line they are the better witness.
- **Sector**: the sector polygon containing the point (the first by name where they overlap).
- **Distance to the border**: geodesic kilometres on the WGS84 ellipsoid to the nearest border
  segment, never degrees. An STRtree over the lines' *segments* in Web Mercator finds the
  nearest segment (Mercator is conformal, so near a point it ranks distances as the ground
  does); the closest point on it is then measured with :class:`pyproj.Geod`.
- **Side**: which country lies across that nearest line (``across``).

No Qt here; the incident form and the details panel call :meth:`Jurisdiction.locate_point`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod
from shapely.geometry import shape

from app.domain import BorderLine, Sector
from maps.geography import Country
from maps.projection import WEB_MERCATOR, Projection

# Within this distance of a border line, the side of the line says which country a point is in.
SIDE_TRUSTED_KM = 5.0
# How far to the left of each segment the side of a line is checked against the polygons.
SIDE_PROBE_KM = 3.0

_GEOD = Geod(ellps="WGS84")
# Segments are searched in Web Mercator: it is conformal, so locally the nearest segment there is
# the nearest on the ground (its scale changes only with latitude: under 1.5% over 100 km).
_MERCATOR = Projection(WEB_MERCATOR)

Objects = NDArray[np.object_]
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Placement:
    """Where one point lies. Empty strings mean none (at sea, outside every sector)."""

    country: str
    sector_id: str
    border_km: float  # geodesic distance to the nearest border line; NaN without lines
    border_id: str  # that line's id
    across: str  # the country on the other side of that line


@dataclass(frozen=True)
class Placements:
    """:class:`Placement` of many points, as parallel arrays."""

    country: Objects
    sector_id: Objects
    border_km: Floats
    border_id: Objects
    across: Objects

    def __len__(self) -> int:
        return len(self.country)

    def __getitem__(self, index: int) -> Placement:
        return Placement(
            str(self.country[index]),
            str(self.sector_id[index]),
            float(self.border_km[index]),
            str(self.border_id[index]),
            str(self.across[index]),
        )


class Jurisdiction:
    """Countries, border lines and sectors, indexed for fast point location.

    Building costs a fraction of a second for the shipped world data; build once, then swap in
    new sectors with :meth:`with_sectors` (the country and line indexes are reused).
    """

    def __init__(
        self,
        countries: Sequence[Country],
        lines: Sequence[BorderLine],
        sectors: Iterable[Sector] = (),
    ) -> None:
        self._country_codes = np.array([c.adm0_a3 for c in countries] + [""], dtype=object)
        self._country_tree = _prepared_tree([c.geometry for c in countries])
        self._build_segments(lines)
        self._orient_lines()
        self._set_sectors(sectors)

    def with_sectors(self, sectors: Iterable[Sector]) -> Jurisdiction:
        """The same countries and lines with other sectors (a new object: safe across threads)."""
        clone = object.__new__(Jurisdiction)
        clone.__dict__.update(self.__dict__)
        clone._set_sectors(sectors)
        return clone

    # -- the answer --------------------------------------------------------------------------

    def locate(self, lons: ArrayLike, lats: ArrayLike) -> Placements:
        lon = np.asarray(lons, dtype=np.float64).reshape(-1)
        lat = np.asarray(lats, dtype=np.float64).reshape(-1)
        if lon.shape != lat.shape:
            raise ValueError("lons and lats differ in length")
        country = self._country_of(lon, lat)
        sector = self._sector_of(lon, lat)
        km, segment, left = self._nearest_border(lon, lat)
        border_id = np.full(len(lon), "", dtype=object)
        across = np.full(len(lon), "", dtype=object)
        found = segment >= 0
        if found.any():
            line = self._segment_line[segment[found]]
            here = np.where(left[found], self._left[line], self._right[line])
            there = np.where(left[found], self._right[line], self._left[line])
            border_id[found] = self._line_ids[line]
            across[found] = there
            near = np.flatnonzero(found)[km[found] <= SIDE_TRUSTED_KM]
            country[near] = here[km[found] <= SIDE_TRUSTED_KM]
        return Placements(country, sector, km, border_id, across)

    def locate_point(self, lon: float, lat: float) -> Placement:
        return self.locate([lon], [lat])[0]

    # -- countries and sectors -----------------------------------------------------------------

    def _country_of(self, lon: Floats, lat: Floats) -> Objects:
        index = _first_containing(self._country_tree, lon, lat, len(self._country_codes) - 1)
        return self._country_codes[index]

    def _set_sectors(self, sectors: Iterable[Sector]) -> None:
        live = [sector for sector in sectors if not sector.deleted]
        self._sector_ids = np.array([s.id for s in live] + [""], dtype=object)
        self._sector_tree = _prepared_tree([shape(s.geometry) for s in live])

    def _sector_of(self, lon: Floats, lat: Floats) -> Objects:
        index = _first_containing(self._sector_tree, lon, lat, len(self._sector_ids) - 1)
        return self._sector_ids[index]

    # -- border lines --------------------------------------------------------------------------

    def _build_segments(self, lines: Sequence[BorderLine]) -> None:
        starts, ends, owner = [], [], []
        for number, line in enumerate(lines):
            for path in line.coordinates:
                coords = np.asarray(path, dtype=np.float64).reshape(-1, 2)
                if len(coords) < 2:
                    continue
                starts.append(coords[:-1])
                ends.append(coords[1:])
                owner.append(np.full(len(coords) - 1, number))
        self._line_ids = np.array([line.id for line in lines], dtype=object)
        self._left = np.array([line.country_a for line in lines], dtype=object)
        self._right = np.array([line.country_b for line in lines], dtype=object)
        if starts:
            self._a = np.concatenate(starts)
            self._b = np.concatenate(ends)
            self._segment_line = np.concatenate(owner)
        else:
            self._a = self._b = np.empty((0, 2))
            self._segment_line = np.empty(0, dtype=int)
        self._previous, self._next = _neighbours(self._a, self._b, self._segment_line)
        self._a_xy = np.stack(_MERCATOR.forward(self._a[:, 0], self._a[:, 1]), 1)
        self._b_xy = np.stack(_MERCATOR.forward(self._b[:, 0], self._b[:, 1]), 1)
        self._segment_tree = shapely.STRtree(
            shapely.linestrings(np.stack([self._a_xy, self._b_xy], 1))
        )

    def _orient_lines(self) -> None:
        """Make ``country_a`` the country on each line's left, checked against the polygons.

        Natural Earth names the left country first, but other files (ours: country_a/country_b)
        promise no order; a point a few km left of every segment settles it by majority.
        """
        if not len(self._a):
            return
        ab = self._b_xy - self._a_xy
        length = np.hypot(ab[:, 0], ab[:, 1])
        usable = length > 0
        mid = (self._a_xy + self._b_xy) / 2
        lat = (self._a[:, 1] + self._b[:, 1]) / 2
        # Mercator stretches by 1/cos(latitude): a probe SIDE_PROBE_KM away on the ground.
        step = SIDE_PROBE_KM * 1000.0 / np.cos(np.radians(lat)) / np.where(usable, length, 1)
        probe_lon, probe_lat = _MERCATOR.inverse(
            mid[:, 0] - ab[:, 1] * step, mid[:, 1] + ab[:, 0] * step
        )
        found = self._country_of(probe_lon, probe_lat)
        owner = self._segment_line
        lines = len(self._left)
        votes_a = np.bincount(owner[usable & (found == self._left[owner])], minlength=lines)
        votes_b = np.bincount(owner[usable & (found == self._right[owner])], minlength=lines)
        swap = votes_b > votes_a
        self._left, self._right = (
            np.where(swap, self._right, self._left),
            np.where(swap, self._left, self._right),
        )

    def _nearest_border(
        self, lon: Floats, lat: Floats
    ) -> tuple[Floats, NDArray[np.int64], NDArray[np.bool_]]:
        """Per point: km to the nearest segment, its index (-1: none), whether on its left."""
        count = len(lon)
        km = np.full(count, np.nan)
        best = np.full(count, -1, dtype=np.int64)
        left = np.zeros(count, dtype=bool)
        if not len(self._a) or not count:
            return km, best, left
        x, y = _MERCATOR.forward(lon, lat)
        (point, segment) = self._segment_tree.query_nearest(shapely.points(x, y))
        first = np.r_[True, np.diff(point) != 0]  # ties: several rows, all equally near
        point, segment = point[first], segment[first]
        here = np.stack([x[point], y[point]], 1)
        a, b = self._a_xy[segment], self._b_xy[segment]
        t = _fraction_along(here, a, b)
        # The closest point in lon/lat: segments are short, so interpolating degrees is exact
        # to well under a metre.
        a_deg, b_deg = self._a[segment], self._b[segment]
        closest = a_deg + t[:, None] * (b_deg - a_deg)
        _, _, metres = _GEOD.inv(lon[point], lat[point], closest[:, 0], closest[:, 1])
        km[point] = np.asarray(metres) / 1000.0
        best[point] = segment
        left[point] = self._left_of(here, segment, t)
        return km, best, left

    def _left_of(self, here: Floats, segment: NDArray[np.int64], t: Floats) -> NDArray[np.bool_]:
        """Whether each point lies left of the line, near its nearest segment.

        Where the nearest point is a vertex the segment shares with its neighbour (at a bend,
        every point beyond the outer corner), one segment alone can say the wrong side: there
        the corner decides. Turning left, the left side is the inside of the corner (left of
        both segments); turning right, it is the outside (left of either).
        """
        a, b = self._a_xy[segment], self._b_xy[segment]
        left = _cross(b - a, here - a) > 0
        for at_vertex, neighbour, starts_there in (
            (t <= 0.0, self._previous, True),
            (t >= 1.0, self._next, False),
        ):
            rows = np.flatnonzero(at_vertex & (neighbour[segment] >= 0))
            if not len(rows):
                continue
            seg, other = segment[rows], neighbour[segment[rows]]
            incoming, outgoing = (other, seg) if starts_there else (seg, other)
            a1, v, b2 = self._a_xy[incoming], self._b_xy[incoming], self._b_xy[outgoing]
            p = here[rows]
            left_1 = _cross(v - a1, p - a1) > 0
            left_2 = _cross(b2 - v, p - v) > 0
            turns_left = _cross(v - a1, b2 - v) > 0
            left[rows] = np.where(turns_left, left_1 & left_2, left_1 | left_2)
        return left


def _first_containing(
    tree: shapely.STRtree, lon: Floats, lat: Floats, none: int
) -> NDArray[np.int64]:
    """Index of the first tree polygon containing each point; ``none`` where none does.

    The tree answers by bounding box only; each polygon it names then tests its candidates at
    once with ``contains_xy`` (prepared), far faster than a per-pair predicate.
    """
    index = np.full(len(lon), none, dtype=np.int64)
    if not len(lon) or none == 0:
        return index
    point, found = tree.query(shapely.points(lon, lat))
    if not len(found):
        return index
    order = np.argsort(found, kind="stable")
    point, found = point[order], found[order]
    bounds = np.flatnonzero(np.r_[True, np.diff(found) != 0, True])
    for start, end in reversed(list(itertools.pairwise(bounds))):  # the first polygon wins
        candidates = point[start:end]
        inside = shapely.contains_xy(
            tree.geometries[found[start]], lon[candidates], lat[candidates]
        )
        index[candidates[inside]] = found[start]
    return index


def _prepared_tree(polygons: list) -> shapely.STRtree:
    shapely.prepare(polygons)
    return shapely.STRtree(polygons)


def _neighbours(
    a: Floats, b: Floats, line: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per segment, the segment of the same line that ends where it starts (previous) and the
    one that starts where it ends (next); -1 where none does. Paths of a line may be stored
    in any order, so they are matched by their shared vertex, not by position."""
    count = len(a)
    keys = np.concatenate([np.column_stack([line, a]), np.column_stack([line, b])])
    _, vertex = np.unique(keys, axis=0, return_inverse=True)
    vertex = vertex.reshape(-1)
    start, end = vertex[:count], vertex[count:]
    starting_at = np.full(int(vertex.max(initial=-1)) + 1, -1, dtype=np.int64)
    ending_at = starting_at.copy()
    starting_at[start] = np.arange(count)
    ending_at[end] = np.arange(count)
    previous, following = ending_at[start], starting_at[end]
    return previous, following


def _cross(u: Floats, v: Floats) -> Floats:
    return u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]


def _fraction_along(p: Floats, a: Floats, b: Floats) -> Floats:
    """Where along each segment a-b (0..1) its point closest to p lies."""
    ab, ap = b - a, p - a
    length2 = np.einsum("ij,ij->i", ab, ab)
    dot = np.einsum("ij,ij->i", ap, ab)
    return np.clip(np.divide(dot, length2, out=np.zeros_like(dot), where=length2 > 0), 0.0, 1.0)
