"""Incidents: one scatter item per category (per chunk of 25k), so 100k points stay fluid.

Each category has ONE brush and ONE symbol (its EUROSUR group); impact is shown by size through
a per-point size array. Closed and dismissed incidents go to a second, dimmed item per category,
drawn under the open ones. The points come from an :class:`~maps.incident_layer.IncidentLayer`;
only its changed chunks are redrawn, within a time budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg

from app.values import Category
from maps.incident_layer import DEFAULT_SIZE, ChunkKey, IncidentLayer

_CATEGORY_COLORS = {
    Category.UNAUTHORISED_CROSSING: "#d81b60",
    Category.RISK_TO_LIFE: "#c62828",
    Category.SMUGGLING: "#6d4c41",
    Category.TRAFFICKING: "#7b1fa2",
    Category.DOCUMENT_FRAUD: "#3949ab",
    Category.SUSPECT_VEHICLE: "#00897b",
    Category.SUSPECT_VESSEL: "#0277bd",
    Category.SUSPECT_PERSON: "#00838f",
    Category.CRISIS_SAR: "#ef6c00",
    Category.OTHER: "#546e7a",
}
_GROUP_SYMBOLS = {
    "Unauthorised border crossing": "o",
    "Cross-border crime": "d",
    "Crisis situations": "star",
    "Other events": "h",
}
UNKNOWN_STYLE = ("#757575", "o")
# Thin symbols look smaller than a disc of the same nominal size; this evens them out.
SYMBOL_SCALE = {"star": 1.4, "d": 1.15}

FINISHED_ALPHA = 70

Z_FINISHED = 30
Z_OPEN = 31


def category_style(category: str) -> tuple[str, str]:
    """(colour, pyqtgraph symbol) of a category; unknown categories get a neutral grey dot."""
    try:
        member = Category(category)
    except ValueError:
        return UNKNOWN_STYLE
    return _CATEGORY_COLORS[member], _GROUP_SYMBOLS[member.group]


class IncidentRenderer:
    """Draws an :class:`IncidentLayer`: one scatter item per chunk, redrawn only when dirty.

    ``on_clicked(incident_id)`` reports a click on a point.
    """

    def __init__(
        self,
        view: pg.ViewBox,
        layer: IncidentLayer,
        on_clicked: Callable[[str], None] | None = None,
    ) -> None:
        self._view = view
        self.layer = layer
        self.on_clicked = on_clicked
        self._items: dict[ChunkKey, pg.ScatterPlotItem] = {}
        # The ids each item was last drawn with, in point order (the layer may have moved on).
        self._ids: dict[pg.ScatterPlotItem, np.ndarray] = {}
        self._pending: list[ChunkKey] = []
        self._outline = pg.mkPen(255, 255, 255, 210, width=0.8)

    def items(self) -> dict[ChunkKey, pg.ScatterPlotItem]:
        """The items holding points: key (category, finished, chunk number)."""
        return {key: item for key, item in self._items.items() if item.isVisible()}

    def categories(self) -> list[str]:
        """Categories with at least one point drawn, in a stable order."""
        return sorted({key[0] for key in self.items()}, key=_category_order)

    @property
    def pending(self) -> bool:
        """Whether changed chunks are still waiting to be drawn."""
        return bool(self._pending) or self.layer.dirty

    def draw(self, budget_s: float | None = None) -> bool:
        """Redraw changed chunks, for at most about ``budget_s`` (None: all of them).

        Returns True when everything is drawn; otherwise call again (from the event loop, so
        that panning and painting go on in between).
        """
        self._pending.extend(key for key in self.layer.take_dirty() if key not in self._pending)
        started = time.perf_counter()
        while self._pending:
            self._draw_chunk(self._pending.pop(0))
            if budget_s is not None and time.perf_counter() - started >= budget_s:
                break
        return not self._pending

    def _draw_chunk(self, key: ChunkKey) -> None:
        chunk = self.layer.chunk(key)
        item = self._items.get(key)
        if not len(chunk):
            if item is not None and item.isVisible():
                item.clear()
                item.setVisible(False)
                self._ids[item] = chunk.ids
            return
        if item is None:
            item = self._new_item(key)
        scale = SYMBOL_SCALE.get(category_style(key[0])[1], 1.0)
        item.setData(x=chunk.x, y=chunk.y, size=chunk.size * scale)
        item.setVisible(True)
        self._ids[item] = chunk.ids

    def _new_item(self, key: ChunkKey) -> pg.ScatterPlotItem:
        category, finished, _ = key
        color, symbol = category_style(category)
        fill = pg.mkColor(color)
        if finished:
            fill = fill.lighter(110)
            fill.setAlpha(FINISHED_ALPHA)
        brush = pg.mkBrush(fill)  # one brush for the whole item, never one per point
        item = pg.ScatterPlotItem(
            pxMode=True,
            symbol=symbol,
            brush=brush,
            pen=None if finished else self._outline,
            size=DEFAULT_SIZE,
            antialias=True,
            name=category,
        )
        item.setZValue(Z_FINISHED if finished else Z_OPEN)
        item.sigClicked.connect(self.handle_points_clicked)
        self._view.addItem(item)
        self._items[key] = item
        return item

    def handle_points_clicked(
        self, item: pg.ScatterPlotItem, points: Sequence, event: object = None
    ) -> None:
        """The scatter item's click: report the topmost clicked point's incident id."""
        if not len(points) or self.on_clicked is None:
            return
        ids = self._ids.get(item)
        index = points[0].index()
        if ids is not None and 0 <= index < len(ids):
            self.on_clicked(str(ids[index]))


def _category_order(category: str) -> int:
    members = list(Category)
    try:
        return members.index(Category(category))
    except ValueError:
        return len(members)
