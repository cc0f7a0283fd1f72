"""The geo models (no Qt): shipped data, NaN-joined arrays, projection, geodesy, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from app.errors import LimesError
from maps.geography import (
    ZOOM_BANDS,
    band_for,
    border_between,
    border_paths,
    default_resources,
    lines_to_nan_xy,
    load_border_lines,
    load_countries,
    polygons_to_nan_xy,
    simplify_lines,
)
from maps.geojson import load_features
from maps.projection import (
    WEB_MERCATOR_MAX_LAT,
    Projection,
    bearing_deg,
    geodesic_distance_km,
)

ATHENS = (23.7275, 37.9838)
ISTANBUL = (28.9784, 41.0082)

RESOURCES = default_resources()


@pytest.fixture(scope="module")
def world_lines():
    return load_border_lines(RESOURCES.world_borders)


# -- shipped data ---------------------------------------------------------------------------


def test_shipped_countries_load_with_codes_and_polygons():
    countries = load_countries(RESOURCES.countries)
    assert len(countries) == 241
    by_code = {country.adm0_a3: country for country in countries}
    assert by_code["GRC"].name == "Greece"
    assert by_code["TUR"].name == "Turkey"
    assert all(c.geometry.geom_type in ("Polygon", "MultiPolygon") for c in countries)


def test_shipped_world_borders_name_two_countries_each(world_lines):
    assert len(world_lines) == 461
    assert all(len(line.country_a) == 3 and len(line.country_b) == 3 for line in world_lines)
    assert all(line.coordinates and all(len(path) >= 2 for path in line.coordinates)
               for line in world_lines)  # fmt: skip
    assert len({line.id for line in world_lines}) == len(world_lines)
    assert len(border_between(world_lines, "GRC", "TUR")) == 1


@pytest.mark.parametrize(
    ("path", "countries"),
    [
        (RESOURCES.greece_turkey_border, ("GRC", "TUR")),
        (RESOURCES.bulgaria_turkey_border, ("BGR", "TUR")),
    ],
)
def test_operation_borders_separate_the_right_countries(path, countries):
    (line,) = load_border_lines(path)
    assert (line.country_a, line.country_b) == countries
    (only_path,) = line.coordinates
    lons, lats = np.array(only_path).T
    # The Evros / Maritsa region.
    assert lons.min() > 25.9
    assert lons.max() < 28.1
    assert lats.min() > 40.6
    assert lats.max() < 42.2


def test_multilinestring_becomes_several_paths(world_lines):
    multi = [line for line in world_lines if len(line.coordinates) > 1]
    assert multi, "the Natural Earth file has MultiLineString borders"


# -- NaN-joined arrays -------------------------------------------------------------------------


def test_nan_joined_lines_have_one_separator_between_paths(world_lines):
    paths = border_paths(world_lines)
    x, y = lines_to_nan_xy(paths, Projection())
    vertices = sum(len(path) for path in paths)
    assert x.dtype == y.dtype == np.float64
    assert len(x) == len(y) == vertices + len(paths) - 1
    separators = np.flatnonzero(np.isnan(x))
    assert len(separators) == len(paths) - 1
    assert np.array_equal(separators, np.flatnonzero(np.isnan(y)))
    expected = np.cumsum([len(path) for path in paths])[:-1] + np.arange(len(paths) - 1)
    assert np.array_equal(separators, expected)
    assert np.isfinite(np.delete(x, separators)).all()
    assert np.isfinite(np.delete(y, separators)).all()


def test_nan_joined_lines_are_projected_in_order():
    projection = Projection()
    paths = [[(26.0, 41.0), (26.5, 41.5)], [(27.0, 42.0), (27.5, 42.5), (28.0, 42.0)]]
    x, y = lines_to_nan_xy(paths, projection)
    ex, ey = projection.forward([26.0, 26.5, 27.0, 27.5, 28.0], [41.0, 41.5, 42.0, 42.5, 42.0])
    np.testing.assert_allclose(np.delete(x, 2), ex)
    np.testing.assert_allclose(np.delete(y, 2), ey)
    assert np.isnan(x[2])
    assert np.isnan(y[2])


def test_nan_joined_lines_of_nothing_are_empty():
    x, y = lines_to_nan_xy([[], []], Projection())
    assert len(x) == len(y) == 0


def test_polygon_rings_include_holes_and_are_closed():
    shell = [(26, 41), (27, 41), (27, 42), (26, 42)]
    hole = [(26.2, 41.2), (26.4, 41.2), (26.4, 41.4), (26.2, 41.4)]
    with_hole = Polygon(shell, [hole])
    plain = Polygon([(20, 40), (21, 40), (21, 41)])
    x, y = polygons_to_nan_xy([with_hole, plain], Projection())
    assert len(x) == 5 + 5 + 4 + 2  # three closed rings, two separators
    rings = np.split(np.column_stack([x, y]), np.flatnonzero(np.isnan(x)))
    rings = [ring[~np.isnan(ring[:, 0])] for ring in rings]
    assert [len(ring) for ring in rings] == [5, 5, 4]
    assert all(np.array_equal(ring[0], ring[-1]) for ring in rings)


def test_shipped_countries_become_finite_rings():
    countries = load_countries(RESOURCES.countries)
    x, y = polygons_to_nan_xy([c.geometry for c in countries], Projection())
    finite = np.isfinite(x)
    assert np.array_equal(finite, np.isfinite(y))
    assert finite.sum() > 50_000
    assert (~finite).sum() > 1_000


def test_regional_projection_clips_geometry_far_outside_its_area(world_lines):
    utm = Projection(32635)  # zone 35N, around the Evros
    countries = load_countries(RESOURCES.countries)
    for x, _y in (
        polygons_to_nan_xy([c.geometry for c in countries], utm),
        lines_to_nan_xy(border_paths(world_lines), utm),
    ):
        finite = np.isfinite(x)
        assert finite.sum() > 1_000
        # Nothing from the far side of the world, where the projection folds over.
        assert np.abs(x[finite] - 500_000).max() < 3_000_000
    lon_min, _, lon_max, _ = utm.bounds
    assert lon_min < 20
    assert lon_max > 30


# -- projection and geodesy ------------------------------------------------------------------


@pytest.mark.parametrize("crs", ["EPSG:3857", 32635, "epsg:3035"])
def test_projection_round_trip_is_within_a_micro_degree(crs):
    rng = np.random.default_rng(7)
    if crs == 32635:  # a UTM zone is only accurate near its central meridian
        lon, lat = rng.uniform(22, 32, 1000), rng.uniform(34, 46, 1000)
    else:
        lon, lat = rng.uniform(-30, 45, 1000), rng.uniform(30, 72, 1000)
    projection = Projection(crs)
    x, y = projection.forward(lon, lat)
    back_lon, back_lat = projection.inverse(x, y)
    assert np.abs(back_lon - lon).max() < 1e-6
    assert np.abs(back_lat - lat).max() < 1e-6


def test_web_mercator_clamps_the_poles_instead_of_running_to_infinity():
    projection = Projection()
    x, y = projection.forward([0.0, 0.0, 180.0], [90.0, -90.0, 0.0])
    assert np.isfinite(y).all()
    _, y_limit = projection.forward(0.0, WEB_MERCATOR_MAX_LAT)
    assert y[0] == pytest.approx(float(y_limit)) == pytest.approx(-y[1])
    assert y[0] == pytest.approx(20_037_508.34, rel=1e-6)  # the square's edge
    assert x[2] == pytest.approx(20_037_508.34, rel=1e-6)


def test_projection_names_equal_crs_alike():
    assert Projection(3857) == Projection("epsg:3857") == Projection()
    assert Projection.utm_for(26.3, 41.5) == Projection(32635)
    assert Projection.utm_for(-70.0, -33.0) == Projection(32719)


def test_projection_refuses_an_unknown_crs():
    with pytest.raises(Exception, match="99999"):
        Projection("EPSG:99999")


def test_athens_istanbul_geodesic_distance():
    # Centre to centre on WGS84: 562.6 km (the great-circle distance usually quoted is ~560).
    assert geodesic_distance_km(*ATHENS, *ISTANBUL) == pytest.approx(562.6, abs=5)


def test_geodesic_references_and_bearings():
    # One degree of latitude at the equator on WGS84 is 110.574 km.
    assert geodesic_distance_km(0, 0, 0, 1) == pytest.approx(110.574, abs=0.01)
    assert bearing_deg(26, 41, 26, 42) == pytest.approx(0.0, abs=1e-9)
    assert bearing_deg(26, 41, 27, 41) == pytest.approx(90.0, abs=1.0)
    assert bearing_deg(26, 41, 25, 41) == pytest.approx(270.0, abs=1.0)
    assert 0 < bearing_deg(*ATHENS, *ISTANBUL) < 90
    distances = geodesic_distance_km([26, 26], [41, 41], [26, 26], [42, 43])
    np.testing.assert_allclose(distances, [111.07, 222.15], atol=0.1)


# -- broken files ----------------------------------------------------------------------------


def _collection(*geometries) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": f"f{i}", "properties": {}, "geometry": geometry}
            for i, geometry in enumerate(geometries)
        ],
    }


def _line(*coords) -> dict:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


def _write(tmp_path: Path, content: object, name: str = "layer.geojson") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=1))
    return path


def test_missing_file_is_named(tmp_path):
    with pytest.raises(LimesError, match=r"nowhere\.geojson.*not found"):
        load_features(tmp_path / "nowhere.geojson")


def test_truncated_json_names_file_line_and_column(tmp_path):
    good = json.dumps(_collection(_line((26, 41), (27, 42))), indent=1)
    path = _write(tmp_path, good[: len(good) // 2], "truncated.geojson")
    with pytest.raises(LimesError, match=r"truncated\.geojson.*line \d+, column \d+"):
        load_features(path)


@pytest.mark.parametrize(
    "document",
    [
        {"type": "Feature", "geometry": None, "properties": {}},
        {"type": "Topology"},
        [1, 2, 3],
    ],
)
def test_not_a_feature_collection(tmp_path, document):
    path = _write(tmp_path, document, "wrong.geojson")
    with pytest.raises(LimesError, match=r"wrong\.geojson.*not a GeoJSON FeatureCollection"):
        load_features(path)


def test_out_of_range_coordinate_names_file_and_feature(tmp_path):
    path = _write(
        tmp_path,
        _collection(
            _line((26, 41), (27, 42)), _line((26, 41), (27, 42)), _line((26, 41), (200, 42))
        ),
        "borders.geojson",
    )
    with pytest.raises(LimesError, match=r"borders\.geojson.*feature 2 \(id 'f2'\).*200") as info:
        load_features(path)
    assert info.value.feature_index == 2


@pytest.mark.parametrize(
    ("geometry", "problem"),
    [
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
         "invalid Polygon"),  # a bow tie
        ({"type": "LineString", "coordinates": []}, "empty LineString"),
        ({"type": "LineString", "coordinates": [[0, 0]]}, "invalid LineString"),
        ({"type": "Polygon", "coordinates": "nonsense"}, "invalid Polygon"),
        (None, "has no geometry"),
    ],
)  # fmt: skip
def test_bad_geometry_names_file_and_feature(tmp_path, geometry, problem):
    path = _write(tmp_path, _collection(_line((26, 41), (27, 42)), geometry), "sectors.geojson")
    with pytest.raises(LimesError, match=rf"sectors\.geojson.*feature 1 .*{problem}"):
        load_features(path)


def test_nan_coordinates_are_refused(tmp_path):
    path = _write(tmp_path, '{"type": "FeatureCollection", "features": [{"type": "Feature", '
                  '"properties": {}, "geometry": {"type": "Point", "coordinates": [NaN, 1]}}]}')  # fmt: skip
    with pytest.raises(LimesError, match=r"layer\.geojson.*NaN"):
        load_features(path)


def test_countries_must_be_polygons(tmp_path):
    path = _write(tmp_path, _collection(_line((26, 41), (27, 42))), "countries.geojson")
    with pytest.raises(LimesError, match=r"countries\.geojson.*feature 0.*'LineString'"):
        load_countries(path)


def test_border_line_without_its_countries_is_refused(tmp_path):
    path = _write(tmp_path, _collection(_line((26, 41), (27, 42))), "lines.geojson")
    with pytest.raises(LimesError, match=r"lines\.geojson.*feature 0.*two countries"):
        load_border_lines(path)


@pytest.mark.parametrize("band", range(1, len(ZOOM_BANDS)))
def test_zoom_band_simplification_keeps_lines_simple_connected_and_close(world_lines, band):
    tolerance = ZOOM_BANDS[band][1]
    paths = [p for p in border_paths(world_lines) if len(p) >= 2]
    original = np.array([shapely.LineString(p) for p in paths])
    simple = simplify_lines(original, tolerance)
    assert shapely.get_num_coordinates(simple).sum() < 0.8 * sum(map(len, paths))
    # Ends kept: lines still meet at their tripoints and junctions.
    ends = shapely.get_point(original, 0), shapely.get_point(original, -1)
    assert shapely.equals(shapely.get_point(simple, 0), ends[0]).all()
    assert shapely.equals(shapely.get_point(simple, -1), ends[1]).all()
    # No simplified line crosses itself where the original did not.
    assert shapely.is_simple(simple)[shapely.is_simple(original)].all()
    # Nowhere further from the original than the band's tolerance.
    assert shapely.hausdorff_distance(original, simple).max() <= tolerance * 1.0001


def test_simplified_nan_lines_have_fewer_vertices_and_the_same_paths(world_lines):
    paths = border_paths(world_lines)
    full_x, _ = lines_to_nan_xy(paths, Projection())
    coarse_x, _ = lines_to_nan_xy(paths, Projection(), ZOOM_BANDS[-1][1])
    assert len(coarse_x) < 0.5 * len(full_x)
    assert np.isnan(coarse_x).sum() == np.isnan(full_x).sum()  # every path still drawn


def test_zoom_bands_go_from_full_detail_to_coarse():
    assert ZOOM_BANDS[band_for(10.0)][1] == 0.0  # a sector on screen: every vertex
    tolerances = [tolerance for _, tolerance in ZOOM_BANDS]
    assert tolerances == sorted(tolerances)
    assert band_for(1e9) == len(ZOOM_BANDS) - 1
