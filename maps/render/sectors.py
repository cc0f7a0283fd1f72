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
from maps.label_placement import ON_AREA
from maps.projection import Projection
from maps.render.label_layout import MapLabel
from maps.render.labels import OffsetTextItem

_LEVEL_COLORS = {
    ImpactLevel.LOW: "#4caf50",
    ImpactLevel.MEDIUM: "#ffb300",
    ImpactLevel.HIGH: "#f4511e",
    ImpactLevel.CRITICAL: "#b71c1c",
}
FILL_ALPHA = 80  # of 255: the land and the border line stay visible through a sector
# A sector's name is shown once the sector spans this many pixels across on screen (and the
# label layout finds it a free place; else its name is in the hover text).
LABEL_MIN_PIXELS = 70
# Where along a sector its name may go: the top first, then slices of it along its length.
LABEL_SLICES = 4

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
        # (label, projected width, projected height, anchors in view coordinates) per sector
        self._labels: list[tuple[OffsetTextItem, float, float, list[tuple[float, float]]]] = []

    @property
    def level_items(self) -> dict[ImpactLevel, QtWidgets.QGraphicsPathItem]:
        return dict(self._level_items)

    @property
    def labels(self) -> list[OffsetTextItem]:
        return [label for label, *_ in self._labels]

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

    def clear(self) -> None:
        self._clear_labels()
        for item in self._level_items.values():
            item.setPath(QtGui.QPainterPath())

    def _add_label(self, sector: Sector, geometry: BaseGeometry, projection: Projection) -> None:
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        anchors = [projection.forward_point(point.x, point.y) for point in _label_anchors(geometry)]
        x0, y0 = projection.forward_point(min_lon, min_lat)
        x1, y1 = projection.forward_point(max_lon, max_lat)
        # A light backing keeps the name readable where it crosses the border line.
        label = OffsetTextItem(
            sector.name, color="#263238", fill=pg.mkBrush(255, 255, 255, 150), anchor=(0.0, 0.0)
        )
        font = QtGui.QFont()
        font.setPointSizeF(8.5)
        font.setBold(True)
        label.setFont(font)
        width, height = label.pixel_size()
        label.set_pixel_offset(-width / 2, -height / 2)
        label.setPos(*anchors[0])
        label.setZValue(Z_SECTOR_LABELS)
        self._label_view.addItem(label, ignoreBounds=True)
        self._labels.append((label, abs(x1 - x0), abs(y1 - y0), anchors))

    def _clear_labels(self) -> None:
        for label, *_ in self._labels:
            self._label_view.removeItem(label)
        self._labels = []

    def map_labels(self, units_per_pixel: float) -> list[MapLabel]:
        """Sector names for the label layout, for sectors big enough on screen to name."""
        return [
            MapLabel(
                label,
                anchors,
                offsets=ON_AREA,
                wanted=max(width, height) / units_per_pixel >= LABEL_MIN_PIXELS,
            )
            for label, width, height, anchors in self._labels
        ]


def _label_anchors(geometry: BaseGeometry) -> list[shapely.Point]:
    """Places inside a sector for its name: near its top (leaving the middle to patrols), then
    its middle, then the middle of each slice across its longer side."""
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    top = shapely.clip_by_rect(
        geometry, min_lon, max_lat - 0.2 * (max_lat - min_lat), max_lon, max_lat
    )
    anchors = [shapely.point_on_surface(geometry if top.is_empty else top)]
    anchors.append(shapely.point_on_surface(geometry))
    tall = (max_lat - min_lat) >= (max_lon - min_lon)
    for number in range(LABEL_SLICES):
        low, high = number / LABEL_SLICES, (number + 1) / LABEL_SLICES
        if tall:
            rect = (min_lon, min_lat + low * (max_lat - min_lat), max_lon,
                    min_lat + high * (max_lat - min_lat))  # fmt: skip
        else:
            rect = (min_lon + low * (max_lon - min_lon), min_lat,
                    min_lon + high * (max_lon - min_lon), max_lat)  # fmt: skip
        piece = shapely.clip_by_rect(geometry, *rect)
        if not piece.is_empty:
            anchors.append(shapely.point_on_surface(piece))
    return anchors
