"""The raster basemap: tiles of an MBTiles file under the vector layers, loaded for the view.

Tiles are read and decoded on a worker thread (its own read-only connection to the file), so
a pan never waits for up to :data:`~maps.mbtiles.MAX_TILES` PNG or JPEG decodes: the decoded
images come back through a queued signal and are drawn as they arrive. A tile that left the
view before its turn is skipped. Decoded tiles are kept (at most :data:`CACHE_TILES`); a view
change only asks for the tiles that came into sight and hides those that left, once the view
has settled. A missing tile, or bytes that are not an image, leave the vector land showing.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from maps.mbtiles import MBTiles, MBTilesError, tile_bounds

log = logging.getLogger(__name__)
CACHE_TILES = 400
Key = tuple[int, int, int]  # z, x, y (XYZ, y from the top)


class TileReader(QtCore.QObject):
    """Reads and decodes tiles on its own thread; ``decoded(key, image)`` on the GUI thread.

    ``image`` is a null QImage where the file has no tile or its bytes are not an image.
    """

    decoded = QtCore.Signal(object, object)

    def __init__(self, path, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="limes-tiles")
        self._local = threading.local()
        self._wanted: frozenset[Key] = frozenset()  # replaced whole: read by the worker
        self.closed = False
        self.decodes = 0  # tiles decoded so far (for tests and the benchmark)

    def request(self, keys: list[Key], wanted: frozenset[Key]) -> None:
        """Decode ``keys`` in order; any no longer in the latest ``wanted`` is skipped."""
        self._wanted = wanted
        if keys:
            self._executor.submit(self._read, keys)

    def close(self) -> None:
        self.closed = True
        self._wanted = frozenset()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _read(self, keys: list[Key]) -> None:
        tiles = self._tiles()
        for key in keys:
            if key not in self._wanted:
                continue  # panned away meanwhile: it will be asked for again if it comes back
            image = QtGui.QImage()
            if tiles is not None:
                try:
                    data = tiles.tile(*key)
                except Exception as error:  # a damaged file: say so once per tile, go on
                    log.warning("%s: tile %s unreadable (%s)", self._path, key, error)
                    data = None
                if data:
                    image = QtGui.QImage.fromData(data)
            self.decodes += 1
            if not self.closed:
                self.decoded.emit(key, image)

    def _tiles(self) -> MBTiles | None:
        """This thread's own connection to the file (SQLite connections stay in their thread)."""
        if not hasattr(self._local, "tiles"):
            try:
                self._local.tiles = MBTiles(self._path)
            except MBTilesError as error:
                log.warning("raster basemap: %s", error)
                self._local.tiles = None
        return self._local.tiles


class RasterBasemapRenderer:
    def __init__(self, view: pg.ViewBox, group, tiles: MBTiles) -> None:
        self._view = view
        self._group = group
        self.tiles = tiles  # for the tile arithmetic only; the reader has its own connection
        # Decoded tiles by key; None: nothing to draw there (no tile, or not an image).
        self._items: OrderedDict[Key, QtWidgets.QGraphicsPixmapItem | None] = OrderedDict()
        self.wanted: frozenset[Key] = frozenset()  # the tiles the view needs now
        self.shown: set[Key] = set()  # of those, the ones drawn
        self._asked: set[Key] = set()  # handed to the reader, not back yet
        self.reader = TileReader(tiles.path)
        self.reader.decoded.connect(self._on_decoded)
        self._timer = QtCore.QTimer(group)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.update_tiles)
        view.sigTransformChanged.connect(self._timer.start)
        group.destroyed.connect(self.reader.close)  # the map is gone: stop, draw nothing more
        self._timer.start()

    @property
    def pending(self) -> bool:
        """Whether tiles the view needs are still being decoded."""
        return bool(self._asked & self.wanted)

    def update_tiles(self) -> None:
        (x0, x1), (y0, y1) = self._view.viewRange()
        units_per_pixel, _ = self._view.viewPixelSize()
        if units_per_pixel <= 0:
            return
        wanted = self.tiles.tiles_for((x0, y0, x1, y1), units_per_pixel)
        self.wanted = frozenset(wanted)
        for key in self.shown - self.wanted:
            item = self._items.get(key)
            if item is not None:
                item.setVisible(False)
        self.shown &= self.wanted
        missing = []
        for key in wanted:
            if key in self._items:
                self._items.move_to_end(key)
                self._show(key)
            elif key not in self._asked:
                missing.append(key)
        # The middle of the view first: that is where the operator looks.
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        missing.sort(key=lambda key: _distance_to_tile(key, cx, cy))
        self._asked.update(missing)
        self._asked &= self.wanted  # skipped by the reader once they left: ask again later
        self.reader.request(missing, self.wanted)

    def _on_decoded(self, key: Key, image: QtGui.QImage) -> None:
        self._asked.discard(key)
        if self.reader.closed:
            return
        item = self._items[key] = self._item_for(key, image)
        if key in self.wanted:
            self._show(key)
        elif item is not None:
            item.setVisible(False)
        while len(self._items) > CACHE_TILES:
            old, item = self._items.popitem(last=False)
            self.shown.discard(old)
            if item is not None and item.scene() is not None:
                item.scene().removeItem(item)

    def _show(self, key: Key) -> None:
        item = self._items[key]
        if item is not None:
            item.setVisible(True)
            self.shown.add(key)

    def _item_for(self, key: Key, image: QtGui.QImage) -> QtWidgets.QGraphicsPixmapItem | None:
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


def _distance_to_tile(key: Key, x: float, y: float) -> float:
    x0, y0, x1, y1 = tile_bounds(*key)
    return ((x0 + x1) / 2 - x) ** 2 + ((y0 + y1) / 2 - y) ** 2
