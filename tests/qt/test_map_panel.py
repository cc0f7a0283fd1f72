"""The map panel over a real store: cursor readout, measuring, the right-click menu."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from app.settings import load_settings
from app.store import Change
from widgets.map_panel import MapPanel

EVROS = (25.8, 40.7, 27.0, 42.2)
EDIRNE = (26.555, 41.677)
ORESTIADA = (26.531, 41.503)

# QTest warns that pyqtgraph's view leaves the raw press unaccepted (its scene handles it), and
# the offscreen platform cannot raise a popup menu or grab the keyboard for it.
pytestmark = pytest.mark.qt_log_ignore(
    r"Mouse event .* not accepted by receiving widget",
    r"This plugin does not support (raise|grabbing the keyboard)",
)


@pytest.fixture
def panel(qtbot, store):
    settings = load_settings(overrides={"node": {"center_id": "GR-ORE", "name": "Orestiada"}})
    widget = MapPanel(store, settings, region=EVROS)
    qtbot.addWidget(widget)
    widget.resize(900, 750)
    widget.show()
    qtbot.waitExposed(widget)
    widget.view.show_region(*EVROS)
    return widget


def _widget_pos(panel: MapPanel, lon: float, lat: float) -> QtCore.QPoint:
    x, y = panel.view.projection.forward_point(lon, lat)
    return panel.view.mapFromScene(panel.view.view.mapViewToScene(QtCore.QPointF(x, y)))


def _click(qtbot, panel, lon, lat, button=QtCore.Qt.MouseButton.LeftButton):
    qtbot.mouseClick(panel.view.viewport(), button, pos=_widget_pos(panel, lon, lat))


def test_measure_two_clicks_gives_geodesic_distance_and_bearing(qtbot, panel):
    panel.measure_button.click()
    _click(qtbot, panel, *EDIRNE)
    assert panel.measure.leg is None  # one click: only the start
    _click(qtbot, panel, *ORESTIADA)
    leg = panel.measure.leg
    assert leg is not None
    assert 18.5 < leg.km < 20.5  # Edirne to Orestiada, about 19 km south
    assert 180 < leg.bearing < 200
    assert "km" in panel._measure_readout.text()
    assert "bearing" in panel._measure_readout.text()
    panel.measure_button.click()  # off: the leg and the line go away
    assert panel.measure.leg is None
    assert panel._measure_readout.text() == ""


def test_clicks_measure_nothing_while_the_tool_is_off(qtbot, panel):
    _click(qtbot, panel, *EDIRNE)
    _click(qtbot, panel, *ORESTIADA)
    assert panel.measure.leg is None


def test_right_click_offers_a_new_incident_at_that_place(qtbot, panel):
    _click(qtbot, panel, *ORESTIADA, button=QtCore.Qt.MouseButton.RightButton)
    menu = panel.context_menu
    assert menu is not None
    assert menu.isVisible()
    with qtbot.waitSignal(panel.new_incident_requested, timeout=1000) as blocker:
        menu.new_incident.trigger()
    lon, lat = blocker.args
    assert lon == pytest.approx(ORESTIADA[0], abs=0.005)
    assert lat == pytest.approx(ORESTIADA[1], abs=0.005)
    menu.close()


def test_measure_from_the_menu_starts_a_leg_there(qtbot, panel):
    _click(qtbot, panel, *EDIRNE, button=QtCore.Qt.MouseButton.RightButton)
    panel.context_menu.measure.trigger()
    panel.context_menu.close()
    assert panel.measure_button.isChecked()
    _click(qtbot, panel, *ORESTIADA)
    assert 18.5 < panel.measure.leg.km < 20.5


@pytest.mark.parametrize(("style", "expected"), [("dd", "41.5"), ("dms", "41°"), ("mgrs", "35T")])
def test_cursor_readout_follows_the_chosen_format(qtbot, panel, style, expected):
    panel.view.cursor_moved.emit(*ORESTIADA)  # what a mouse move over Orestiada emits
    panel._format.setCurrentText(style)  # the readout changes at once, not on the next move
    assert expected in panel._readout.text()


def test_patrol_tracks_come_from_the_op_log_of_positions(qtbot, store, panel):
    from datetime import UTC, datetime, timedelta

    from app.domain import Patrol
    from app.store.feed import ChangeSet
    from app.values import PatrolStatus, to_ms

    now = datetime.now(UTC)
    patrol = Patrol(
        id="p1", call_sign="EVROS-12", crew=(), vehicle="4x4", shift_start=now,
        shift_end=now + timedelta(hours=8), sector_id="", status=PatrolStatus.EN_ROUTE,
        lon=26.50, lat=41.50, position_at=now - timedelta(minutes=30),
    )  # fmt: skip
    store.commit([Change("patrol", "p1", patrol.to_fields())], "op").result()
    for minutes, lat in ((20, 41.52), (10, 41.54)):
        fix = {"lon": 26.5, "lat": lat, "position_at": to_ms(now - timedelta(minutes=minutes))}
        store.commit([Change("patrol", "p1", fix)], "op").result()
    old = {"lon": 26.0, "lat": 41.0, "position_at": to_ms(now - timedelta(hours=9))}
    store.commit([Change("patrol", "p1", old)], "op").result()  # a late fix from long ago
    panel.apply_changes(ChangeSet({"patrol": frozenset({"p1"})}, 0, 0))
    x, y = panel.view.patrols.track_dots.getData()
    lon, lat = panel.view.projection.inverse(x, y)
    assert np.allclose(lon, 26.5)
    assert list(np.round(lat, 2)) == [41.50, 41.52, 41.54]  # oldest first, the 9 h old fix left out
    assert len(panel.view.patrols.track_curve.getData()[0]) == 3


def test_export_png_saves_the_map_as_shown(panel, tmp_path):
    from PySide6.QtGui import QImage

    saved = panel.export_png(tmp_path / "view")
    assert saved.suffix == ".png"
    image = QImage(str(saved))
    assert (image.width(), image.height()) == (panel.view.width(), panel.view.height())
    colors = {
        image.pixel(x, y) for x in range(0, image.width(), 25) for y in range(0, image.height(), 25)
    }
    assert len(colors) > 5  # sea, land, borders, legend: not a blank image


def test_an_exported_map_of_humanitarian_incidents_carries_iom_s_credit(
    qtbot, store, panel, tmp_path
):
    """The export (and the handover's map) leaves the tool bar out but keeps the credit line
    that sits in it: IOM's, once IOM records are on the map."""
    from PySide6.QtGui import QColor, QImage

    from tests.factories import incident_fields

    store.commit(
        [
            Change(
                "incident", "IOM-4711", incident_fields(lon=26.2, lat=41.2, category="risk_to_life")
            )
        ],
        "loader",
    ).result()
    panel.reload()
    qtbot.waitUntil(lambda: "Missing Migrants" in panel._credit.text(), timeout=5000)
    image = QImage(str(panel.export_png(tmp_path / "view.png")))
    assert image.width() == panel.view.width()
    assert image.height() > panel.view.height()  # a strip under the map, for the credit
    strip = [
        QColor(image.pixel(x, y)).lightness()
        for x in range(0, image.width(), 2)
        for y in range(panel.view.height(), image.height())
    ]
    assert min(strip) < 160  # text written there, not an empty band


def test_export_to_an_unwritable_place_says_where(panel, tmp_path):
    from app.errors import LimesError

    with pytest.raises(LimesError, match="cannot be written"):
        panel.export_png(tmp_path / "no such folder" / "view.png")


def test_hovering_a_sector_shows_its_level_history(qtbot, store, panel):
    from app.domain import Sector
    from app.store.feed import ChangeSet
    from app.values import ImpactLevel

    ring = [[26.4, 41.4], [26.7, 41.4], [26.7, 41.6], [26.4, 41.6], [26.4, 41.4]]
    sector = Sector(
        id="s-ore", name="Evros-2 Orestiada", country="GRC", agency="Hellenic Police",
        impact=ImpactLevel.MEDIUM, geometry={"type": "Polygon", "coordinates": [ring]},
    )  # fmt: skip
    store.commit([Change("sector", "s-ore", sector.to_fields())], "anna").result()
    panel.apply_changes(ChangeSet({"sector": frozenset({"s-ore"})}, 0, 0))
    panel.view.cursor_moved.emit(*ORESTIADA)
    tip = panel.view.toolTip()
    assert tip.startswith("Evros-2 Orestiada — GRC · Hellenic Police")
    assert "Impact level: medium" in tip
    store.commit([Change("sector", "s-ore", {"impact": "critical"})], "nikos").result()
    panel.apply_changes(ChangeSet({"sector": frozenset({"s-ore"})}, 0, 0))
    tip = panel.view.toolTip()
    assert "Impact level: critical" in tip
    changes = tip.split("Level changes (UTC):\n")[1].splitlines()
    assert "critical" in changes[0]
    assert "by GR-ORE/nikos" in changes[0]  # newest first, who changed it
    assert "medium" in changes[1]
    panel.view.cursor_moved.emit(25.3, 41.1)  # off every sector
    assert panel.view.toolTip() == ""


def _png(color: str) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def test_a_raster_basemap_from_mbtiles_draws_under_the_map(qtbot, store, tmp_path):
    from tests.mbtiles_factory import write_mbtiles
    from widgets.map_view import BASEMAP

    path = write_mbtiles(tmp_path / "evros.mbtiles", range(4, 11), _png("#ff00ff"))
    settings = load_settings(
        overrides={
            "node": {"center_id": "GR-ORE", "name": "Orestiada"},
            "map": {"mbtiles": str(path)},
        }
    )
    widget = MapPanel(store, settings, region=EVROS)
    qtbot.addWidget(widget)
    widget.resize(900, 750)
    widget.show()
    qtbot.waitExposed(widget)
    widget.view.show_region(*EVROS)
    raster = widget.view.raster
    qtbot.waitUntil(lambda: bool(raster.shown) and not raster.pending, timeout=5000)
    assert BASEMAP in widget.view.layers
    assert widget.view.layers.position(BASEMAP) < widget.view.layers.position("Sectors")
    image = widget.view.grab().toImage()
    centre = image.pixelColor(image.width() // 2, image.height() // 2)
    assert (centre.red(), centre.green(), centre.blue()) == (255, 0, 255)  # the tile shows
    assert "Tiles: test pattern" in widget._credit.text()


def test_a_broken_mbtiles_file_leaves_the_vector_map_and_says_why(qtbot, store, tmp_path):
    bad = tmp_path / "broken.mbtiles"
    bad.write_text("not sqlite")
    settings = load_settings(
        overrides={
            "node": {"center_id": "GR-ORE", "name": "Orestiada"},
            "map": {"mbtiles": str(bad)},
        }
    )
    widget = MapPanel(store, settings, region=EVROS)
    qtbot.addWidget(widget)
    assert "broken.mbtiles: not an MBTiles file" in widget.basemap_problem
    assert "No raster basemap" in widget._credit.text()
    assert widget.view.countries.item.path().elementCount() > 0  # the land is still drawn


def test_without_a_configured_region_the_map_opens_on_the_sectors(qtbot, store):
    from app.domain import Sector
    from app.values import ImpactLevel

    ring = [[26.4, 41.4], [26.7, 41.4], [26.7, 41.6], [26.4, 41.6], [26.4, 41.4]]
    sector = Sector(
        id="s-ore", name="Evros-2 Orestiada", country="GRC", agency="Hellenic Police",
        impact=ImpactLevel.MEDIUM, geometry={"type": "Polygon", "coordinates": [ring]},
    )  # fmt: skip
    store.commit([Change("sector", "s-ore", sector.to_fields())], "anna").result()
    settings = load_settings(overrides={"node": {"center_id": "GR-ORE", "name": "Orestiada"}})
    widget = MapPanel(store, settings)
    qtbot.addWidget(widget)
    widget.resize(800, 800)
    widget.show()
    qtbot.waitExposed(widget)
    lon_min, lat_min, lon_max, lat_max = widget.view.visible_region()
    assert lon_min < 26.4
    assert lon_max > 26.7
    assert lat_min < 41.4
    assert lat_max > 41.6
    assert lat_max - lat_min < 0.4, "the sector fills the map, with a margin"
