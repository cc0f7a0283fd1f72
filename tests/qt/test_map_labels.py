"""Labels on the demo map: call signs first, sector names where they fit, none overlapping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6 import QtCore
from shapely.geometry import shape

from app.demo import seed_demo
from app.settings import load_settings
from app.store import Store
from widgets.map_panel import MapPanel


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    with Store(path, "GR-ORE", synchronous="OFF") as store:
        scenario = seed_demo(store, datetime.now(UTC))
    return path, scenario


@pytest.fixture
def panel(qtbot, demo_db):
    path, scenario = demo_db
    settings = load_settings(overrides={"node": {"center_id": "GR-ORE", "name": "Orestiada"}})
    with Store(path, "GR-ORE") as store:
        widget = MapPanel(store, settings, region=scenario.region)
        qtbot.addWidget(widget)
        widget.resize(1200, 640)  # the map dock of the window at its default size
        widget.show()
        qtbot.waitExposed(widget)
        widget.view.show_region(*scenario.region)
        qtbot.waitUntil(lambda: not widget.view.labels.pending, timeout=3000)
        yield widget


def _visible_boxes(panel: MapPanel) -> dict[str, object]:
    view = panel.view
    items = view.patrols.labels + view.sectors.labels
    return {
        item.textItem.toPlainText(): item.textItem.sceneBoundingRect()
        for item in items
        if item.isVisible()
    }


def test_no_two_visible_labels_overlap_at_the_default_view(panel):
    boxes = _visible_boxes(panel)
    names = list(boxes)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            assert not boxes[first].intersects(boxes[second]), (first, second)
    call_signs = [label.textItem.toPlainText() for label in panel.view.patrols.labels]
    assert set(call_signs) <= set(boxes), "every call sign on show: they take priority"
    assert len(boxes) > len(call_signs) + 4, "and most sector names fit beside them"


def test_no_label_covers_a_patrol_or_the_legend(panel):
    view = panel.view
    legend = view.legend.sceneBoundingRect()
    for text, box in _visible_boxes(panel).items():
        assert not box.intersects(legend), text
        for x, y, _radius in view.patrols.markers():
            centre = view.view.mapViewToScene(QtCore.QPointF(x, y))
            assert not box.contains(centre), (text, "covers a patrol")


def test_a_crowded_sector_name_hides_and_returns_when_zoomed_in(qtbot, panel):
    view = panel.view
    panel.resize(420, 300)  # a small map: the names no longer all fit
    view.show_region(25.9, 40.7, 28.1, 42.3)
    qtbot.waitUntil(lambda: not view.labels.pending, timeout=3000)
    hidden = [label for label in view.sectors.labels if not label.isVisible()]
    assert hidden
    name = hidden[0].textItem.toPlainText()
    sector = next(s for s in panel._sector_index.sectors if s.name == name)
    view.show_region(*shape(sector.geometry).bounds)
    qtbot.waitUntil(lambda: not view.labels.pending, timeout=3000)
    assert hidden[0].isVisible(), f"{name} is named once there is room"


def test_labels_are_laid_out_once_the_view_settles_not_on_every_frame(qtbot, panel):
    view = panel.view
    runs = view.labels.runs
    for _frame in range(10):  # a pan of ten frames
        (x0, x1), (y0, y1) = view.view.viewRange()
        view.view.setRange(xRange=(x0 + 500, x1 + 500), yRange=(y0, y1), padding=0)
    assert view.labels.runs == runs
    assert view.labels.pending
    qtbot.waitUntil(lambda: not view.labels.pending, timeout=3000)
    assert view.labels.runs == runs + 1
