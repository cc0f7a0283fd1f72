"""Tools on the map: measuring a leg between two clicks, and the right-click menu."""

from __future__ import annotations

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

from app.coordinates import format_position
from maps.measure import Leg
from widgets.map_view import MapView

MEASURE_COLOR = "#0d47a1"
Z_MEASURE = 950


class MeasureTool(QObject):
    """While active, the first click sets the start, the second the end; a third starts anew."""

    measured = Signal(object)  # the Leg, or None when cleared

    def __init__(self, view: MapView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self.active = False
        self._start: tuple[float, float] | None = None
        self.leg: Leg | None = None
        pen = pg.mkPen(MEASURE_COLOR, width=2.5, style=pg.QtCore.Qt.PenStyle.DashLine)
        self._line = pg.PlotCurveItem(pen=pen)
        self._ends = pg.ScatterPlotItem(
            size=9, symbol="o", pen=pg.mkPen("white", width=1.5), brush=pg.mkBrush(MEASURE_COLOR)
        )
        for item in (self._line, self._ends):
            item.setZValue(Z_MEASURE)
            view.view.addItem(item, ignoreBounds=True)

    def set_active(self, active: bool) -> None:
        self.active = active
        self.clear()

    def clear(self) -> None:
        self._start, self.leg = None, None
        self._line.clear()
        self._ends.clear()
        self.measured.emit(None)

    def click(self, lon: float, lat: float) -> None:
        if not self.active:
            return
        if self._start is None or self.leg is not None:
            self.clear()
            self._start = (lon, lat)
            self._ends.setData(*map(list, self._view.projection.forward([lon], [lat])))
            return
        self.leg = Leg(self._start, (lon, lat))
        x, y = self._view.projection.forward(*self.leg.path())
        self._line.setData(x, y)
        self._ends.setData([x[0], x[-1]], [y[0], y[-1]])
        self.measured.emit(self.leg)


class MapContextMenu(QMenu):
    """What can be done at a place: report an incident there, report the selected patrol
    there (a position radioed in, until field devices report it), measure from it, copy it."""

    def __init__(
        self,
        lon: float,
        lat: float,
        coordinate_format: str,
        *,
        on_new_incident,
        on_measure_from,
        patrol: tuple[str, str] | None = None,
        on_patrol_here=None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        position = format_position(lon, lat, coordinate_format)
        self.setTitle(position)
        header = self.addAction(position)
        header.setEnabled(False)
        self.addSeparator()
        self.new_incident = self.addAction("New incident here…")
        self.new_incident.triggered.connect(lambda: on_new_incident(lon, lat))
        self.patrol_here = None
        if patrol is not None and on_patrol_here is not None:
            patrol_id, call_sign = patrol
            self.patrol_here = self.addAction(f"{call_sign} is here (position report)")
            self.patrol_here.triggered.connect(lambda: on_patrol_here(patrol_id, lon, lat))
        self.measure = self.addAction("Measure from here")
        self.measure.triggered.connect(lambda: on_measure_from(lon, lat))
        self.copy = self.addAction("Copy position")
        self.copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(position))

    def show_at(self, screen_pos: QPoint) -> None:
        self.popup(screen_pos)  # not exec(): the map keeps running live updates meanwhile
