"""Operator files shown as map layers: sectors or points of interest from GeoJSON or KML.

A file is read completely and checked before anything is drawn; any problem raises
:class:`~maps.geojson.GeoJSONError` naming the file and the feature (GeoJSON: its index and
id; KML: the placemark's number and name, or the line and column of broken XML), so a broken
file never leaves half a layer behind.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from maps.geojson import GeoJSONError, check_size, load_features

SUFFIXES = (".geojson", ".json", ".kml")
_KML = "{http://www.opengis.net/kml/2.2}"


@dataclass(frozen=True)
class OverlayFeature:
    name: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class Overlay:
    name: str  # the file's stem
    features: list[OverlayFeature] = field(default_factory=list)

    def of_type(self, *kinds: str) -> list[OverlayFeature]:
        return [feature for feature in self.features if feature.geometry.geom_type in kinds]


def load_overlay(path: Path | str) -> Overlay:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        features = [
            OverlayFeature(_name(f.properties, f.id, f.index), f.geometry)
            for f in load_features(path)
        ]
    elif suffix == ".kml":
        features = _kml_features(path)
    else:
        raise GeoJSONError(path, f"not a GeoJSON or KML file (expected {', '.join(SUFFIXES)})")
    if not features:
        raise GeoJSONError(path, "has no features to show")
    return Overlay(path.stem, features)


def _name(properties: dict, feature_id: str | None, index: int) -> str:
    for key in ("name", "Name", "NAME", "title", "label"):
        value = properties.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return feature_id or f"feature {index}"


def _kml_features(path: Path) -> list[OverlayFeature]:
    try:
        check_size(path)
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise GeoJSONError(path, "file not found") from None
    except OSError as error:
        raise GeoJSONError(path, f"cannot be read ({error.strerror or error})") from None
    except ET.ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]  # expat's words: "undefined entity", "no element found"
        raise GeoJSONError(
            path, f"invalid KML (XML) at line {line}, column {column} ({reason})"
        ) from None
    namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    features = []
    for index, placemark in enumerate(root.iter(f"{namespace}Placemark")):
        name = (placemark.findtext(f"{namespace}name") or "").strip()
        where = f"placemark {index}" + (f" ({name!r})" if name else "")
        try:
            geometries = _kml_geometries(placemark, namespace)
        except ValueError as error:
            raise GeoJSONError(path, f"{where}: {error}", index) from None
        if not geometries:
            raise GeoJSONError(path, f"{where}: has no Point, LineString or Polygon", index)
        for geometry in geometries:
            if not geometry.is_valid:
                raise GeoJSONError(
                    path,
                    f"{where}: invalid {geometry.geom_type} ({shapely.is_valid_reason(geometry)})",
                    index,
                )
            features.append(OverlayFeature(name or f"placemark {index}", geometry))
    return features


def _kml_geometries(placemark: ET.Element, ns: str) -> list[BaseGeometry]:
    geometries: list[BaseGeometry] = []
    for point in placemark.iter(f"{ns}Point"):
        geometries.append(Point(_coordinates(point.findtext(f"{ns}coordinates"), 1)[0]))
    for line in placemark.iter(f"{ns}LineString"):
        geometries.append(LineString(_coordinates(line.findtext(f"{ns}coordinates"), 2)))
    for polygon in placemark.iter(f"{ns}Polygon"):
        outer = polygon.find(f"{ns}outerBoundaryIs/{ns}LinearRing/{ns}coordinates")
        if outer is None:
            raise ValueError("Polygon without an outerBoundaryIs ring")
        holes = [
            _coordinates(ring.text, 4)
            for ring in polygon.findall(f"{ns}innerBoundaryIs/{ns}LinearRing/{ns}coordinates")
        ]
        geometries.append(Polygon(_coordinates(outer.text, 4), holes))
    return geometries


def _coordinates(text: str | None, at_least: int) -> list[tuple[float, float]]:
    """KML ``lon,lat[,alt]`` tuples separated by white space, checked one by one."""
    tuples = (text or "").split()
    if len(tuples) < at_least:
        raise ValueError(f"needs at least {at_least} coordinate(s), has {len(tuples)}")
    coords = []
    for number, item in enumerate(tuples):
        parts = item.split(",")
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except (ValueError, IndexError):
            raise ValueError(f"coordinate {number} {item!r} is not lon,lat[,alt]") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(
                f"coordinate {number} ({lon:g}, {lat:g}) is outside "
                "longitude -180..180 / latitude -90..90"
            )
        coords.append((lon, lat))
    return coords
