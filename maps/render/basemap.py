"""The land under everything: all country polygons as one filled path on a sea background."""

from __future__ import annotations

from collections.abc import Iterable

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg
import shapely
from PySide6 import QtCore, QtGui, QtWidgets

from maps.geography import Country, polygons_to_nan_xy
from maps.projection import Projection

SEA = "#cfdbe5"
LAND = "#e9e6df"
LAND_OUTLINE = "#b9b4aa"

Z_LAND = -100
CLIP_MARGIN = 1.0  # views of land kept on each side of the one shown
CLIP_SETTLE_MS = 60  # the land is clipped anew this long after the view left what is kept
WHOLE_WORLD_DEGREES = 240.0  # a view this wide in longitude keeps all the land


class CountryFillRenderer:
    """Countries as ONE ``QGraphicsPathItem``: a muted land fill with a hairline coast.

    The sea is the view's background colour (:data:`SEA`); no item is drawn for it. Qt fills
    and strokes every vertex of a path, seen or not, so once :meth:`follow` is given the view,
    the path holds only the land within :data:`CLIP_MARGIN` views around what is shown, and is
    clipped again shortly after the view leaves that area: a pan never waits for it.
    """

    def __init__(self, view: pg.ViewBox) -> None:
        self.item = QtWidgets.QGraphicsPathItem()
        self.item.setBrush(QtGui.QBrush(QtGui.QColor(LAND)))
        outline = QtGui.QPen(QtGui.QColor(LAND_OUTLINE), 1.0)
        outline.setCosmetic(True)  # one pixel whatever the zoom
        self.item.setPen(outline)
        self.item.setZValue(Z_LAND)
        view.addItem(self.item, ignoreBounds=True)  # the world must not drive auto-range
        self._geometries = np.empty(0, dtype=object)
        self._projection: Projection | None = None
        self._view: pg.ViewBox | None = None
        self.clip: tuple[float, float, float, float] | None = None  # view units; None: all land
        self._timer = QtCore.QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(CLIP_SETTLE_MS)
        self._timer.timeout.connect(self.update_clip)

    def follow(self, view: pg.ViewBox) -> None:
        """Clip the land to what ``view`` shows (with a margin), as the view moves."""
        self._view = view
        self._timer.setParent(view)
        view.sigRangeChanged.connect(self._moved)

    def set_countries(self, countries: Iterable[Country], projection: Projection) -> None:
        self._geometries = np.asarray([c.geometry for c in countries], dtype=object)
        self._projection = projection
        self.clip = None
        self._draw(self._geometries)
        self._timer.start()

    def clear(self) -> None:
        self._geometries = np.empty(0, dtype=object)
        self.clip = None
        self.item.setPath(QtGui.QPainterPath())

    def _shown(self) -> tuple[float, float, float, float] | None:
        if self._view is None:
            return None
        (x0, x1), (y0, y1) = self._view.viewRange()
        return x0, y0, x1, y1

    def _moved(self, *_args) -> None:
        shown = self._shown()
        if self.clip is not None and shown is not None:
            cx0, cy0, cx1, cy1 = self.clip
            x0, y0, x1, y1 = shown
            if cx0 <= x0 and cy0 <= y0 and x1 <= cx1 and y1 <= cy1:
                return  # still inside the land kept
        self._timer.start()

    def update_clip(self) -> None:
        """Keep the land around the view (all of it, when the view shows most of the world)."""
        shown = self._shown()
        if shown is None or self._projection is None or not len(self._geometries):
            return
        x0, y0, x1, y1 = shown
        dx, dy = (x1 - x0) * CLIP_MARGIN, (y1 - y0) * CLIP_MARGIN
        clip = (x0 - dx, y0 - dy, x1 + dx, y1 + dy)
        lon, lat = self._projection.inverse(
            [clip[0], clip[2], clip[0], clip[2]], [clip[1], clip[1], clip[3], clip[3]]
        )
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        whole = not (np.isfinite(lon).all() and np.isfinite(lat).all())  # past the projection
        if not whole:
            box = (
                max(lon.min(), -180),
                max(lat.min(), -90),
                min(lon.max(), 180),
                min(lat.max(), 90),
            )
            whole = box[2] - box[0] >= WHOLE_WORLD_DEGREES
        if whole:
            if self.clip is not None:
                self.clip = None
                self._draw(self._geometries)
            return
        self.clip = clip
        clipped = shapely.clip_by_rect(self._geometries, *box)
        self._draw(clipped[~shapely.is_empty(clipped)])

    def _draw(self, geometries) -> None:
        if self._projection is None or not len(geometries):
            self.item.setPath(QtGui.QPainterPath())
            return
        x, y = polygons_to_nan_xy(geometries, self._projection)
        path = pg.arrayToQPath(x, y, connect="finite") if len(x) else QtGui.QPainterPath()
        path.setFillRule(QtGui.Qt.FillRule.OddEvenFill)  # holes (lakes, enclaves) stay open
        self.item.setPath(path)
