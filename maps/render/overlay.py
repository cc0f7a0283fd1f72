"""An imported file drawn as one layer: polygons as one path, lines as one curve, points as one
scatter with their names."""

from __future__ import annotations

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

from maps.geography import lines_to_nan_xy, polygons_to_nan_xy
from maps.overlay import Overlay
from maps.projection import Projection
from maps.render.labels import OffsetTextItem
from maps.render.layer_group import LayerGroup

PALETTE = ("#6a1b9a", "#00695c", "#ef6c00", "#283593", "#ad1457")
FILL_ALPHA = 55
MAX_LABELS = 300  # names beyond this many points would only pile up


def draw_overlay(
    overlay: Overlay, group: LayerGroup, projection: Projection, color_index: int = 0
) -> None:
    """Draw every feature of ``overlay`` into ``group`` (which is new and empty)."""
    color = QtGui.QColor(PALETTE[color_index % len(PALETTE)])
    polygons = [f.geometry for f in overlay.of_type("Polygon", "MultiPolygon")]
    if polygons:
        x, y = polygons_to_nan_xy(polygons, projection)
        path = pg.arrayToQPath(x, y, connect="finite")
        path.setFillRule(QtGui.Qt.FillRule.OddEvenFill)
        item = QtWidgets.QGraphicsPathItem(path)
        fill = QtGui.QColor(color)
        fill.setAlpha(FILL_ALPHA)
        item.setBrush(QtGui.QBrush(fill))
        pen = QtGui.QPen(color, 2.0)
        pen.setCosmetic(True)
        item.setPen(pen)
        group.addItem(item)
    lines = [f.geometry for f in overlay.of_type("LineString", "MultiLineString")]
    if lines:
        paths = [list(part.coords) for line in lines for part in getattr(line, "geoms", [line])]
        x, y = lines_to_nan_xy(paths, projection)
        group.addItem(pg.PlotCurveItem(x, y, pen=pg.mkPen(color, width=2), connect="finite"))
    points = overlay.of_type("Point")
    if points:
        x, y = projection.forward(
            np.array([p.geometry.x for p in points]), np.array([p.geometry.y for p in points])
        )
        group.addItem(
            pg.ScatterPlotItem(
                x=x, y=y, symbol="t1", size=12, brush=pg.mkBrush(color),
                pen=pg.mkPen("white", width=1), pxMode=True,
            )
        )  # fmt: skip
        for feature, px, py in list(zip(points, x.tolist(), y.tolist(), strict=True))[:MAX_LABELS]:
            label = OffsetTextItem(
                feature.name, color=color, anchor=(0.0, 0.5), pixel_offset=(9.0, 0.0)
            )
            label.setPos(px, py)
            group.addItem(label)
