"""The layer panel on a real map: visibility, opacity, order, importing files, refusing bad ones."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from widgets.layer_panel import LayerPanel
from widgets.map_view import BORDERS, INCIDENTS, MapView


@pytest.fixture
def panel(qtbot):
    view = MapView()
    qtbot.addWidget(view)
    widget = LayerPanel(view)
    qtbot.addWidget(widget)
    widget.show()
    return widget, view


def _poi(tmp_path, name="poi.geojson", coordinates=(26.5, 41.5)):
    path = tmp_path / name
    feature = {
        "type": "Feature", "properties": {"name": "Tower 7"},
        "geometry": {"type": "Point", "coordinates": list(coordinates)},
    }  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_unchecking_a_layer_hides_its_items(panel):
    widget, view = panel
    row = widget.names().index(BORDERS)
    widget.list.item(row).setCheckState(Qt.CheckState.Unchecked)
    assert not view.groups[BORDERS].isVisible()
    assert not view.borders.world_curve.isVisible()  # the items go with their layer
    widget.list.item(widget.names().index(BORDERS)).setCheckState(Qt.CheckState.Checked)
    assert view.groups[BORDERS].isVisible()


def test_opacity_slider_fades_the_selected_layer(panel):
    widget, view = panel
    widget.select(INCIDENTS)
    widget.opacity.setValue(40)
    assert view.groups[INCIDENTS].opacity() == pytest.approx(0.4)
    assert view.layers[INCIDENTS].opacity == pytest.approx(0.4)


def test_moving_a_layer_up_draws_it_over_the_next(panel):
    widget, view = panel
    widget.select(BORDERS)
    before = widget.names().index(BORDERS)
    widget.up.click()
    assert widget.names().index(BORDERS) == before - 1  # listed top first
    above = widget.names()[before]
    assert view.groups[BORDERS].zValue() > view.groups[above].zValue()


def test_importing_a_file_adds_a_layer_under_the_incidents(panel, tmp_path):
    widget, view = panel
    name = widget.import_file(_poi(tmp_path))
    assert name == "poi"
    assert view.layers.position("poi") < view.layers.position(INCIDENTS)
    assert view.groups["poi"].childItems()  # drawn: a marker and its name
    assert "Imported poi.geojson" in widget.message.text()
    assert widget.remove.isEnabled()
    widget.remove.click()
    assert "poi" not in view.layers
    assert "poi" not in view.groups


def test_a_broken_file_is_refused_with_its_reason_and_nothing_is_added(panel, tmp_path):
    widget, view = panel
    before = (view.layers.names(), len(view.view.childGroup.childItems()))
    bad = _poi(tmp_path, "bad.geojson", coordinates=(226.5, 41.5))
    assert widget.import_file(bad) is None
    text = widget.message.text()
    assert "Not imported" in text
    assert "bad.geojson" in text
    assert "feature 0" in text
    assert "outside longitude" in text
    assert (view.layers.names(), len(view.view.childGroup.childItems())) == before


def test_built_in_layers_cannot_be_removed(panel):
    widget, _ = panel
    widget.select(BORDERS)
    assert not widget.remove.isEnabled()


def _kml(tmp_path, name="patrol-zone.kml"):
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        "<Placemark><name>Zone A</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
        "26.3,41.3 26.6,41.3 26.6,41.6 26.3,41.6 26.3,41.3"
        "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"
    )
    return path


def _reopen(qtbot, folder):
    """A new map and layer panel on the same data folder: what the next run shows."""
    from maps.layer_folder import LayerFolder

    view = MapView()
    qtbot.addWidget(view)
    widget = LayerPanel(view, LayerFolder(folder))
    qtbot.addWidget(widget)
    return widget, view


def test_imported_layers_and_layer_settings_come_back_after_a_restart(qtbot, tmp_path):
    folder = tmp_path / "data" / "layers"
    widget, view = _reopen(qtbot, folder)
    poi = widget.import_file(_poi(tmp_path))
    zone = widget.import_file(_kml(tmp_path))
    widget.select(zone)
    widget.opacity.setValue(35)
    view.layers.move(zone, +2)  # over the incidents
    widget.list.item(widget.names().index(BORDERS)).setCheckState(Qt.CheckState.Unchecked)
    order = view.layers.names()
    qtbot.waitUntil(lambda: (folder / "layers.json").is_file(), timeout=2000)
    widget.save()  # as when the window closes
    (tmp_path / "poi.geojson").unlink()  # the operator's originals may go: copies were kept

    again, view2 = _reopen(qtbot, folder)
    assert view2.layers.names() == order
    assert view2.layers[zone].opacity == pytest.approx(0.35)
    assert view2.groups[zone].opacity() == pytest.approx(0.35)
    assert not view2.layers[BORDERS].visible
    assert not view2.groups[BORDERS].isVisible()
    assert view2.layers[poi].imported
    assert view2.groups[poi].items_drawn(), "the points are drawn again"

    again.select(poi)
    again.remove.click()
    _third, view3 = _reopen(qtbot, folder)
    assert poi not in view3.layers
    assert zone in view3.layers
    assert sorted(p.name for p in folder.iterdir()) == ["layers.json", "patrol-zone.kml"]


def test_a_saved_layer_that_no_longer_reads_is_named_and_the_rest_restored(qtbot, tmp_path):
    folder = tmp_path / "layers"
    widget, _view = _reopen(qtbot, folder)
    poi = widget.import_file(_poi(tmp_path))
    zone = widget.import_file(_kml(tmp_path))
    widget.save()
    (folder / "patrol-zone.kml").write_text("<kml><Placemark>")  # damaged on disk
    again, view = _reopen(qtbot, folder)
    assert poi in view.layers
    assert zone not in view.layers
    assert "Layer patrol-zone not restored" in again.message.text()
    assert "patrol-zone.kml" in again.message.text()
    (folder / "layers.json").write_text("{not json")
    third, view3 = _reopen(qtbot, folder)
    assert "layers.json: the saved map layers cannot be read" in third.message.text()
    assert INCIDENTS in view3.layers  # the map opens with its own layers
