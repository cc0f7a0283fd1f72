"""Imported layer files (GeoJSON, KML) refused precisely when broken; the layer stack model."""

from __future__ import annotations

import json

import pytest

from maps.geojson import GeoJSONError
from maps.layers import LayerStack
from maps.overlay import load_overlay

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
  <Placemark><name>Kipoi gate</name><Point><coordinates>26.3,40.9,0</coordinates></Point></Placemark>
  <Placemark><name>Patrol road</name>
    <LineString><coordinates>26.3,40.9 26.4,41.0 26.5,41.1</coordinates></LineString></Placemark>
  <Placemark><name>Zone A</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
    26.0,41.0 26.2,41.0 26.2,41.2 26.0,41.2 26.0,41.0</coordinates></LinearRing></outerBoundaryIs>
  </Polygon></Placemark>
</Document></kml>"""


def test_kml_points_lines_and_polygons_are_read_with_their_names(tmp_path):
    path = tmp_path / "evros poi.kml"
    path.write_text(KML)
    overlay = load_overlay(path)
    assert overlay.name == "evros poi"
    assert [f.name for f in overlay.features] == ["Kipoi gate", "Patrol road", "Zone A"]
    assert [f.geometry.geom_type for f in overlay.features] == ["Point", "LineString", "Polygon"]


def test_kml_bad_coordinate_names_the_placemark(tmp_path):
    path = tmp_path / "bad.kml"
    path.write_text(KML.replace("26.4,41.0", "26.4;41.0"))
    with pytest.raises(GeoJSONError) as error:
        load_overlay(path)
    assert "bad.kml" in str(error.value)
    assert "placemark 1 ('Patrol road')" in str(error.value)
    assert "'26.4;41.0' is not lon,lat" in str(error.value)


def test_kml_broken_xml_names_line_and_column(tmp_path):
    path = tmp_path / "cut.kml"
    path.write_text(KML[:300])
    with pytest.raises(GeoJSONError, match=r"cut.kml: invalid KML \(XML\) at line \d+, column"):
        load_overlay(path)


def test_kml_self_crossing_polygon_is_refused(tmp_path):
    path = tmp_path / "bowtie.kml"
    path.write_text(KML.replace("26.2,41.0 26.2,41.2 26.0,41.2", "26.2,41.2 26.2,41.0 26.0,41.2"))
    with pytest.raises(GeoJSONError, match=r"placemark 2 \('Zone A'\): invalid Polygon"):
        load_overlay(path)


def test_geojson_layer_takes_feature_names(tmp_path):
    path = tmp_path / "poi.geojson"
    features = [
        {"type": "Feature", "properties": {"name": "Tower 7"},
         "geometry": {"type": "Point", "coordinates": [26.5, 41.5]}},
        {"type": "Feature", "id": "cam-2", "properties": {},
         "geometry": {"type": "Point", "coordinates": [26.6, 41.6]}},
    ]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    assert [f.name for f in load_overlay(path).features] == ["Tower 7", "cam-2"]


def test_other_files_and_empty_collections_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(GeoJSONError, match="not a GeoJSON or KML file"):
        load_overlay(tmp_path / "notes.txt")
    (tmp_path / "empty.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(GeoJSONError, match="has no features"):
        load_overlay(tmp_path / "empty.geojson")


def test_layer_stack_orders_hides_fades_and_names_uniquely():
    stack = LayerStack(["Countries", "Borders", "Incidents"])
    seen = []
    stack.changed.connect(lambda: seen.append(stack.names()))
    stack.move("Countries", +1)
    assert stack.names() == ["Borders", "Countries", "Incidents"]
    stack.move("Incidents", +5)  # already on top: stays
    assert stack.names()[-1] == "Incidents"
    stack.set_opacity("Borders", 1.7)
    assert stack["Borders"].opacity == 1.0
    stack.set_visible("Borders", False)
    assert not stack["Borders"].visible
    assert stack.add("poi", below="Incidents") == "poi"
    assert stack.add("poi", below="Incidents") == "poi (2)"
    assert stack.names() == ["Borders", "Countries", "poi", "poi (2)", "Incidents"]
    stack.remove("poi")
    with pytest.raises(ValueError, match="part of the map"):
        stack.remove("Borders")
    assert len(seen) == 7


def test_restoring_a_saved_stack_keeps_a_layer_it_did_not_know_in_its_place():
    from maps.layers import LayerStack, LayerState

    stack = LayerStack(["Countries", "Basemap tiles", "Sectors", "Incidents", "Patrols"])
    saved = [
        LayerState("Countries"),
        LayerState("Incidents", visible=False),
        LayerState("Sectors", opacity=0.3),
        LayerState("Patrols"),
        LayerState("Gone since", imported=True),
    ]
    stack.restore(saved)
    assert stack.names() == ["Countries", "Basemap tiles", "Incidents", "Sectors", "Patrols"]
    assert not stack["Incidents"].visible
    assert stack["Sectors"].opacity == 0.3
