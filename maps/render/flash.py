"""Flashing rings that draw the eye to an alerted place for a few seconds."""

from __future__ import annotations

import time

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg
from PySide6 import QtCore

FLASH_COLOR = "#ff1744"
BLINK_MS = 350
Z_FLASH = 960


class FlashRenderer:
    """All flashing places in ONE scatter item, blinking until each one's time is up."""

    def __init__(self, view: pg.ViewBox) -> None:
        self.item = pg.ScatterPlotItem(
            size=30, symbol="o", brush=None, pen=pg.mkPen(FLASH_COLOR, width=3.5), pxMode=True
        )
        self.item.setZValue(Z_FLASH)
        view.addItem(self.item, ignoreBounds=True)
        self._places: list[tuple[float, float, float]] = []  # x, y, monotonic end
        self._timer = QtCore.QTimer(view)  # dies with the view, never ticks on a deleted item
        self._timer.setInterval(BLINK_MS)
        self._timer.timeout.connect(self._blink)

    @property
    def flashing(self) -> int:
        return len(self._places)

    def flash(self, x: float, y: float, seconds: float) -> None:
        if seconds <= 0:
            return
        self._places.append((x, y, time.monotonic() + seconds))
        self._show()
        if not self._timer.isActive():
            self._timer.start()

    def _show(self) -> None:
        self.item.setData([p[0] for p in self._places], [p[1] for p in self._places])
        self.item.setVisible(True)

    def _blink(self) -> None:
        now = time.monotonic()
        live = [place for place in self._places if place[2] > now]
        if len(live) != len(self._places):
            self._places = live
            self._show()
        if not self._places:
            self._timer.stop()
            self.item.clear()
            return
        self.item.setVisible(not self.item.isVisible())
