"""The map legend: sector impact fills, incident categories and patrol statuses on show."""

from __future__ import annotations

from collections.abc import Iterable

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

SAMPLE_SIZE = 16


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


class MapLegend(pg.LegendItem):
    """A legend anchored in a corner of the view; it never moves with the map."""

    def __init__(self, view: pg.ViewBox) -> None:
        super().__init__(
            offset=(-10, 10),
            brush=pg.mkBrush(255, 255, 255, 225),
            pen=pg.mkPen("#b0b0b0"),
            labelTextColor="#263238",
            labelTextSize="8pt",
            verSpacing=0,
        )
        self.setParentItem(view)
        self.setZValue(1000)
        self.entries: list[str] = []

    def set_contents(
        self,
        *,
        sector_levels: Iterable[ImpactLevel] = (),
        categories: Iterable[str] = (),
        patrol_statuses: Iterable[PatrolStatus] = (),
    ) -> None:
        self.clear()
        self.entries = []
        levels, categories, statuses = list(sector_levels), list(categories), list(patrol_statuses)
        if levels:
            self._heading("Sector impact")
            colors = level_colors()
            for level in levels:
                self._entry(_Sample(fill=level_fill(level), outline=colors[level]), level.label)
        if categories:
            self._heading("Incidents")
            for category in categories:
                color, symbol = category_style(category)
                size = 11.0 * SYMBOL_SCALE.get(symbol, 1.0)
                sample = _Sample(
                    fill=QtGui.QColor(color), outline="#ffffff", symbol=symbol, symbol_size=size
                )
                self._entry(sample, _category_label(category))
        if statuses:
            self._heading("Patrols")
            colors = status_colors()
            for status in statuses:
                sample = _Sample(
                    fill=QtGui.QColor(colors[status]), outline=PATROL_OUTLINE, symbol=PATROL_SYMBOL
                )
                self._entry(sample, status.label)
        self.setVisible(bool(self.entries))

    def _heading(self, text: str) -> None:
        self._add(_Sample(), f"<b>{text}</b>")

    def _entry(self, sample: _Sample, text: str) -> None:
        self._add(sample, text)
        self.entries.append(text)

    def _add(self, sample: _Sample, text: str) -> None:
        self.addItem(sample, text)
        _, label = self.items[-1]
        # The text document's default 4 px margin makes rows twice as tall as the text.
        label.item.document().setDocumentMargin(1)
        label.updateMin()
        self.updateSize()


def _category_label(category: str) -> str:
    try:
        return Category(category).label
    except ValueError:
        return category
