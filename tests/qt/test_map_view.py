"""The border map widget: few items for many objects, fills by level, clicks, cursor, legend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import Patrol, Sector
from app.values import Category, ImpactLevel, PatrolStatus
from maps.geography import (
    ZOOM_BANDS,
    border_paths,
    default_resources,
    load_border_lines,
    load_countries,
)
from maps.incident_layer import IncidentRows
from maps.projection import Projection
from widgets.map_view import BORDERS, MapView

EVROS = (25.8, 40.7, 27.0, 42.2)
CATEGORIES = [
    Category.UNAUTHORISED_CROSSING,
    Category.SMUGGLING,
    Category.CRISIS_SAR,
    Category.SUSPECT_VEHICLE,
    Category.RISK_TO_LIFE,
]


@pytest.fixture
def map_view(qtbot):
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    view.show_region(*EVROS)
    return view


def _items(view: MapView, kind: type) -> list:
    """Graphics items of a kind in the map's view (including those outside auto-range)."""
    found, pending = [], list(view.view.childGroup.childItems())
    while pending:  # layers are groups: walk down into them
        item = pending.pop()
        found.append(item)
        pending.extend(item.childItems())
    return [item for item in found if isinstance(item, kind)]


def _scatters(view: MapView) -> list[pg.ScatterPlotItem]:
    """Scatter items in the map that hold points."""
    return [
        item for item in _items(view, pg.ScatterPlotItem) if item.isVisible() and len(item.data)
    ]


def _random_incidents(count: int, statuses: list[str], seed: int = 3):
    rng = np.random.default_rng(seed)
    return {
        "ids": np.array([f"inc-{k}" for k in range(count)], dtype=object),
        "lon": rng.uniform(26.0, 26.8, count),
        "lat": rng.uniform(40.8, 42.1, count),
        "categories": rng.choice([c.value for c in CATEGORIES], count).tolist(),
        "impacts": rng.choice(["low", "medium", "high"], count).tolist(),
        "statuses": rng.choice(statuses, count).tolist(),
    }


def _box(lon0: float, lat0: float, lon1: float, lat1: float) -> dict:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


# QTest warns that pyqtgraph's view leaves the raw press unaccepted (its scene handles it).
QTEST_CLICK_NOISE = pytest.mark.qt_log_ignore(r"Mouse event .* not accepted by receiving widget")


def _view_to_widget(view: MapView, x: float, y: float) -> QtCore.QPoint:
    scene_point = view.view.mapViewToScene(QtCore.QPointF(x, y))
    return view.mapFromScene(scene_point)


def test_100k_incidents_make_one_scatter_item_per_category(map_view):
    incidents = _random_incidents(100_000, ["reported", "validated", "responding"])
    map_view.set_incidents(**incidents)
    scatters = _scatters(map_view)
    assert len(scatters) == len(CATEGORIES)
    assert sum(len(item.data) for item in scatters) == 100_000
    assert sorted(map_view.incidents.categories()) == sorted(c.value for c in CATEGORIES)

    # Replacing with fewer categories leaves no stale item behind.
    few = _random_incidents(1_000, ["reported"], seed=4)
    few["categories"] = ["smuggling"] * 1_000
    map_view.set_incidents(**few)
    (only,) = _scatters(map_view)
    assert len(only.data) == 1_000


def test_closed_incidents_are_dimmed_apart_from_open_ones(map_view):
    incidents = _random_incidents(20_000, ["reported", "closed", "dismissed"])
    map_view.set_incidents(**incidents)
    scatters = _scatters(map_view)
    assert len(scatters) == 2 * len(CATEGORIES)  # open + finished, per category
    alphas = {item.opts["brush"].color().alpha() for item in scatters}
    assert len(alphas) == 2
    finished = np.isin(incidents["statuses"], ["closed", "dismissed"])
    dimmed = [item for item in scatters if item.opts["brush"].color().alpha() == min(alphas)]
    assert sum(len(item.data) for item in dimmed) == finished.sum()


def test_incident_size_grows_with_impact_and_brush_is_shared(map_view):
    count = 3_000
    incidents = _random_incidents(count, ["reported"])
    incidents["categories"] = ["unauthorised_crossing"] * count
    map_view.set_incidents(**incidents)
    (item,) = _scatters(map_view)
    impacts = np.asarray(incidents["impacts"])
    sizes = item.data["size"]
    assert sizes[impacts == "low"].max() < sizes[impacts == "medium"].min()
    assert sizes[impacts == "medium"].max() < sizes[impacts == "high"].min()
    assert item.opts["pxMode"]
    # One brush for the whole item: no point carries its own.
    assert all(brush is None for brush in item.data["brush"])


@QTEST_CLICK_NOISE
def test_clicking_an_incident_emits_its_id(map_view, qtbot):
    incidents = {
        "ids": ["a", "b", "c"],
        "lon": [26.1, 26.4, 26.7],
        "lat": [41.0, 41.5, 42.0],
        "categories": ["smuggling", "crisis_sar", "smuggling"],
        "impacts": ["high", "high", "high"],
        "statuses": ["reported", "validated", "closed"],
    }
    map_view.set_incidents(**incidents)
    x, y = map_view.projection.forward(26.4, 41.5)
    position = _view_to_widget(map_view, float(x), float(y))
    with qtbot.waitSignal(map_view.incident_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(map_view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=position)
    assert blocker.args == ["b"]

    # The renderer's handler maps a point of any item back to its id (here the closed one).
    item = map_view.incidents.items()[("smuggling", True, 0)]
    with qtbot.waitSignal(map_view.incident_clicked, timeout=1000) as blocker:
        map_view.incidents.handle_points_clicked(item, item.points()[:1])
    assert blocker.args == ["c"]


@QTEST_CLICK_NOISE
def test_clicking_empty_map_emits_nothing(map_view, qtbot):
    map_view.set_incidents(["a"], [26.1], [41.0], ["smuggling"], ["low"], ["reported"])
    x, y = map_view.projection.forward(26.7, 42.0)
    with qtbot.assertNotEmitted(map_view.incident_clicked):
        qtbot.mouseClick(
            map_view.viewport(),
            QtCore.Qt.MouseButton.LeftButton,
            pos=_view_to_widget(map_view, float(x), float(y)),
        )


def test_sector_fills_differ_by_level(map_view):
    sectors = [
        Sector(f"s{k}", f"Sector {k}", "GRC", "HP", level, _box(26.0, 40.8 + k * 0.3, 26.3, 41.0 + k * 0.3))
        for k, level in enumerate(ImpactLevel)
    ]  # fmt: skip
    map_view.set_sectors(sectors)
    items = map_view.sectors.level_items
    assert all(not items[level].path().isEmpty() for level in ImpactLevel)
    fills = {
        items[level].brush().color().name(QtGui.QColor.NameFormat.HexArgb) for level in ImpactLevel
    }
    assert len(fills) == len(ImpactLevel)
    assert all(items[level].brush().color().alpha() < 255 for level in ImpactLevel)  # see-through
    # Each sector went to its own level's item.
    for sector in sectors:
        x, y = map_view.projection.forward_point(26.15, 40.9 + int(sector.id[1:]) * 0.3)
        assert items[sector.impact].path().contains(QtCore.QPointF(x, y))


def test_sector_names_show_only_when_zoomed_in(map_view, qtbot):
    map_view.set_sectors(
        [Sector("s1", "Evros North", "GRC", "HP", ImpactLevel.HIGH, _box(26.3, 41.4, 26.7, 41.7))]
    )
    (label,) = map_view.sectors.labels
    map_view.show_region(*EVROS)
    qtbot.waitUntil(label.isVisible, timeout=1000)
    map_view.show_region(-10, 30, 45, 60)
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=1000)


def test_borders_are_one_curve_per_kind(map_view, qtbot):
    resources = default_resources()
    world = load_border_lines(resources.world_borders)
    operation = load_border_lines(resources.greece_turkey_border) + load_border_lines(
        resources.bulgaria_turkey_border
    )
    map_view.set_borders(world, operation)
    map_view.show_region(26.2, 41.4, 26.7, 41.8)  # one sector: every vertex drawn
    qtbot.waitUntil(lambda: map_view.borders.band == 0, timeout=3000)
    border_layer = map_view.groups[BORDERS].childItems()
    curves = [item for item in border_layer if isinstance(item, pg.PlotCurveItem)]
    assert len(curves) == 2  # 461 + 2 lines, two items
    lengths = sorted(len(curve.getData()[0]) for curve in curves)
    operation_paths = border_paths(operation)
    assert lengths[0] == sum(len(p) for p in operation_paths) + len(operation_paths) - 1
    assert lengths[1] > 80_000
    widths = sorted(curve.opts["pen"].widthF() for curve in curves)
    assert widths[0] < widths[1]  # the operation's borders stand out


@pytest.mark.parametrize("crs", ["EPSG:3857", "EPSG:32635"])
def test_countries_fill_the_land(qtbot, crs):
    map_view = MapView(projection=Projection(crs))
    qtbot.addWidget(map_view)
    map_view.set_countries(load_countries(default_resources().countries))
    path = map_view.countries.item.path()
    athens = QtCore.QPointF(*map_view.projection.forward_point(23.73, 37.98))
    aegean = QtCore.QPointF(*map_view.projection.forward_point(25.0, 39.0))
    assert path.contains(athens)
    assert not path.contains(aegean)


@pytest.mark.parametrize("crs", ["EPSG:3857", "EPSG:32635"])
def test_the_land_is_kept_around_the_view_only_and_follows_it(qtbot, crs):
    """Qt draws every vertex of the land path, seen or not: zoomed in on the Evros, the path
    holds only the land around the view; panned far away (to Madrid), it follows; zoomed out
    to the world, all the land is back."""
    map_view = MapView(projection=Projection(crs))
    qtbot.addWidget(map_view)
    map_view.resize(800, 600)
    map_view.show()
    map_view.set_countries(load_countries(default_resources().countries))
    whole = map_view.countries.item.path().elementCount()
    map_view.show_region(*EVROS)
    qtbot.waitUntil(lambda: map_view.countries.clip is not None, timeout=3000)
    kept = map_view.countries.item.path()
    assert kept.elementCount() < whole / 10

    def point(lon: float, lat: float) -> QtCore.QPointF:
        return QtCore.QPointF(*map_view.projection.forward_point(lon, lat))

    assert kept.contains(point(26.56, 41.68))  # Edirne: land, in the view
    assert not kept.contains(point(25.5, 40.3))  # the Aegean: sea
    assert not kept.contains(point(-3.70, 40.42))  # Madrid: land, but far from the view
    if crs == "EPSG:3857":
        map_view.show_region(-4.5, 40.0, -3.0, 41.0)
        qtbot.waitUntil(lambda: map_view.countries.item.path().contains(point(-3.70, 40.42)))
        map_view.show_region(-170.0, -60.0, 170.0, 75.0)
        qtbot.waitUntil(lambda: map_view.countries.clip is None, timeout=3000)
        assert map_view.countries.item.path().elementCount() == whole


def test_patrols_without_position_are_skipped(map_view):
    start = datetime(2026, 11, 21, 6, tzinfo=UTC)

    def patrol(pid, status, lon, lat):
        end = start + timedelta(hours=8)
        return Patrol(pid, pid.upper(), ("o1",), "4x4", start, end, "s1", status, lon, lat)

    map_view.set_patrols(
        [
            patrol("p1", PatrolStatus.AVAILABLE, 26.3, 41.5),
            patrol("p2", PatrolStatus.ON_SCENE, 26.5, 41.2),
            patrol("p3", PatrolStatus.PLANNED, None, None),
        ]
    )
    assert len(map_view.patrols.scatter.data) == 2
    assert [label.textItem.toPlainText() for label in map_view.patrols.labels] == ["P1", "P2"]
    colors = {brush.color().name() for brush in map_view.patrols.scatter.data["brush"]}
    assert len(colors) == 2


def test_legend_lists_what_is_on_the_map(map_view):
    assert not map_view.legend.isVisible()
    map_view.set_incidents(["a", "b"], [26.1, 26.2], [41.0, 41.1], ["smuggling", "crisis_sar"],
                           ["low", "high"], ["reported", "reported"])  # fmt: skip
    assert map_view.legend.isVisible()
    assert map_view.legend.entries == [Category.SMUGGLING.label, Category.CRISIS_SAR.label]
    map_view.set_sectors([Sector("s", "S", "GRC", "HP", ImpactLevel.LOW, _box(26, 41, 26.2, 41.2))])
    assert map_view.legend.entries[:4] == [level.label for level in ImpactLevel]


@QTEST_CLICK_NOISE
def test_legend_is_compact_in_the_bottom_right_and_folds_to_one_line(map_view, qtbot):
    map_view.set_sectors([Sector("s", "S", "GRC", "HP", ImpactLevel.LOW, _box(26, 41, 26.2, 41.2))])
    map_view.set_incidents(
        [f"i{n}" for n in range(len(Category))], [26.1] * len(Category), [41.0] * len(Category),
        [c.value for c in Category], ["low"] * len(Category), ["reported"] * len(Category),
    )  # fmt: skip
    start = datetime(2026, 11, 21, 6, tzinfo=UTC)
    map_view.set_patrols(
        Patrol(f"p{n}", f"P{n}", ("o1",), "4x4", start, start + timedelta(hours=8), "s", status,
               26.3, 41.3 + n / 10)
        for n, status in enumerate((PatrolStatus.AVAILABLE, PatrolStatus.EN_ROUTE))
    )  # fmt: skip
    qtbot.wait(50)
    legend = map_view.legend.sceneBoundingRect()
    screen = map_view.view.sceneBoundingRect()
    assert legend.right() > screen.right() - 30
    assert legend.bottom() > screen.bottom() - 40
    # every category listed, in two columns: no taller than the incident column and its title
    assert legend.height() < (len(Category) + 3) * 15
    open_area = legend.width() * legend.height()
    title = map_view.legend._title
    qtbot.mouseClick(
        map_view.viewport(),
        QtCore.Qt.MouseButton.LeftButton,
        pos=map_view.mapFromScene(title.sceneBoundingRect().center()),
    )
    assert map_view.legend.collapsed
    folded = map_view.legend.sceneBoundingRect()
    assert folded.height() < 25
    assert folded.width() * folded.height() < open_area / 8
    map_view.legend.toggle()
    assert map_view.legend.sceneBoundingRect().height() == pytest.approx(legend.height())


def test_cursor_readout_gives_lon_lat(map_view, qtbot):
    x, y = map_view.projection.forward_point(26.4, 41.5)
    position = _view_to_widget(map_view, x, y)
    with qtbot.waitSignal(map_view.cursor_moved, timeout=2000) as blocker:
        map_view.scene().sigMouseMoved.emit(map_view.mapToScene(position))
    lon, lat = blocker.args
    assert lon == pytest.approx(26.4, abs=0.02)
    assert lat == pytest.approx(41.5, abs=0.02)


def test_show_region_fits_the_box_with_square_aspect(map_view):
    map_view.show_region(26.0, 40.8, 26.8, 42.1)
    lon_min, lat_min, lon_max, lat_max = map_view.visible_region()
    assert lon_min <= 26.0
    assert lon_max >= 26.8
    assert lat_min <= 40.8
    assert lat_max >= 42.1
    (x0, x1), (y0, y1) = map_view.view.viewRange()
    width, height = map_view.view.width(), map_view.view.height()
    assert (x1 - x0) / width == pytest.approx((y1 - y0) / height, rel=0.01)


def test_attribution_is_shown(map_view):
    assert "Natural Earth" in map_view.attribution.text
    assert map_view.attribution.isVisible()


def test_map_view_is_a_plain_widget():
    assert issubclass(MapView, QtWidgets.QWidget)


def test_a_live_change_redraws_only_its_item(map_view, qtbot):
    incidents = _random_incidents(100_000, ["reported"])
    map_view.set_incidents(**incidents)
    before = {key: item.data for key, item in map_view.incidents.items().items()}
    rows = IncidentRows.of(["live"], [26.4], [41.5], ["crisis_sar"], ["high"], ["reported"])
    map_view.update_incidents(rows, removed=["inc-0"])
    qtbot.waitUntil(lambda: not map_view.drawing, timeout=3000)
    after = map_view.incidents.items()
    changed = {key for key, item in after.items() if item.data is not before.get(key)}
    gone_from = next(k for k in after if k[0] == incidents["categories"][0])
    assert changed <= {("crisis_sar", False, 0), gone_from}
    assert sum(len(item.data) for item in after.values()) == 100_000


def test_live_changes_are_drawn_in_slices_not_all_at_once(map_view, qtbot):
    incidents = _random_incidents(100_000, ["reported"])
    map_view.update_incidents(IncidentRows.of(*incidents.values()))
    assert map_view.drawing
    assert not map_view.incidents.items()
    qtbot.waitUntil(lambda: not map_view.drawing, timeout=5000)
    assert sum(len(item.data) for item in map_view.incidents.items().values()) == 100_000
    assert map_view.legend.entries  # the legend follows once everything is drawn


def test_world_borders_are_simplified_when_zoomed_out_and_full_when_zoomed_in(map_view, qtbot):
    resources = default_resources()
    map_view.set_borders(load_border_lines(resources.world_borders))
    map_view.show_region(-180.0, -60.0, 180.0, 80.0)
    coarsest = len(ZOOM_BANDS) - 1
    qtbot.waitUntil(lambda: map_view.borders.band == coarsest, timeout=3000)
    world_points = len(map_view.borders.world_curve.getData()[0])
    map_view.show_region(26.2, 41.4, 26.7, 41.8)  # one sector
    qtbot.waitUntil(lambda: map_view.borders.band == 0, timeout=3000)  # every vertex
    sector_points = len(map_view.borders.world_curve.getData()[0])
    assert world_points < 0.5 * sector_points
