"""Border sectors: translucent polygons filled by impact level, named when zoomed in enough."""

from __future__ import annotations

from collections.abc import Iterable

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg
import shapely
from PySide6 import QtGui, QtWidgets
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from app.domain import Sector
from app.values import ImpactLevel
from maps.geography import polygons_to_nan_xy
from maps.projection import Projection

_LEVEL_COLORS = {
    ImpactLevel.LOW: "#4caf50",
    ImpactLevel.MEDIUM: "#ffb300",
    ImpactLevel.HIGH: "#f4511e",
    ImpactLevel.CRITICAL: "#b71c1c",
}
FILL_ALPHA = 80  # of 255: the land and the border line stay visible through a sector
# A sector's name is shown once the sector spans this many pixels across on screen.
LABEL_MIN_PIXELS = 70

Z_SECTORS = 10
Z_SECTOR_LABELS = 60


def level_colors() -> dict[ImpactLevel, str]:
    """Outline colour of each impact level (the fill is the same colour, translucent)."""
    return dict(_LEVEL_COLORS)


def level_fill(level: ImpactLevel) -> QtGui.QColor:
    color = QtGui.QColor(_LEVEL_COLORS[level])
    color.setAlpha(FILL_ALPHA)
    return color


class SectorRenderer:
    """One path item per impact level (so at most four), one text label per sector."""

    def __init__(self, view: pg.ViewBox, labels: pg.ViewBox | None = None) -> None:
        """``labels``: where the names go (a layer of their own, over the incidents)."""
        self._view = view
        self._label_view = labels if labels is not None else view
        self._level_items: dict[ImpactLevel, QtWidgets.QGraphicsPathItem] = {}
        for rank, level in enumerate(ImpactLevel):
            item = QtWidgets.QGraphicsPathItem()
            item.setBrush(QtGui.QBrush(level_fill(level)))
            pen = QtGui.QPen(QtGui.QColor(_LEVEL_COLORS[level]), 1.5)
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setZValue(Z_SECTORS + rank)  # higher levels on top where sectors overlap
            view.addItem(item)
            self._level_items[level] = item
        # (label, projected width, projected height) per sector
        self._labels: list[tuple[pg.TextItem, float, float]] = []
        view.sigTransformChanged.connect(self._on_view_transform_changed)

    @property
    def level_items(self) -> dict[ImpactLevel, QtWidgets.QGraphicsPathItem]:
        return dict(self._level_items)

    @property
    def labels(self) -> list[pg.TextItem]:
        return [label for label, _, _ in self._labels]

    def set_sectors(self, sectors: Iterable[Sector], projection: Projection) -> None:
        """Replace all sectors; deleted ones are not drawn."""
        by_level: dict[ImpactLevel, list[BaseGeometry]] = {level: [] for level in ImpactLevel}
        self._clear_labels()
        for sector in sectors:
            if sector.deleted:
                continue
            geometry = shape(sector.geometry)
            by_level[sector.impact].append(geometry)
            self._add_label(sector, geometry, projection)
        for level, geometries in by_level.items():
            x, y = polygons_to_nan_xy(geometries, projection)
            path = pg.arrayToQPath(x, y, connect="finite") if len(x) else QtGui.QPainterPath()
            path.setFillRule(QtGui.Qt.FillRule.OddEvenFill)
            self._level_items[level].setPath(path)
        self._on_view_transform_changed()

    def clear(self) -> None:
        self._clear_labels()
        for item in self._level_items.values():
            item.setPath(QtGui.QPainterPath())

    def _add_label(self, sector: Sector, geometry: BaseGeometry, projection: Projection) -> None:
        # The name goes near the top of the sector, inside it, leaving its middle to patrols.
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        top = shapely.clip_by_rect(
            geometry, min_lon, max_lat - 0.2 * (max_lat - min_lat), max_lon, max_lat
        )
        anchor = shapely.point_on_surface(geometry if top.is_empty else top)
        x, y = projection.forward_point(anchor.x, anchor.y)
        x0, y0 = projection.forward_point(min_lon, min_lat)
        x1, y1 = projection.forward_point(max_lon, max_lat)
        label = pg.TextItem(sector.name, color="#263238", anchor=(0.5, 0.5))
        font = QtGui.QFont()
        font.setPointSizeF(8.5)
        font.setBold(True)
        label.setFont(font)
        label.setPos(x, y)
        label.setZValue(Z_SECTOR_LABELS)
        self._label_view.addItem(label, ignoreBounds=True)
        self._labels.append((label, abs(x1 - x0), abs(y1 - y0)))

    def _clear_labels(self) -> None:
        for label, _, _ in self._labels:
            self._label_view.removeItem(label)
        self._labels = []

    def _on_view_transform_changed(self, *_: object) -> None:
        pixel_w, pixel_h = self._view.viewPixelSize()
        if not pixel_w or not pixel_h:
            return
        for label, width, height in self._labels:
            label.setVisible(max(width / pixel_w, height / pixel_h) >= LABEL_MIN_PIXELS)
