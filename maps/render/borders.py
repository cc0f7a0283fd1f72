"""International borders: the world's as thin grey, the operation's as a strong dark line.

All lines of a kind are ONE ``PlotCurveItem`` with NaN separators and ``connect='finite'``
(two items in total, whatever the number of lines). The world's lines are simplified per zoom
band (:data:`maps.geography.ZOOM_BANDS`), each band built the first time it is needed; the
operation's few lines are always drawn in full.
"""

from __future__ import annotations

from collections.abc import Iterable

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from app.domain import BorderLine
from maps.geography import ZOOM_BANDS, band_for, border_paths, lines_to_nan_xy
from maps.projection import Projection

WORLD_BORDER = "#9d978d"
OPERATION_BORDER = "#2b2f36"

Z_WORLD_BORDERS = 20
Z_OPERATION_BORDERS = 21


class BorderRenderer:
    def __init__(self, view: pg.ViewBox) -> None:
        self.world_curve = pg.PlotCurveItem(
            pen=pg.mkPen(WORLD_BORDER, width=1), connect="finite", antialias=True
        )
        self.operation_curve = pg.PlotCurveItem(
            pen=pg.mkPen(OPERATION_BORDER, width=2.5), connect="finite", antialias=True
        )
        self.world_curve.setZValue(Z_WORLD_BORDERS)
        self.operation_curve.setZValue(Z_OPERATION_BORDERS)
        view.addItem(self.world_curve, ignoreBounds=True)
        view.addItem(self.operation_curve)
        self._view = view
        self._world_paths: list = []
        self._projection: Projection | None = None
        self._bands: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.band: int | None = None
        # Zooming emits many transform changes; the band is chosen once they settle (and once
        # the first view range is set, not for the view's default range before it).
        self._band_timer = QtCore.QTimer(view)
        self._band_timer.setSingleShot(True)
        self._band_timer.setInterval(0)
        self._band_timer.timeout.connect(self.update_band)
        view.sigTransformChanged.connect(self._band_timer.start)

    def set_borders(
        self,
        world: Iterable[BorderLine],
        highlighted: Iterable[BorderLine],
        projection: Projection,
    ) -> None:
        """Replace both sets. A line in both is drawn once, highlighted."""
        highlighted = list(highlighted)
        strong_ids = {line.id for line in highlighted}
        world = [line for line in world if line.id not in strong_ids]
        self._world_paths = border_paths(world)
        self._projection = projection
        self._bands, self.band = {}, None
        self._band_timer.start()
        self._set_curve(
            self.operation_curve, lines_to_nan_xy(border_paths(highlighted), projection)
        )

    def clear(self) -> None:
        self._world_paths, self._bands, self.band = [], {}, None
        self.world_curve.clear()
        self.operation_curve.clear()

    def update_band(self) -> None:
        """Draw the world's lines simplified for the current zoom (built on first need)."""
        if self._projection is None:
            return
        units_per_pixel, _ = self._view.viewPixelSize()
        band = band_for(units_per_pixel) if units_per_pixel > 0 else 0
        if band == self.band:
            return
        self.band = band
        if band not in self._bands:
            self._bands[band] = lines_to_nan_xy(
                self._world_paths, self._projection, ZOOM_BANDS[band][1]
            )
        self._set_curve(self.world_curve, self._bands[band])

    @staticmethod
    def _set_curve(curve: pg.PlotCurveItem, xy: tuple[np.ndarray, np.ndarray]) -> None:
        x, y = xy
        if len(x):
            curve.setData(x, y, connect="finite")
        else:
            curve.clear()
