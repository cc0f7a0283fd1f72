"""MBTiles: tile arithmetic, the TMS row flip, and clear errors on a bad file."""

from __future__ import annotations

import pytest

from maps.mbtiles import HALF_WORLD, MAX_TILES, MBTiles, MBTilesError, tile_bounds
from tests.mbtiles_factory import write_mbtiles


def test_tile_bounds_cover_the_world_at_zoom_zero_and_halve_each_zoom():
    assert tile_bounds(0, 0, 0) == pytest.approx((-HALF_WORLD, -HALF_WORLD, HALF_WORLD, HALF_WORLD))
    x0, y0, x1, y1 = tile_bounds(1, 1, 0)  # the north-east quarter
    assert (x0, y0) == pytest.approx((0.0, 0.0))
    assert (x1, y1) == pytest.approx((HALF_WORLD, HALF_WORLD))


def test_rows_are_read_bottom_up_and_zoom_follows_the_view(tmp_path):
    tiles = MBTiles(write_mbtiles(tmp_path / "t.mbtiles", range(5, 9), b"png-bytes"))
    assert (tiles.min_zoom, tiles.max_zoom) == (5, 8)
    assert tiles.attribution == "Tiles: test pattern"
    wanted = tiles.tiles_for((2.8e6, 4.9e6, 3.1e6, 5.3e6), 600.0)  # the Evros at 600 m/px
    assert wanted
    assert all(z == tiles.zoom_for(600.0) for z, _, _ in wanted)
    z, x, y = wanted[0]
    assert tiles.tile(z, x, y) == b"png-bytes"  # XYZ asked, TMS stored: the flip is right
    assert tiles.tile(z, x, (1 << z) - 1 - y) is None
    assert tiles.zoom_for(1e9) == 5  # clamped to what the file holds
    assert tiles.zoom_for(0.01) == 8


def test_a_huge_view_falls_back_to_a_coarser_zoom(tmp_path):
    tiles = MBTiles(write_mbtiles(tmp_path / "t.mbtiles", range(2, 12), b"x"))
    wanted = tiles.tiles_for((-HALF_WORLD, -HALF_WORLD, HALF_WORLD, HALF_WORLD), 100.0)
    assert len(wanted) <= MAX_TILES


def test_missing_and_broken_files_are_named(tmp_path):
    with pytest.raises(MBTilesError, match=r"nope\.mbtiles: MBTiles file not found"):
        MBTiles(tmp_path / "nope.mbtiles")
    (tmp_path / "bad.mbtiles").write_text("not a database")
    with pytest.raises(MBTilesError, match=r"bad\.mbtiles: not an MBTiles file"):
        MBTiles(tmp_path / "bad.mbtiles")
    empty = write_mbtiles(tmp_path / "empty.mbtiles", range(0), b"")
    with pytest.raises(MBTilesError, match="holds no tiles"):
        MBTiles(empty)
