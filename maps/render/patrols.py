"""Patrols at their last known position (a dark-outlined square coloured by CAD status), and
their tracks over the last hours (breadcrumbs)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from app.domain import Patrol
from app.values import PatrolStatus
from maps.geography import lines_to_nan_xy
from maps.projection import Projection
from maps.render.label_layout import MapLabel
from maps.render.labels import OffsetTextItem

_STATUS_COLORS = {
    PatrolStatus.AVAILABLE: "#2e7d32",
    PatrolStatus.EN_ROUTE: "#1565c0",
    PatrolStatus.ON_SCENE: "#d32f2f",
    PatrolStatus.RETURNING: "#5c7d99",
    PatrolStatus.PLANNED: "#8d8d8d",
    PatrolStatus.OFF_DUTY: "#cfcfcf",
}
PATROL_SYMBOL = "s"
PATROL_SIZE = 13.0
PATROL_OUTLINE = "#1b1f24"
LABEL_CLEARANCE = PATROL_SIZE / 2 + 3  # pixels between a square's centre and its call sign

# Call signs are left out when zoomed out past this many display units (metres) per pixel:
# neighbouring patrols' labels would pile up on each other. Closer in, the map's label layout
# places each beside its square where it covers no other label.
LABEL_MAX_UNITS_PER_PIXEL = 800.0

Z_TRACKS = 39
Z_PATROLS = 40
Z_PATROL_LABELS = 41
TRACK_COLOR = (27, 31, 36, 150)


def status_colors() -> dict[PatrolStatus, str]:
    return dict(_STATUS_COLORS)


class PatrolRenderer:
    """One scatter for all patrols (few of them), the status brushes shared, one label each."""

    def __init__(self, view: pg.ViewBox, on_clicked: Callable[[str], None] | None = None) -> None:
        """``on_clicked(patrol_id)`` reports a click on a patrol."""
        self._view = view
        self.on_clicked = on_clicked
        self._brushes = {status: pg.mkBrush(color) for status, color in _STATUS_COLORS.items()}
        self.scatter = pg.ScatterPlotItem(
            pxMode=True,
            symbol=PATROL_SYMBOL,
            size=PATROL_SIZE,
            pen=pg.mkPen(PATROL_OUTLINE, width=1.5),
            antialias=True,
        )
        self.scatter.setZValue(Z_PATROLS)
        self.scatter.sigClicked.connect(self.handle_points_clicked)
        view.addItem(self.scatter)
        self.track_curve = pg.PlotCurveItem(
            pen=pg.mkPen(TRACK_COLOR, width=1.5, style=QtCore.Qt.PenStyle.DotLine),
            connect="finite",
        )
        self.track_dots = pg.ScatterPlotItem(
            size=4, pen=None, brush=pg.mkBrush(*TRACK_COLOR), pxMode=True, symbol="o"
        )
        for item in (self.track_curve, self.track_dots):
            item.setZValue(Z_TRACKS)
            view.addItem(item, ignoreBounds=True)
        self.labels: list[OffsetTextItem] = []
        self._positions: list[tuple[float, float]] = []  # view coordinates, as the labels
        self._statuses: list[PatrolStatus] = []

    def statuses(self) -> list[PatrolStatus]:
        """Statuses of the patrols drawn, in CAD order (for a legend)."""
        present = set(self._statuses)
        return [status for status in PatrolStatus if status in present]

    def set_patrols(self, patrols: Iterable[Patrol], projection: Projection) -> None:
        """Replace all patrols; deleted ones and those without a position are skipped."""
        placed = [
            patrol
            for patrol in patrols
            if not patrol.deleted and patrol.lon is not None and patrol.lat is not None
        ]
        for label in self.labels:
            self._view.removeItem(label)
        self.labels = []
        self._positions = []
        self._statuses = [patrol.status for patrol in placed]
        if not placed:
            self.scatter.clear()
            return
        x, y = projection.forward(
            np.array([patrol.lon for patrol in placed]), np.array([patrol.lat for patrol in placed])
        )
        brushes = [self._brushes[patrol.status] for patrol in placed]
        self.scatter.setData(x=x, y=y, brush=brushes, data=[patrol.id for patrol in placed])
        font = QtGui.QFont()
        font.setPointSizeF(8.0)
        font.setBold(True)
        for patrol, px, py in zip(placed, x.tolist(), y.tolist()):
            label = OffsetTextItem(
                patrol.call_sign,
                color=PATROL_OUTLINE,
                fill=pg.mkBrush(255, 255, 255, 200),
                anchor=(0.0, 0.0),
            )
            label.setFont(font)
            _, height = label.pixel_size()
            label.set_pixel_offset(LABEL_CLEARANCE, -height / 2)  # right of the square
            label.setPos(px, py)
            label.setZValue(Z_PATROL_LABELS)
            self._view.addItem(label, ignoreBounds=True)
            self.labels.append(label)
            self._positions.append((px, py))

    def set_tracks(
        self, tracks: dict[str, list[tuple[int, float, float]]], projection: Projection
    ) -> None:
        """Breadcrumbs: each patrol's past positions as a dotted path with a dot per fix.

        All tracks are ONE curve (NaN between patrols) and ONE scatter, however many patrols.
        """
        paths = [[(lon, lat) for _, lon, lat in track] for track in tracks.values() if track]
        x, y = lines_to_nan_xy(paths, projection)
        if not len(x):
            self.track_curve.clear()
            self.track_dots.clear()
            return
        self.track_curve.setData(x, y, connect="finite")
        finite = np.isfinite(x)
        self.track_dots.setData(x[finite], y[finite])

    def handle_points_clicked(self, _item: object, points, _event: object = None) -> None:
        if len(points) and self.on_clicked is not None:
            self.on_clicked(str(points[0].data()))

    def clear(self) -> None:
        self.set_patrols((), Projection())
        self.set_tracks({}, Projection())

    def map_labels(self, units_per_pixel: float) -> list[MapLabel]:
        """Call signs for the label layout, beside their squares, when zoomed in enough."""
        wanted = units_per_pixel <= LABEL_MAX_UNITS_PER_PIXEL
        return [
            MapLabel(label, [position], clearance=LABEL_CLEARANCE, wanted=wanted)
            for label, position in zip(self.labels, self._positions, strict=True)
        ]

    def markers(self) -> list[tuple[float, float, float]]:
        """Where the squares are (view x, y, radius in pixels): no label may cover one."""
        return [(x, y, PATROL_SIZE / 2 + 1) for x, y in self._positions]
