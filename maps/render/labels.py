"""Text labels that sit a few pixels away from the point they name, at any zoom."""

from __future__ import annotations

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg
from PySide6 import QtCore


class OffsetTextItem(pg.TextItem):
    """A ``pg.TextItem`` shifted by a fixed offset in screen pixels (clears a marker)."""

    def __init__(self, *args: object, pixel_offset: tuple[float, float] = (0.0, 0.0), **kwargs):
        super().__init__(*args, **kwargs)
        self._pixel_offset = QtCore.QPointF(*pixel_offset)
        self.updateTextPos()

    @property
    def pixel_offset(self) -> tuple[float, float]:
        return self._pixel_offset.x(), self._pixel_offset.y()

    def set_pixel_offset(self, dx: float, dy: float) -> None:
        self._pixel_offset = QtCore.QPointF(dx, dy)
        self.updateTextPos()

    def pixel_size(self) -> tuple[float, float]:
        """Width and height of the text on screen (the item ignores the view's zoom)."""
        rect = self.textItem.boundingRect()
        return rect.width(), rect.height()

    def updateTextPos(self) -> None:
        super().updateTextPos()
        offset = getattr(self, "_pixel_offset", None)  # None while TextItem.__init__ runs
        if offset is not None:
            self.textItem.setPos(self.textItem.pos() + offset)
