"""An MBTiles file (SQLite tile store, the offline format of field tools) as a raster basemap.

Only the Web Mercator tile scheme exists in MBTiles; rows are stored bottom-up (TMS). Nothing
here draws: :meth:`MBTiles.tiles_for` says which tiles cover a view, :meth:`MBTiles.tile`
returns one tile's image bytes.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from app.errors import LimesError

HALF_WORLD = 20_037_508.342789244  # metres, half the Web Mercator square
TILE_PX = 256
MAX_TILES = 96  # a view never needs more; beyond, a coarser zoom is used


class MBTilesError(LimesError):
    pass


class MBTiles:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise MBTilesError(f"{self.path}: MBTiles file not found")
        try:
            self._db = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
            )
            rows = self._db.execute("SELECT name, value FROM metadata").fetchall()
            zooms = self._db.execute(
                "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles"
            ).fetchone()
        except sqlite3.DatabaseError as error:
            raise MBTilesError(f"{self.path}: not an MBTiles file ({error})") from None
        self.metadata = {str(name): str(value) for name, value in rows}
        if zooms[0] is None:
            raise MBTilesError(f"{self.path}: the MBTiles file holds no tiles")
        self.min_zoom, self.max_zoom = int(zooms[0]), int(zooms[1])
        self.attribution = self.metadata.get("attribution", "")

    def close(self) -> None:
        self._db.close()

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """Image bytes of the XYZ tile (y from the top), or None where the file has none."""
        row = self._db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, (1 << z) - 1 - y),
        ).fetchone()
        return None if row is None else bytes(row[0])

    def zoom_for(self, units_per_pixel: float) -> int:
        """The file's zoom whose tiles show closest to one tile pixel per screen pixel."""
        wanted = math.log2(2 * HALF_WORLD / TILE_PX / max(units_per_pixel, 1e-9))
        return min(max(round(wanted), self.min_zoom), self.max_zoom)

    def tiles_for(
        self, bounds: tuple[float, float, float, float], units_per_pixel: float
    ) -> list[tuple[int, int, int]]:
        """XYZ tiles covering ``bounds`` (Web Mercator x0, y0, x1, y1) at the fitting zoom."""
        z = self.zoom_for(units_per_pixel)
        while True:
            count = 1 << z
            size = 2 * HALF_WORLD / count
            x0, y0, x1, y1 = bounds
            columns = range(
                max(int((x0 + HALF_WORLD) // size), 0),
                min(int((x1 + HALF_WORLD) // size), count - 1) + 1,
            )
            rows = range(
                max(int((HALF_WORLD - y1) // size), 0),
                min(int((HALF_WORLD - y0) // size), count - 1) + 1,
            )
            if len(columns) * len(rows) <= MAX_TILES or z <= self.min_zoom:
                return [(z, x, y) for x in columns for y in rows]
            z -= 1


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Web Mercator (x0, y0, x1, y1) of an XYZ tile."""
    size = 2 * HALF_WORLD / (1 << z)
    x0 = -HALF_WORLD + x * size
    y1 = HALF_WORLD - y * size
    return x0, y1 - size, x0 + size, y1
