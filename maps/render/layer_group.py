"""A map layer on screen: one graphics group holding a renderer's items.

Visibility, opacity and stacking order are set once on the group and apply to every item of
the layer, including items the renderer creates later (a new incident chunk). The group offers
the few ViewBox calls renderers make, so a renderer is handed a group where it took the view.
"""

from __future__ import annotations

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg
from PySide6 import QtWidgets


class LayerGroup(pg.ItemGroup):
    def __init__(self, view: pg.ViewBox, name: str, z: float) -> None:
        super().__init__()
        self.name = name
        self._view = view
        self.setZValue(z)
        view.addItem(self, ignoreBounds=True)
        self.sigTransformChanged = view.sigTransformChanged

    def addItem(self, item: QtWidgets.QGraphicsItem, ignoreBounds: bool = False) -> None:
        item.setParentItem(self)

    def removeItem(self, item: QtWidgets.QGraphicsItem) -> None:
        scene = item.scene()
        if scene is not None:
            scene.removeItem(item)

    def viewPixelSize(self) -> tuple[float, float]:
        return self._view.viewPixelSize()

    def items_drawn(self) -> list[QtWidgets.QGraphicsItem]:
        return list(self.childItems())
