"""The land under everything: all country polygons as one filled path on a sea background."""

from __future__ import annotations

from collections.abc import Iterable

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

from maps.geography import Country, polygons_to_nan_xy
from maps.projection import Projection

SEA = "#cfdbe5"
LAND = "#e9e6df"
LAND_OUTLINE = "#b9b4aa"

Z_LAND = -100


class CountryFillRenderer:
    """Countries as ONE ``QGraphicsPathItem``: a muted land fill with a hairline coast.

    The sea is the view's background colour (:data:`SEA`); no item is drawn for it.
    """

    def __init__(self, view: pg.ViewBox) -> None:
        self.item = QtWidgets.QGraphicsPathItem()
        self.item.setBrush(QtGui.QBrush(QtGui.QColor(LAND)))
        outline = QtGui.QPen(QtGui.QColor(LAND_OUTLINE), 1.0)
        outline.setCosmetic(True)  # one pixel whatever the zoom
        self.item.setPen(outline)
        self.item.setZValue(Z_LAND)
        view.addItem(self.item, ignoreBounds=True)  # the world must not drive auto-range

    def set_countries(self, countries: Iterable[Country], projection: Projection) -> None:
        x, y = polygons_to_nan_xy((country.geometry for country in countries), projection)
        path = pg.arrayToQPath(x, y, connect="finite") if len(x) else QtGui.QPainterPath()
        path.setFillRule(QtGui.Qt.FillRule.OddEvenFill)  # holes (lakes, enclaves) stay open
        self.item.setPath(path)

    def clear(self) -> None:
        self.item.setPath(QtGui.QPainterPath())
