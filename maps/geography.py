"""Countries and border lines from the shipped Natural Earth data, and their drawable arrays.

A renderer draws many polylines fastest as ONE curve: all paths concatenated, separated by a
NaN vertex, drawn with ``connect='finite'``. :func:`lines_to_nan_xy` and
:func:`polygons_to_nan_xy` build those arrays, already projected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from app.domain import BorderLine
from maps.geojson import GeoJSONError, load_features
from maps.projection import Projection

DATA_DIR = Path(__file__).resolve().parent.parent / "resources" / "data"

Floats = NDArray[np.float64]
LonLatPath = Sequence[tuple[float, float]]


@dataclass(frozen=True)
class Country:
    adm0_a3: str
    name: str
    geometry: BaseGeometry = field(hash=False, compare=False)  # Polygon or MultiPolygon


@dataclass(frozen=True)
class Resources:
    """Paths of the geographic data shipped in ``resources/data``."""

    countries: Path
    world_borders: Path
    greece_turkey_border: Path
    bulgaria_turkey_border: Path

    @property
    def operation_borders(self) -> tuple[Path, ...]:
        """The borders of the joint operation, drawn highlighted."""
        return (self.greece_turkey_border, self.bulgaria_turkey_border)


def default_resources(data_dir: Path = DATA_DIR) -> Resources:
    return Resources(
        countries=data_dir / "ne_50m_admin0_countries.geojson",
        world_borders=data_dir / "ne_10m_admin0_boundary_lines_land.geojson",
        greece_turkey_border=data_dir / "greece_turkey_border.geojson",
        bulgaria_turkey_border=data_dir / "bulgaria_turkey_border.geojson",
    )


def load_countries(path: Path | str) -> list[Country]:
    """Country polygons; ``adm0_a3`` (or ``iso_a3``) and ``name`` are required properties."""
    countries = []
    for feature in load_features(path, geometry_types={"Polygon", "MultiPolygon"}):
        props = feature.properties
        code = _text(props.get("adm0_a3")) or _text(props.get("iso_a3"))
        name = _text(props.get("name")) or _text(props.get("admin"))
        if not code or not name:
            raise GeoJSONError(
                path,
                f"feature {feature.index}: needs properties 'adm0_a3' and 'name'",
                feature.index,
            )
        countries.append(Country(adm0_a3=code, name=name, geometry=feature.geometry))
    return countries


def load_border_lines(path: Path | str) -> list[BorderLine]:
    """Border lines with the two countries they separate (Natural Earth or Limes properties)."""
    path = Path(path)
    lines = []
    for feature in load_features(path, geometry_types={"LineString", "MultiLineString"}):
        props = feature.properties
        country_a = _text(props.get("adm0_a3_l")) or _text(props.get("country_a_iso3"))
        country_b = _text(props.get("adm0_a3_r")) or _text(props.get("country_b_iso3"))
        if not country_a or not country_b:
            raise GeoJSONError(
                path,
                f"feature {feature.index}: needs the two countries "
                "('adm0_a3_l'/'adm0_a3_r' or 'country_a_iso3'/'country_b_iso3')",
                feature.index,
            )
        name = _text(props.get("name")) or (
            f"{_text(props.get('adm0_left')) or country_a} – "
            f"{_text(props.get('adm0_right')) or country_b}"
        )
        lines.append(
            BorderLine(
                id=feature.id or f"{path.stem}-{feature.index}",
                name=name,
                country_a=country_a,
                country_b=country_b,
                coordinates=_paths(feature.geometry),
            )
        )
    return lines


def border_between(lines: Iterable[BorderLine], country_a: str, country_b: str) -> list[BorderLine]:
    """The lines separating two countries, in either order."""
    pair = {country_a, country_b}
    return [line for line in lines if {line.country_a, line.country_b} == pair]


def border_paths(lines: Iterable[BorderLine]) -> list[LonLatPath]:
    """All lon/lat paths of some border lines, for :func:`lines_to_nan_xy`."""
    return [path for line in lines for path in line.coordinates]


def lines_to_nan_xy(
    paths: Iterable[LonLatPath], projection: Projection, tolerance: float = 0.0
) -> tuple[Floats, Floats]:
    """Projected x, y of all paths concatenated, a NaN vertex between consecutive paths.

    Paths of fewer than two vertices are dropped; unsimplified and unclipped, the length is the
    number of vertices plus (number of paths - 1). ``tolerance`` (degrees) simplifies each
    path first (:func:`simplify_lines`). With a projection that has ``bounds`` (not Web
    Mercator), paths are clipped to them, which may cut a path in several.
    """
    chunks = [np.asarray(path, dtype=np.float64).reshape(-1, 2) for path in paths]
    chunks = [chunk for chunk in chunks if len(chunk) >= 2]
    if not chunks:
        return np.empty(0), np.empty(0)
    coords = np.concatenate(chunks)
    index = np.repeat(np.arange(len(chunks)), [len(chunk) for chunk in chunks])
    if projection.bounds is not None or tolerance > 0:
        lines = shapely.linestrings(coords, indices=index)
        if tolerance > 0:
            lines = simplify_lines(lines, tolerance)
        if projection.bounds is not None:
            lines = shapely.get_parts(shapely.clip_by_rect(lines, *projection.bounds))
        coords, index = shapely.get_coordinates(lines, return_index=True)
        if not len(coords):
            return np.empty(0), np.empty(0)
    return _project_joined(coords, index, projection)


def polygons_to_nan_xy(
    geometries: Iterable[BaseGeometry], projection: Projection
) -> tuple[Floats, Floats]:
    """Projected x, y of every ring (exterior and holes) of (Multi)Polygons, NaN-separated.

    Rings are closed (first vertex repeated last), so the arrays both fill and outline. With a
    projection that has ``bounds``, polygons are first clipped to them: far outside its area a
    projection folds, and a folded polygon would flip land and sea.
    """
    geoms = np.asarray(list(geometries), dtype=object)
    if not len(geoms):
        return np.empty(0), np.empty(0)
    if projection.bounds is not None:
        geoms = shapely.clip_by_rect(geoms, *projection.bounds)
    polygons = shapely.get_parts(geoms)
    rings = shapely.get_rings(polygons)
    coords, index = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        return np.empty(0), np.empty(0)
    return _project_joined(coords, index, projection)


def _project_joined(
    coords: Floats, group: NDArray[np.integer], projection: Projection
) -> tuple[Floats, Floats]:
    x, y = projection.forward(coords[:, 0], coords[:, 1])
    starts = np.flatnonzero(np.diff(group)) + 1
    return np.insert(x, starts, np.nan), np.insert(y, starts, np.nan)


def _paths(geometry: BaseGeometry) -> tuple[tuple[tuple[float, float], ...], ...]:
    parts = geometry.geoms if isinstance(geometry, MultiLineString) else [geometry]
    return tuple(
        tuple((float(x), float(y)) for x, y, *_ in part.coords)
        for part in parts
        if isinstance(part, LineString) and not part.is_empty
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


# Zoom bands for border lines: (display units per pixel up to which the band applies, the
# simplification tolerance in degrees). Each tolerance is one pixel at the band's closest zoom
# (a degree is at least 111 km in Web Mercator units), so simplifying never shows.
ZOOM_BANDS: tuple[tuple[float, float], ...] = (
    (200.0, 0.0),  # up to 200 m per pixel: a sector, every vertex
    (2_000.0, 200.0 / 111_000),  # a border region
    (20_000.0, 2_000.0 / 111_000),  # a country
    (float("inf"), 20_000.0 / 111_000),  # a continent, the world
)


def simplify_lines(lines: NDArray[np.object_], tolerance: float) -> NDArray[np.object_]:
    """Each line simplified within ``tolerance`` degrees, its end points kept.

    Ends are where border lines meet (tripoints) and where a line is cut in parts; keeping
    them keeps the network connected. Douglas-Peucker is ten times faster than the
    topology-preserving variant; the few lines it would make cross themselves are done again
    with the latter, so a simplified border never turns back over its own course.
    """
    simple = shapely.simplify(lines, tolerance, preserve_topology=False)
    broken = ~shapely.is_simple(simple) & shapely.is_simple(lines)
    if broken.any():
        simple[broken] = shapely.simplify(lines[broken], tolerance, preserve_topology=True)
    return simple


def band_for(units_per_pixel: float) -> int:
    """Index into :data:`ZOOM_BANDS` for a zoom (display units per screen pixel)."""
    for index, (limit, _) in enumerate(ZOOM_BANDS):
        if units_per_pixel <= limit:
            return index
    return len(ZOOM_BANDS) - 1
