"""The raster basemap: tiles of an MBTiles file under the vector layers, loaded for the view.

Tiles are decoded once and kept (at most :data:`CACHE_TILES`); a view change only adds the
tiles that came into sight and hides those that left, once the view has settled.
"""

from __future__ import annotations

from collections import OrderedDict

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from maps.mbtiles import MBTiles, tile_bounds

CACHE_TILES = 400


class RasterBasemapRenderer:
    def __init__(self, view: pg.ViewBox, group, tiles: MBTiles) -> None:
        self._view = view
        self._group = group
        self.tiles = tiles
        self._items: OrderedDict[tuple[int, int, int], QtWidgets.QGraphicsPixmapItem | None] = (
            OrderedDict()
        )
        self.shown: set[tuple[int, int, int]] = set()
        self._timer = QtCore.QTimer(group)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.update_tiles)
        view.sigTransformChanged.connect(self._timer.start)
        self._timer.start()

    def update_tiles(self) -> None:
        (x0, x1), (y0, y1) = self._view.viewRange()
        units_per_pixel, _ = self._view.viewPixelSize()
        if units_per_pixel <= 0:
            return
        wanted = set(self.tiles.tiles_for((x0, y0, x1, y1), units_per_pixel))
        for key in self.shown - wanted:
            item = self._items.get(key)
            if item is not None:
                item.setVisible(False)
        for key in wanted:
            if key not in self._items:
                self._items[key] = self._load(key)
            self._items.move_to_end(key)
            item = self._items[key]
            if item is not None:
                item.setVisible(True)
        self.shown = wanted
        while len(self._items) > CACHE_TILES:
            key, item = self._items.popitem(last=False)
            if item is not None and item.scene() is not None:
                item.scene().removeItem(item)

    def _load(self, key: tuple[int, int, int]) -> QtWidgets.QGraphicsPixmapItem | None:
        data = self.tiles.tile(*key)
        image = QtGui.QImage.fromData(data) if data else QtGui.QImage()
        if image.isNull():
            return None  # no tile there, or not an image: the vector land shows through
        item = QtWidgets.QGraphicsPixmapItem(QtGui.QPixmap.fromImage(image))
        item.setTransformationMode(QtCore.Qt.TransformationMode.SmoothTransformation)
        x0, y0, x1, y1 = tile_bounds(*key)
        # Pixmap rows run down, the map's y runs up: scale to the tile and flip.
        scale_x = (x1 - x0) / image.width()
        scale_y = (y1 - y0) / image.height()
        item.setTransform(QtGui.QTransform(scale_x, 0, 0, -scale_y, x0, y1))
        self._group.addItem(item)
        return item
