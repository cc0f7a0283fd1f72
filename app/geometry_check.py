"""Checks on GeoJSON polygons carried in records (sectors), with shapely."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import mapping, shape

from app.errors import ValidationError

MAX_VERTICES = 50_000


def check_polygon_geojson(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(field, "is not a GeoJSON Polygon or MultiPolygon")
    try:
        geom = shape(value)
    except Exception as error:  # shapely raises several types for malformed input
        raise ValidationError(field, f"is not a valid polygon ({error})") from None
    if geom.is_empty:
        raise ValidationError(field, "is an empty polygon")
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise ValidationError(field, f"has more than {MAX_VERTICES} vertices")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError(
            field, "has coordinates outside longitude -180..180 / latitude -90..90"
        )
    if not geom.is_valid:
        raise ValidationError(field, f"is not a valid polygon ({shapely.is_valid_reason(geom)})")
    return _plain(mapping(geom))


def _plain(obj: Any) -> Any:
    """GeoJSON with lists instead of tuples, so it encodes the same on every node."""
    if isinstance(obj, dict):
        return {key: _plain(item) for key, item in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(item) for item in obj]
    return obj
