"""Jurisdiction against real places on the shipped Natural Earth borders, and a brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from pyproj import Geod

from app.domain import Sector
from app.values import ImpactLevel
from maps.geography import default_resources, load_border_lines, load_countries
from maps.jurisdiction import Jurisdiction

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def world_lines():
    return load_border_lines(default_resources().world_borders)


@pytest.fixture(scope="module")
def jurisdiction(world_lines):
    return Jurisdiction(load_countries(default_resources().countries), world_lines)


def _sector(sector_id: str, box: tuple[float, float, float, float]) -> Sector:
    lon0, lat0, lon1, lat1 = box
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return Sector(
        id=sector_id, name=sector_id, country="GRC", agency="HP", impact=ImpactLevel.HIGH,
        geometry={"type": "Polygon", "coordinates": [ring]},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("place", "lon", "lat", "country", "across", "km_range"),
    [
        ("Edirne", 26.555, 41.677, "TUR", "GRC", (4, 9)),
        ("Orestiada", 26.531, 41.503, "GRC", "TUR", (4, 9)),
        ("Svilengrad", 26.199, 41.766, "BGR", "GRC", (1, 4)),
        ("Kapitan Andreevo crossing", 26.32, 41.72, "BGR", "TUR", (0, 1.5)),
        ("Alexandroupoli", 25.874, 40.847, "GRC", "TUR", (15, 25)),
    ],
)
def test_known_places(jurisdiction, place, lon, lat, country, across, km_range):
    placed = jurisdiction.locate_point(lon, lat)
    assert placed.country == country, place
    assert placed.across == across, place
    assert km_range[0] <= placed.border_km <= km_range[1], (place, placed.border_km)


def test_kastanies_crossing_is_on_the_greece_turkey_line(jurisdiction, world_lines):
    # The village sits on the Evros; at Natural Earth's scale it lies on the line itself, so
    # only the distance and the line are asserted, not the side.
    placed = jurisdiction.locate_point(26.4814, 41.6472)
    line = next(line for line in world_lines if line.id == placed.border_id)
    assert {line.country_a, line.country_b} == {"GRC", "TUR"}
    assert placed.border_km < 1.5


def test_a_point_a_known_distance_from_the_evros_line(jurisdiction, world_lines):
    line = next(ln for ln in world_lines if {ln.country_a, ln.country_b} == {"GRC", "TUR"})
    path = np.asarray(max(line.coordinates, key=len))
    lengths = [GEOD.inv(*path[i], *path[i + 1])[2] for i in range(len(path) - 1)]
    i = int(np.argmax(lengths))  # the longest straight stretch: the foot lands mid-segment
    (lon0, lat0), (lon1, lat1) = path[i], path[i + 1]
    azimuth, _, half = GEOD.inv(lon0, lat0, lon1, lat1)
    mid_lon, mid_lat, _ = GEOD.fwd(lon0, lat0, azimuth, half / 2)
    for side in (90, -90):
        lon, lat, _ = GEOD.fwd(mid_lon, mid_lat, azimuth + side, 300.0)  # 300 m off the line
        placed = jurisdiction.locate_point(lon, lat)
        assert placed.border_km == pytest.approx(0.3, abs=0.01)
    left = jurisdiction.locate_point(*GEOD.fwd(mid_lon, mid_lat, azimuth - 90, 300.0)[:2])
    right = jurisdiction.locate_point(*GEOD.fwd(mid_lon, mid_lat, azimuth + 90, 300.0)[:2])
    assert {left.country, right.country} == {"GRC", "TUR"}  # one on each side
    assert left.across == right.country


def test_distances_match_a_brute_force_over_the_densified_lines(jurisdiction, world_lines):
    dense = []
    for line in world_lines:
        for path in line.coordinates:
            if not any(24.0 < lon < 29.0 and 39.5 < lat < 43.5 for lon, lat in path):
                continue
            for (lon0, lat0), (lon1, lat1) in itertools.pairwise(path):
                steps = max(int(GEOD.inv(lon0, lat0, lon1, lat1)[2] // 25), 1)
                dense.append((lon0, lat0))
                if steps > 1:
                    dense.extend(GEOD.npts(lon0, lat0, lon1, lat1, steps - 1))
                dense.append((lon1, lat1))
    dense = np.asarray(dense)
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(26.0, 26.8, 60), rng.uniform(41.0, 42.0, 60)
    placed = jurisdiction.locate(lon, lat)
    for k in range(len(lon)):
        _, _, metres = GEOD.inv(np.full(len(dense), lon[k]), np.full(len(dense), lat[k]),
                                dense[:, 0], dense[:, 1])  # fmt: skip
        assert placed.border_km[k] == pytest.approx(metres.min() / 1000, rel=0.01, abs=0.03)


def test_sectors_are_found_and_can_be_swapped(jurisdiction):
    with_sectors = jurisdiction.with_sectors(
        [_sector("north", (26.4, 41.55, 26.7, 41.8)), _sector("south", (26.0, 40.8, 26.4, 41.2))]
    )
    placed = with_sectors.locate([26.555, 26.2, 25.0], [41.677, 41.0, 42.0])
    assert list(placed.sector_id) == ["north", "south", ""]
    assert jurisdiction.locate_point(26.555, 41.677).sector_id == ""  # the original is unchanged
    assert with_sectors.locate_point(25.3, 41.1).sector_id == ""  # alone, in no sector


def test_at_sea_there_is_no_country_but_a_distance(jurisdiction):
    placed = jurisdiction.locate_point(25.0, 39.0)  # the Aegean
    assert placed.country == ""
    assert placed.border_km > 100


def test_side_is_taken_from_geometry_not_from_the_order_of_properties(world_lines):
    countries = load_countries(default_resources().countries)
    flipped = [
        type(line)(line.id, line.name, line.country_b, line.country_a, line.coordinates)
        for line in world_lines
    ]
    placed = Jurisdiction(countries, flipped).locate_point(26.555, 41.677)
    assert (placed.country, placed.across) == ("TUR", "GRC")


def test_empty_input_and_mismatched_lengths(jurisdiction):
    assert len(jurisdiction.locate([], [])) == 0
    with pytest.raises(ValueError, match="differ in length"):
        jurisdiction.locate([1.0, 2.0], [1.0])


def test_beyond_the_outer_corner_of_a_bend_the_corner_decides_the_side(jurisdiction, world_lines):
    # Near Feres the Evros bends sharply; this point's nearest point on the line is the vertex
    # of the bend, where the segment listed first alone would put it in Türkiye.
    placed = jurisdiction.locate_point(26.22951, 40.90213)
    assert (placed.country, placed.across) == ("GRC", "TUR")
    # Around every bend of the Greek-Turkish line, 150 m to 2 km out: the side is the one the
    # line's own two sides (single-sided buffers in metres) say, wherever they do not overlap.
    import shapely
    from pyproj import Transformer
    from shapely.geometry import MultiLineString

    line = next(ln for ln in world_lines if {ln.country_a, ln.country_b} == {"GRC", "TUR"})
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True)
    to_deg = Transformer.from_crs("EPSG:32635", "EPSG:4326", always_xy=True)
    local = shapely.transform(MultiLineString(line.coordinates), to_m.transform, interleaved=False)
    parts = list(local.geoms)
    left = shapely.union_all([part.buffer(3000, single_sided=True) for part in parts])
    right = shapely.union_all([part.buffer(-3000, single_sided=True) for part in parts])
    vertices = shapely.get_coordinates(local)
    rng = np.random.default_rng(4)
    angle = rng.uniform(0, 2 * np.pi, len(vertices) * 6)
    radius = rng.uniform(150, 2000, len(angle))
    x = np.repeat(vertices[:, 0], 6) + radius * np.cos(angle)
    y = np.repeat(vertices[:, 1], 6) + radius * np.sin(angle)
    points = shapely.points(x, y)
    only_left = shapely.contains(left, points) & ~shapely.contains(right, points)
    only_right = shapely.contains(right, points) & ~shapely.contains(left, points)
    lon, lat = to_deg.transform(x, y)
    placed = jurisdiction.locate(lon, lat)
    orestiada = shapely.Point(to_m.transform(26.531, 41.503))
    greek_left = left.contains(orestiada)
    greek = only_left if greek_left else only_right
    turkish = only_right if greek_left else only_left
    assert greek.sum() > 200
    assert turkish.sum() > 200
    assert (placed.country[greek] == "GRC").all()
    assert (placed.country[turkish] == "TUR").all()
