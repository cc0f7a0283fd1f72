"""International borders: the world's as thin grey, the operation's as a strong dark line.

All lines of a kind are ONE ``PlotCurveItem`` with NaN separators and ``connect='finite'``
(two items in total, whatever the number of lines).
"""

from __future__ import annotations

from collections.abc import Iterable

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg

from app.domain import BorderLine
from maps.geography import border_paths, lines_to_nan_xy
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
        self._set_curve(self.world_curve, lines_to_nan_xy(border_paths(world), projection))
        self._set_curve(
            self.operation_curve, lines_to_nan_xy(border_paths(highlighted), projection)
        )

    def clear(self) -> None:
        self.world_curve.clear()
        self.operation_curve.clear()

    @staticmethod
    def _set_curve(curve: pg.PlotCurveItem, xy: tuple[np.ndarray, np.ndarray]) -> None:
        x, y = xy
        if len(x):
            curve.setData(x, y, connect="finite")
        else:
            curve.clear()
