"""Map labels laid out together so that none covers another, once the view has settled.

Renderers own their labels (text items) and say where each may sit; this layout asks every
source for its labels, most important source first (patrol call signs before sector names),
places them with :func:`maps.label_placement.place_labels` in screen pixels, and moves or hides
the text items. It runs a short while after the view stops changing, never on every frame of
a pan or zoom: meanwhile labels keep their pixel offsets and follow their places.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg
from PySide6 import QtCore

from maps.label_placement import BESIDE_POINT, Box, LabelRequest, place_labels
from maps.render.labels import OffsetTextItem

SETTLE_MS = 120  # the view counts as settled after this long without a change


@dataclass(eq=False)
class MapLabel:
    item: OffsetTextItem
    anchors: Sequence[tuple[float, float]]  # view coordinates, the preferred one first
    offsets: Sequence[tuple[float, float, int, int]] = BESIDE_POINT
    clearance: float = 0.0  # pixels between the anchor and the box (a marker's radius)
    wanted: bool = True  # False: not at this zoom (too small to name, too crowded to read)


LabelSource = Callable[[float], list[MapLabel]]  # units per pixel -> labels, by importance
MarkerSource = Callable[[], list[tuple[float, float, float]]]  # view x, y, radius in pixels
BoxSource = Callable[[], list[QtCore.QRectF]]  # scene rectangles (the legend)


class LabelLayout(QtCore.QObject):
    laid_out = QtCore.Signal()

    def __init__(self, view: pg.ViewBox, settle_ms: int = SETTLE_MS) -> None:
        super().__init__(view)  # goes with the view
        self._view = view
        self._sources: list[LabelSource] = []
        self._markers: list[MarkerSource] = []
        self._boxes: list[BoxSource] = []
        self.shown: dict[OffsetTextItem, Box] = {}  # the labels on screen and their boxes
        self.runs = 0
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(settle_ms)
        self._timer.timeout.connect(self.relayout)
        view.sigRangeChanged.connect(self.schedule)  # at once, before the next paint
        view.sigTransformChanged.connect(self.schedule)
        view.sigResized.connect(self.schedule)

    def add_labels(self, source: LabelSource) -> None:
        """Sources are placed in the order added: the first wins a contested place."""
        self._sources.append(source)
        self.schedule()

    def add_markers(self, source: MarkerSource) -> None:
        """Markers no label may cover (patrol squares)."""
        self._markers.append(source)

    def add_boxes(self, source: BoxSource) -> None:
        """Screen areas no label may go under (the legend)."""
        self._boxes.append(source)

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def schedule(self, *_: object) -> None:
        """Lay out again once the view has been still for a moment."""
        self._timer.start()

    def relayout(self) -> None:
        self._timer.stop()
        if self._view.getViewWidget() is None:  # not on screen (being torn down)
            return
        self._view.updateMatrix()  # the view may not have painted its latest range yet
        units_per_pixel, _ = self._view.viewPixelSize()
        if units_per_pixel <= 0:
            return
        self.runs += 1
        screen = self._view.sceneBoundingRect()
        obstacles = [self._marker_box(*marker) for source in self._markers for marker in source()]
        obstacles += [_box(rect) for source in self._boxes for rect in source()]
        labels: list[tuple[MapLabel, list[tuple[float, float]]]] = []  # with anchors on screen
        requests: list[LabelRequest] = []
        for source in self._sources:
            for label in source(units_per_pixel):
                anchors = self._on_screen(label.anchors, screen) if label.wanted else []
                if not anchors or not _layer_shown(label.item):
                    label.item.setVisible(False)
                    continue
                labels.append((label, [view for view, _ in anchors]))
                requests.append(
                    LabelRequest(
                        len(requests),
                        label.item.pixel_size(),
                        [scene for _, scene in anchors],
                        label.offsets,
                        label.clearance,
                    )
                )
        placements = place_labels(requests, obstacles)
        self.shown = {}
        for number, (label, anchors_shown) in enumerate(labels):
            placement = placements[number]
            if placement is None:
                label.item.setVisible(False)
                continue
            x, y = anchors_shown[placement.anchor]
            label.item.setPos(x, y)
            label.item.set_pixel_offset(*placement.top_left)
            label.item.setVisible(True)
            self.shown[label.item] = placement.box
        self.laid_out.emit()

    def _on_screen(
        self, anchors: Sequence[tuple[float, float]], screen: QtCore.QRectF
    ) -> list[tuple[tuple[float, float], tuple[float, float]]]:
        found = []
        for x, y in anchors:
            point = self._view.mapViewToScene(QtCore.QPointF(x, y))
            if screen.contains(point):
                found.append(((x, y), (point.x(), point.y())))
        return found

    def _marker_box(self, x: float, y: float, radius: float) -> Box:
        point = self._view.mapViewToScene(QtCore.QPointF(x, y))
        return (point.x() - radius, point.y() - radius, point.x() + radius, point.y() + radius)


def _box(rect: QtCore.QRectF) -> Box:
    return (rect.left(), rect.top(), rect.right(), rect.bottom())


def _layer_shown(item: OffsetTextItem) -> bool:
    """Whether the label's layer is switched on (its own visibility is ours to set)."""
    parent = item.parentItem()
    return parent is None or parent.isVisible()
