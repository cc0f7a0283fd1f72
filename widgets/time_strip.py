"""The time strip above the incident table: one lane per category on a UTC date axis.

Zoomed in, each incident is a mark coloured by impact; zoomed out (more marks than the eye can
tell apart), each lane shows counts per bin as bars scaled to the busiest bin. The strip only
draws the arrays it is given; the timeline panel reads them from the store.
"""

from __future__ import annotations

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from app.values import Category

LANES: tuple[str, ...] = tuple(c.value for c in Category)
LANE_LABELS = {
    "unauthorised_crossing": "Crossing",
    "risk_to_life": "Risk to life",
    "smuggling": "Smuggling",
    "trafficking": "Trafficking",
    "document_fraud": "Doc. fraud",
    "suspect_vehicle": "Vehicle",
    "suspect_vessel": "Vessel",
    "suspect_person": "Person",
    "crisis_sar": "Crisis / SAR",
    "other": "Other",
}
IMPACT_COLORS = {"low": "#2e7d32", "medium": "#e09000", "high": "#c62828"}
OUTAGE_BRUSH = (198, 40, 40, 38)  # a partner link down: a faint red band over every lane
BAR_COLOR = "#4a6fa5"
MIN_SPAN_S = 300.0  # zooming in beyond five minutes shows nothing more


class TimeStrip(pg.PlotWidget):
    """Emits ``window_changed`` (start, end in UTC ms) after the user zooms or pans, and
    ``mark_clicked`` (rowid) when an incident mark is clicked."""

    window_changed = QtCore.Signal(object, object)  # UTC ms exceed a C int
    mark_clicked = QtCore.Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w", axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        plot = self.getPlotItem()
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.showGrid(x=True, y=False, alpha=0.15)
        left = plot.getAxis("left")
        left.setTicks([[(i, LANE_LABELS[name]) for i, name in enumerate(LANES)]])
        left.setWidth(86)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setTextPen("#333")
            plot.getAxis(axis).setPen("#999")
        self.view: pg.ViewBox = plot.getViewBox()
        self.view.setMouseEnabled(x=True, y=False)
        self.view.setYRange(-0.7, len(LANES) - 0.3, padding=0)
        self.view.setLimits(minXRange=MIN_SPAN_S, yMin=-1, yMax=len(LANES))
        self.view.disableAutoRange()
        self.bars = pg.BarGraphItem(x0=[], y0=[], width=[], height=[], brush=BAR_COLOR, pen=None)
        self.marks = pg.ScatterPlotItem(size=9, pen=pg.mkPen("w", width=0.6), pxMode=True)
        self._brushes = {None: pg.mkBrush("#555")}
        self._brushes.update({impact: pg.mkBrush(c) for impact, c in IMPACT_COLORS.items()})
        self.marks.sigClicked.connect(self._on_marks_clicked)
        self.selection = pg.ScatterPlotItem(
            size=17, pen=pg.mkPen("#111", width=2.2), brush=None, pxMode=True
        )
        self.moment = pg.InfiniteLine(angle=90, pen=pg.mkPen("#6a1b9a", width=2))
        self.moment.setVisible(False)
        for item in (self.bars, self.marks, self.selection, self.moment):
            plot.addItem(item)
        self.setMinimumHeight(150)
        self._settle = QtCore.QTimer(self, singleShot=True, interval=180)
        self._settle.timeout.connect(self._emit_window)
        self.view.sigXRangeChanged.connect(self._on_range_changed)
        self._quiet = False
        self.mode = "empty"
        self.outages: list[tuple[pg.LinearRegionItem, pg.TextItem]] = []

    # -- what is shown ---------------------------------------------------------------------------

    def window(self) -> tuple[int, int]:
        start, end = self.view.viewRange()[0]
        return int(start * 1000), int(end * 1000)

    def set_window(self, start_ms: int, end_ms: int, *, notify: bool = True) -> None:
        """Show ``start..end``; ``notify=False`` when the table already shows this window."""
        self._quiet = True
        self.view.setXRange(start_ms / 1000, max(end_ms, start_ms + 1000) / 1000, padding=0)
        self._quiet = False
        if notify:
            self._settle.start()

    def show_marks(self, times_ms: np.ndarray, categories: np.ndarray, impacts, rowids) -> None:
        self.mode = "marks"
        self.bars.setOpts(x0=[], y0=[], width=[], height=[])
        lane_of = {name: i for i, name in enumerate(LANES)}
        self.marks.setData(
            x=np.asarray(times_ms, dtype=float) / 1000,
            y=np.array([lane_of.get(c, len(LANES) - 1) for c in categories], dtype=float),
            # Shared brushes: a new one per mark is a new symbol in pyqtgraph's atlas each
            # time (3,000 marks: 250 ms on the GUI thread, against 15 ms).
            brush=[self._brushes.get(i, self._brushes[None]) for i in impacts],
            data=np.asarray(rowids),
        )

    def show_counts(self, start_ms: int, bin_ms: int, counts: np.ndarray) -> None:
        """``counts`` of shape (lanes, bins): bars as tall as the bin's share of the busiest."""
        self.mode = "counts"
        self.marks.setData(x=[], y=[])
        lane, column = np.nonzero(counts)
        peak = counts.max() if counts.size else 0
        height = 0.8 * np.sqrt(counts[lane, column] / peak) if peak else np.zeros(0)
        self.bars.setOpts(
            x0=(start_ms + column * bin_ms) / 1000,
            y0=lane - 0.4,
            width=np.full(len(lane), bin_ms / 1000 * 0.9),
            height=height,
        )

    def mark_selected(self, time_ms: int | None, category: str | None) -> None:
        if time_ms is None or category not in LANES:
            self.selection.setData(x=[], y=[])
            return
        self.selection.setData(x=[time_ms / 1000], y=[LANES.index(category)])

    def show_outages(self, outages: list[tuple[int, int, str, str]]) -> None:
        """Partner link outages as faint red bands: (down ms, up ms, label, tooltip)."""
        plot = self.getPlotItem()
        for band, label in self.outages:
            plot.removeItem(band)
            plot.removeItem(label)
        self.outages = []
        for start_ms, end_ms, text, tip in outages:
            band = pg.LinearRegionItem(
                (start_ms / 1000, end_ms / 1000),
                movable=False,
                brush=pg.mkBrush(*OUTAGE_BRUSH),
                pen=pg.mkPen(198, 40, 40, 90),
            )
            band.setZValue(-10)  # under the marks
            band.setToolTip(tip)
            label = pg.TextItem(text, color="#b71c1c", anchor=(0, 0))
            label.setPos(start_ms / 1000, len(LANES) - 0.3)
            label.setToolTip(tip)
            plot.addItem(band)
            plot.addItem(label)
            self.outages.append((band, label))

    def show_moment(self, at_ms: int | None) -> None:
        """The replayed moment as a vertical line (hidden when live)."""
        self.moment.setVisible(at_ms is not None)
        if at_ms is not None:
            self.moment.setValue(at_ms / 1000)

    # -- events ----------------------------------------------------------------------------------

    def _on_range_changed(self, *_args) -> None:
        if not self._quiet:
            self._settle.start()

    def _emit_window(self) -> None:
        self.window_changed.emit(*self.window())

    def _on_marks_clicked(self, _item, points, _event) -> None:
        if len(points):
            self.mark_clicked.emit(int(points[0].data()))
