"""Incidents: one scatter item per category, built from numpy arrays so 100k points stay fluid.

Each category has ONE brush and ONE symbol (its EUROSUR group); impact is shown by size through
a per-point size array. Closed and dismissed incidents go to a second, dimmed item per category,
drawn under the open ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike

from app.values import Category, ImpactLevel, IncidentStatus

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

IMPACT_SIZES = {ImpactLevel.LOW: 7.0, ImpactLevel.MEDIUM: 10.0, ImpactLevel.HIGH: 13.0}
DEFAULT_SIZE = IMPACT_SIZES[ImpactLevel.MEDIUM]
_FINISHED = (IncidentStatus.CLOSED.value, IncidentStatus.DISMISSED.value)
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
    """Draws incidents given as parallel arrays; ``on_clicked(incident_id)`` reports a click."""

    def __init__(self, view: pg.ViewBox, on_clicked: Callable[[str], None] | None = None) -> None:
        self._view = view
        self.on_clicked = on_clicked
        # (category, finished) -> item, and the ids of that item's points in point order
        self._items: dict[tuple[str, bool], pg.ScatterPlotItem] = {}
        self._ids: dict[pg.ScatterPlotItem, np.ndarray] = {}
        self._outline = pg.mkPen(255, 255, 255, 210, width=0.8)

    def items(self) -> dict[tuple[str, bool], pg.ScatterPlotItem]:
        """The items holding points: key (category, finished)."""
        return {key: item for key, item in self._items.items() if item.isVisible()}

    def categories(self) -> list[str]:
        """Categories with at least one point drawn, in a stable order."""
        return sorted({category for category, _ in self.items()}, key=_category_order)

    def set_incidents(
        self,
        ids: ArrayLike | Sequence[str],
        x: ArrayLike,
        y: ArrayLike,
        categories: Sequence[str],
        impacts: Sequence[str],
        statuses: Sequence[str],
    ) -> None:
        """Replace all incidents. ``x``/``y`` are display coordinates (already projected)."""
        ids_a = np.asarray(ids, dtype=object)
        x_a = np.asarray(x, dtype=np.float64)
        y_a = np.asarray(y, dtype=np.float64)
        count = len(ids_a)
        if not (len(x_a) == len(y_a) == len(categories) == len(impacts) == len(statuses) == count):
            raise ValueError("ids, x, y, categories, impacts and statuses differ in length")
        category_a = np.asarray(categories, dtype=str)
        sizes = _lookup(np.asarray(impacts, dtype=str), IMPACT_SIZES, DEFAULT_SIZE)
        finished = np.isin(np.asarray(statuses, dtype=str), _FINISHED)
        present: set[tuple[str, bool]] = set()
        if count:
            names, inverse = np.unique(category_a, return_inverse=True)
            for code, category in enumerate(names.tolist()):
                in_category = inverse == code
                for done in (False, True):
                    mask = in_category & (finished if done else ~finished)
                    if mask.any():
                        key = (category, done)
                        self._fill(key, ids_a[mask], x_a[mask], y_a[mask], sizes[mask])
                        present.add(key)
        for key, item in self._items.items():
            if key not in present and item.isVisible():
                item.clear()
                item.setVisible(False)
                self._ids[item] = np.empty(0, dtype=object)

    def clear(self) -> None:
        self.set_incidents([], [], [], [], [], [])

    def _fill(
        self,
        key: tuple[str, bool],
        ids: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        sizes: np.ndarray,
    ) -> None:
        item = self._items.get(key)
        if item is None:
            item = self._new_item(key)
        item.setData(x=x, y=y, size=sizes * SYMBOL_SCALE.get(category_style(key[0])[1], 1.0))
        item.setVisible(True)
        self._ids[item] = ids

    def _new_item(self, key: tuple[str, bool]) -> pg.ScatterPlotItem:
        category, finished = key
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


def _lookup(values: np.ndarray, table: dict, default: float) -> np.ndarray:
    """Map an array of strings through ``table`` via its few distinct values (fast for 100k)."""
    if not len(values):
        return np.empty(0)
    distinct, inverse = np.unique(values, return_inverse=True)
    mapped = np.array([table.get(value, default) for value in distinct.tolist()], dtype=float)
    return mapped[inverse]


def _category_order(category: str) -> int:
    members = list(Category)
    try:
        return members.index(Category(category))
    except ValueError:
        return len(members)
