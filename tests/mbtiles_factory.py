"""A real MBTiles file for tests: plain-colour PNG tiles over a box, rows stored TMS-style."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def write_mbtiles(path: Path, zooms: range, png: bytes, *, box=(25.0, 40.0, 28.0, 43.0)) -> Path:
    import math

    def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
        n = 1 << z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        return x, y

    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    db.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
        "tile_data BLOB)"
    )
    db.executemany(
        "INSERT INTO metadata VALUES (?, ?)",
        [("name", "test"), ("format", "png"), ("attribution", "Tiles: test pattern")],
    )
    for z in zooms:
        x0, y0 = tile_xy(box[0], box[3], z)
        x1, y1 = tile_xy(box[2], box[1], z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, png))
    db.commit()
    db.close()
    return path
