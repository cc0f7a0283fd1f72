"""Load GeoJSON files into shapely geometries, refusing anything broken with a precise message.

Every problem raises :class:`GeoJSONError` (a :class:`~app.errors.LimesError`) whose text names
the file and, for a bad feature, its index in ``features`` and its id, so a person can open the
file and find it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from app.errors import LimesError, shortened


class GeoJSONError(LimesError):
    """A GeoJSON file cannot be used. ``path`` and ``feature_index`` say where."""

    def __init__(self, path: Path | str, message: str, feature_index: int | None = None) -> None:
        self.path = Path(path)
        self.feature_index = feature_index
        self.message = shortened(message)
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True)
class Feature:
    """One feature of a FeatureCollection. ``index`` is its position in the file's ``features``."""

    index: int
    id: str | None
    properties: dict[str, Any] = field(hash=False)
    geometry: BaseGeometry = field(hash=False)


def load_features(
    path: Path | str, *, geometry_types: Collection[str] | None = None
) -> list[Feature]:
    """All features of the FeatureCollection at ``path``, each with a valid, non-empty geometry.

    ``geometry_types`` restricts the accepted GeoJSON geometry types (e.g. ``{"Polygon",
    "MultiPolygon"}``); by default any type is accepted.
    """
    path = Path(path)
    try:
        check_size(path)
        text = path.read_text(encoding="utf-8-sig")  # a BOM, as some editors write, is fine
    except FileNotFoundError:
        raise GeoJSONError(path, "file not found") from None
    except UnicodeDecodeError as error:
        raise GeoJSONError(path, f"not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise GeoJSONError(path, f"cannot be read ({error.strerror or error})") from None
    return parse_features(text, source=path, geometry_types=geometry_types)


MAX_FILE_BYTES = 64 * 1024 * 1024  # a layer or border file is read whole, then drawn


def check_size(path: Path) -> None:
    """Refuse a file too large to read whole (FileNotFoundError passes through)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise GeoJSONError(
            path,
            f"the file is {size / 1024 / 1024:,.0f} MiB; a map file may be at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MiB (simplify or split it)",
        )


def parse_features(
    text: str, *, source: Path | str, geometry_types: Collection[str] | None = None
) -> list[Feature]:
    """Like :func:`load_features` for text already read; ``source`` names it in messages."""
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise GeoJSONError(
            source, f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except ValueError as error:
        raise GeoJSONError(source, f"invalid JSON: {error}") from None
    except RecursionError:
        raise GeoJSONError(source, "arrays or objects nested too deeply to read") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        found = document.get("type") if isinstance(document, dict) else type(document).__name__
        raise GeoJSONError(source, f"not a GeoJSON FeatureCollection (found {found!r})")
    raw_features = document.get("features")
    if not isinstance(raw_features, list):
        raise GeoJSONError(source, "the FeatureCollection has no 'features' list")
    allowed = frozenset(geometry_types) if geometry_types is not None else None
    return [_feature(source, index, raw, allowed) for index, raw in enumerate(raw_features)]


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed in JSON")


def _feature(source: Path | str, index: int, raw: Any, allowed: frozenset[str] | None) -> Feature:
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    where = f"feature {index}" + (f" (id {raw_id!r})" if raw_id is not None else "")

    def fail(message: str) -> GeoJSONError:
        return GeoJSONError(source, f"{where}: {message}", feature_index=index)

    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        raise fail("is not a GeoJSON Feature")
    properties = raw.get("properties") or {}
    if not isinstance(properties, Mapping):
        raise fail("'properties' is not an object")
    geojson = raw.get("geometry")
    if not isinstance(geojson, dict):
        raise fail("has no geometry")
    kind = geojson.get("type")
    if allowed is not None and kind not in allowed:
        raise fail(f"geometry type {kind!r} is not one of {', '.join(sorted(allowed))}")
    try:
        geometry = shape(geojson)
    except Exception as error:  # shapely raises several types for malformed coordinates
        raise fail(f"invalid {kind} geometry ({error})") from None
    if geometry.is_empty:
        raise fail(f"empty {kind} geometry")
    _check_lon_lat(geometry, fail)
    if not geometry.is_valid:
        raise fail(f"invalid {kind} geometry ({shapely.is_valid_reason(geometry)})")
    return Feature(
        index=index,
        id=None if raw_id is None else str(raw_id),
        properties=dict(properties),
        geometry=geometry,
    )


def _check_lon_lat(geometry: BaseGeometry, fail: Callable[[str], GeoJSONError]) -> None:
    coords = shapely.get_coordinates(geometry)
    lon, lat = coords[:, 0], coords[:, 1]
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180.0) & (np.abs(lat) <= 90.0))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise fail(
            f"coordinate {first} ({lon[first]:g}, {lat[first]:g}) is outside "
            "longitude -180..180 / latitude -90..90"
        )
