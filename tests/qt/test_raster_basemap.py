"""The raster basemap decodes its tiles on a worker thread: panning never waits for them."""

from __future__ import annotations

import threading
import time

import pytest

from maps.mbtiles import MBTiles
from tests.mbtiles_factory import write_mbtiles
from widgets.map_view import MapView

EVROS = (25.8, 40.7, 27.0, 42.2)
TILE_READ_S = 0.02  # a slow disk or a big JPEG: 96 tiles would hold the GUI for 2 s


def _png(color: str) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


class _Reads:
    def __init__(self) -> None:
        self.threads: list[str] = []  # the thread of each tile read
        self.keys: list[tuple[int, int, int]] = []


@pytest.fixture
def slow_tiles(monkeypatch) -> _Reads:
    """Every tile read takes TILE_READ_S, and the threads that read are recorded."""
    reads = _Reads()
    read = MBTiles.tile

    def slow(self, z, x, y):
        reads.threads.append(threading.current_thread().name)
        reads.keys.append((z, x, y))
        time.sleep(TILE_READ_S)
        return read(self, z, x, y)

    monkeypatch.setattr(MBTiles, "tile", slow)
    return reads


def _view(qtbot, path) -> MapView:
    view = MapView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    view.show_region(*EVROS)
    view.set_raster_basemap(MBTiles(path))
    return view


def test_tiles_are_decoded_off_the_gui_thread_and_drawn_as_they_arrive(qtbot, tmp_path, slow_tiles):
    path = write_mbtiles(tmp_path / "evros.mbtiles", range(4, 12), _png("#ff00ff"))
    view = _view(qtbot, path)
    raster = view.raster
    started = time.perf_counter()
    raster.update_tiles()
    asked = time.perf_counter() - started
    assert len(raster.wanted) >= 12
    assert asked < len(raster.wanted) * TILE_READ_S / 4, "the GUI thread did not wait"
    qtbot.waitUntil(lambda: not raster.pending, timeout=15_000)
    assert raster.shown == raster.wanted
    assert slow_tiles.threads
    assert all(name.startswith("limes-tiles") for name in slow_tiles.threads)


def test_tiles_that_left_the_view_before_their_turn_are_not_decoded(qtbot, tmp_path, slow_tiles):
    path = write_mbtiles(tmp_path / "evros.mbtiles", range(4, 12), _png("#00ff00"))
    view = _view(qtbot, path)
    raster = view.raster
    raster.update_tiles()
    first = set(raster.wanted)
    view.show_region(40.0, 10.0, 41.0, 11.0)  # far away, off the file: nothing to read there
    raster.update_tiles()
    qtbot.waitUntil(lambda: not raster.pending, timeout=15_000)
    qtbot.wait(200)
    read_there = first.intersection(slow_tiles.keys)
    assert len(read_there) < len(first), "the worker skipped what the operator left"


def test_a_tile_that_is_not_an_image_leaves_the_land_and_the_others_draw(qtbot, tmp_path):
    import sqlite3

    path = write_mbtiles(tmp_path / "evros.mbtiles", range(4, 12), _png("#0000ff"))
    with sqlite3.connect(path) as db:
        broken = db.execute("SELECT COUNT(*) FROM tiles WHERE rowid % 2 = 0").fetchone()[0]
        db.execute("UPDATE tiles SET tile_data = x'00ff00' WHERE rowid % 2 = 0")
    assert broken
    view = _view(qtbot, path)
    raster = view.raster
    raster.update_tiles()
    qtbot.waitUntil(lambda: not raster.pending, timeout=15_000)
    assert raster.shown, "the good tiles are drawn"
    assert raster.shown < raster.wanted, "the broken ones are left out, nothing raised"
