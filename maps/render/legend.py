"""The map legend: sector impact fills, incident categories and patrol statuses on show."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg
from pyqtgraph.graphicsItems.LegendItem import ItemSample
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6 import QtCore, QtGui

from app.values import Category, ImpactLevel, PatrolStatus
from maps.render.incidents import SYMBOL_SCALE, category_style
from maps.render.patrols import PATROL_OUTLINE, PATROL_SYMBOL, status_colors
from maps.render.sectors import level_colors, level_fill

SAMPLE_SIZE = 13
TEXT_SIZE = "7.5pt"


class _Sample(ItemSample):
    """A fixed legend swatch: a filled square, a marker symbol, or nothing (a heading)."""

    def __init__(
        self,
        *,
        fill: QtGui.QColor | None = None,
        outline: str | None = None,
        symbol: str | None = None,
        symbol_size: float = 11.0,
    ) -> None:
        super().__init__(None)
        self._fill, self._outline = fill, outline
        self._symbol, self._symbol_size = symbol, symbol_size
        self.setFixedWidth(SAMPLE_SIZE)
        self.setFixedHeight(SAMPLE_SIZE)

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(0, 0, SAMPLE_SIZE, SAMPLE_SIZE)

    def paint(self, painter: QtGui.QPainter, *_: object) -> None:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        pen = pg.mkPen(self._outline, width=1.2) if self._outline else pg.mkPen(None)
        if self._fill is not None and self._symbol is None:
            painter.setPen(pen)
            painter.setBrush(QtGui.QBrush(self._fill))
            painter.drawRect(QtCore.QRectF(2, 3, SAMPLE_SIZE - 4, SAMPLE_SIZE - 6))
        elif self._symbol is not None:
            painter.translate(SAMPLE_SIZE / 2, SAMPLE_SIZE / 2)
            drawSymbol(painter, self._symbol, self._symbol_size, pen, QtGui.QBrush(self._fill))

    def mouseClickEvent(self, event: object) -> None:
        """A swatch stands for no item, so there is nothing to toggle."""


class _Toggle(pg.LabelItem):
    """The legend's title: a click folds the legend to this one line, or opens it again."""

    def __init__(self, on_click: Callable[[], None]) -> None:
        super().__init__("", color="#263238", size=TEXT_SIZE, justify="left")
        self._on_click = on_click

    def mouseClickEvent(self, event) -> None:
        if event.button() == QtCore.Qt.MouseButton.LeftButton:
            event.accept()
            self._on_click()


class MapLegend(pg.LegendItem):
    """A compact legend in the bottom-right corner of the view; it never moves with the map.

    Two columns (sector levels and patrol statuses | incident categories) keep it short, and a
    click on its title folds it to one line, so it hides as little of the map as possible.
    """

    toggled = QtCore.Signal(bool)  # folded

    def __init__(self, view: pg.ViewBox) -> None:
        super().__init__(
            offset=(-8, -20),  # bottom right, above the attribution line
            brush=pg.mkBrush(255, 255, 255, 225),
            pen=pg.mkPen("#b0b0b0"),
            labelTextColor="#263238",
            labelTextSize=TEXT_SIZE,
            verSpacing=0,
            horSpacing=3,
        )
        self.layout.setContentsMargins(4, 2, 4, 2)
        self.setParentItem(view)
        self.setZValue(1000)
        self.entries: list[str] = []
        self.collapsed = False
        self._columns: list[list[tuple[_Sample, str]]] = []
        self._title: _Toggle | None = None

    def set_contents(
        self,
        *,
        sector_levels: Iterable[ImpactLevel] = (),
        categories: Iterable[str] = (),
        patrol_statuses: Iterable[PatrolStatus] = (),
    ) -> None:
        levels, categories, statuses = list(sector_levels), list(categories), list(patrol_statuses)
        left: list[tuple[_Sample, str]] = []
        right: list[tuple[_Sample, str]] = []
        self.entries = []
        if levels:
            left.append(self._heading("Sector impact"))
            colors = level_colors()
            for level in levels:
                left.append(
                    self._entry(_Sample(fill=level_fill(level), outline=colors[level]), level.label)
                )
        if statuses:
            left.append(self._heading("Patrols"))
            colors = status_colors()
            for status in statuses:
                sample = _Sample(
                    fill=QtGui.QColor(colors[status]), outline=PATROL_OUTLINE, symbol=PATROL_SYMBOL
                )
                left.append(self._entry(sample, status.label))
        if categories:
            right.append(self._heading("Incidents"))
            for category in categories:
                color, symbol = category_style(category)
                size = 10.0 * SYMBOL_SCALE.get(symbol, 1.0)
                sample = _Sample(
                    fill=QtGui.QColor(color), outline="#ffffff", symbol=symbol, symbol_size=size
                )
                right.append(self._entry(sample, _category_label(category)))
        self._columns = [column for column in (left, right) if column]
        self._rebuild()
        self.setVisible(bool(self.entries))

    def toggle(self) -> None:
        self.collapsed = not self.collapsed
        self._rebuild()
        self.toggled.emit(self.collapsed)

    def _heading(self, text: str) -> tuple[_Sample, str]:
        return _Sample(), f"<b>{text}</b>"

    def _entry(self, sample: _Sample, text: str) -> tuple[_Sample, str]:
        self.entries.append(text)
        return sample, text

    def _rebuild(self) -> None:
        self.clear()
        if self._title is not None:
            self._removeItemFromLayout(self._title)
        self._title = _Toggle(self.toggle)
        self._title.setToolTip("Click to fold or unfold the legend")
        arrow = "▸" if self.collapsed else "▾"
        self._title.setText(f"<b>Legend</b> {arrow}")
        self.layout.addItem(self._title, 0, 0, 1, 2 * max(len(self._columns), 1))
        if not self.collapsed:
            for number, column in enumerate(self._columns):
                for row, (sample, text) in enumerate(column, start=1):
                    self._place(sample, text, row, 2 * number)
        self.layout.invalidate()
        self.updateSize()

    def _place(self, sample: _Sample, text: str, row: int, column: int) -> None:
        label = pg.LabelItem(text, color="#263238", justify="left", size=TEXT_SIZE)
        # The text document's default 4 px margin makes rows twice as tall as the text.
        label.item.document().setDocumentMargin(0)
        label.updateMin()
        self.items.append((sample, label))
        self.layout.addItem(sample, row, column, alignment=QtCore.Qt.AlignmentFlag.AlignVCenter)
        self.layout.addItem(label, row, column + 1)

    def updateSize(self) -> None:
        # The base class sums item widths row by row, which a title spanning the columns
        # would skew; the layout knows its own size.
        self.layout.activate()
        hint = self.layout.effectiveSizeHint(QtCore.Qt.SizeHint.PreferredSize)
        self.setGeometry(0, 0, hint.width(), hint.height())


def _category_label(category: str) -> str:
    try:
        return Category(category).label
    except ValueError:
        return category
