"""Reading import files row by row: CSV (streamed, UTF-8) and GeoJSON FeatureCollections.

A reader yields :class:`SourceRow` values, each a plain mapping of lower-cased column (or
property) names to cell values plus where it came from, so that an error can name the exact
row. Readers only split and decode; what a cell means is decided in :mod:`app.import_mapping`.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.csv_cells import unguarded
from app.errors import ImportFailedError

Progress = Callable[[int, float], None]
PROGRESS_EVERY = 5_000  # rows between two progress calls
# Bounds that keep a wrong or hostile file from exhausting memory. Every row is checked and
# held before the one commit (all or nothing), at about 2.5 KB a row: 250,000 rows is some
# 600 MB at the peak. A CSV row of the longest fields is under 100 KB.
MAX_ROWS = 250_000
MAX_LINE_BYTES = 1024 * 1024
MAX_JSON_BYTES = 64 * 1024 * 1024  # a GeoJSON file is parsed whole
# GeoJSON properties an import reads (app.import_mapping); given twice in different case,
# the file is ambiguous. Others are ignored, whatever their case.
READ_PROPERTIES = frozenset(
    [
        "id",
        "time",
        "lat",
        "lon",
        "category",
        "description",
        "title",
        "impact",
        "confidence",
        "status",
        "reported_by",
        "releasability",
        "dead",
        "missing",
        "route",
        "country",
        "source_url",
    ]
)


class ImportRowError(ImportFailedError):
    """An import refused because of one row: which file, which row, which field, why."""

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.row = row
        self.line = line
        self.field = field


@dataclass(frozen=True)
class SourceRow:
    """One data row: ``row`` counts data rows from 1 (CSV) or features from 0 (GeoJSON)."""

    cells: dict[str, Any]
    where: str  # how an error names this row, e.g. "data row 16 (file line 17, ...)"
    row: int
    line: int | None = None


@dataclass(frozen=True)
class Table:
    """The columns of a file and its rows (an iterator: read once, streamed)."""

    columns: tuple[str, ...]
    rows: Iterator[SourceRow]


def open_table(path: Path, progress: Progress | None = None) -> Table:
    """The rows of a CSV or GeoJSON file, chosen by extension (``.geojson``/``.json`` or CSV)."""
    if path.suffix.lower() in (".geojson", ".json"):
        return _geojson_table(path, progress)
    return _csv_table(path, progress)


# -- CSV ---------------------------------------------------------------------------------------


class _Position:
    """How far the line reader has got: lines handed out and bytes consumed."""

    def __init__(self, size: int) -> None:
        self.size = max(size, 1)
        self.lines = 0
        self.offset = 0

    @property
    def fraction(self) -> float:
        return min(self.offset / self.size, 1.0)


def _decoded_lines(raw: BinaryIO, path: Path, position: _Position) -> Iterator[str]:
    """UTF-8 lines (endings kept, as csv wants); a bad byte is reported with its file offset.

    Decoding line by line is exact for UTF-8: a line feed byte never occurs inside a
    multi-byte sequence, so each line decodes on its own. A line is read at most
    MAX_LINE_BYTES at a time, so a file without line breaks is refused, not swallowed.
    """
    while chunk := raw.readline(MAX_LINE_BYTES + 1):
        if len(chunk) > MAX_LINE_BYTES:
            raise ImportRowError(
                f"{path.name}: line {position.lines + 1} (byte offset {position.offset}): the "
                f"line is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB; this is not a CSV "
                "file of incidents or officers",
                line=position.lines + 1,
            )
        if b"\x00" in chunk:
            at = position.offset + chunk.index(b"\x00")
            raise ImportRowError(
                f"{path.name}: line {position.lines + 1} (byte offset {at}): the file holds a "
                "NUL byte, so it is not UTF-8 text (UTF-16, as some spreadsheets save "
                "'Unicode text', or a binary file); save it as 'CSV UTF-8' and import it again",
                line=position.lines + 1,
            )
        if position.lines == 0 and chunk.startswith(codecs.BOM_UTF8):
            chunk = chunk[len(codecs.BOM_UTF8) :]
            position.offset += len(codecs.BOM_UTF8)
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as error:
            at = position.offset + error.start
            raise ImportRowError(
                f"{path.name}: line {position.lines + 1} (byte offset {at}): the file is not "
                f"UTF-8 text (byte 0x{chunk[error.start]:02x}: {error.reason}); save it as "
                "UTF-8 (e.g. 'CSV UTF-8' in a spreadsheet) and import it again",
                line=position.lines + 1,
            ) from None
        position.lines += 1
        position.offset += len(chunk)
        yield text


def _csv_table(path: Path, progress: Progress | None) -> Table:
    try:
        raw = path.open("rb")
    except OSError as error:
        raise ImportFailedError(f"{path}: cannot open the file ({error.strerror})") from None
    position = _Position(os.fstat(raw.fileno()).st_size)
    reader = csv.reader(_decoded_lines(raw, path, position), strict=True)
    try:
        header = _next_csv_row(reader, path)
    except BaseException:
        raw.close()
        raise
    if header is None or not any(cell.strip() for cell in header):
        raw.close()
        raise ImportRowError(f"{path.name}: the file is empty (no header row)", line=1)
    columns = tuple(cell.strip().lower() for cell in header)
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raw.close()
            raise ImportRowError(f"{path.name}: line 1: column {name!r} appears twice", line=1)
        seen.add(name)
    return Table(columns, _csv_rows(raw, reader, path, columns, position, progress))


def _next_csv_row(reader: Any, path: Path) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        raise ImportRowError(
            f"{path.name}: file line {reader.line_num}: malformed CSV ({error})",
            line=reader.line_num,
        ) from None


def _csv_rows(
    raw: BinaryIO,
    reader: Any,
    path: Path,
    columns: tuple[str, ...],
    position: _Position,
    progress: Progress | None,
) -> Iterator[SourceRow]:
    with raw:
        number = 0
        while True:
            start_line = reader.line_num + 1
            cells = _next_csv_row(reader, path)
            if cells is None:
                break
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, or a spreadsheet's row of empty cells
            number += 1
            if number > MAX_ROWS:
                raise _too_many_rows(path, f"file line {start_line}")
            where = (
                f"{path.name}: data row {number} (file line {start_line}, "
                "counting the header as line 1)"
            )
            if len(cells) != len(columns):
                problem = "too few" if len(cells) < len(columns) else "too many"
                raise ImportRowError(
                    f"{where}: has {len(cells)} cells but the header has {len(columns)} "
                    f"({problem} cells{'; is the row truncated?' if problem == 'too few' else ''})",
                    row=number,
                    line=start_line,
                )
            cells = [unguarded(cell) for cell in cells]  # an export's '=... is text again
            yield SourceRow(dict(zip(columns, cells)), where, number, start_line)
            if progress is not None and number % PROGRESS_EVERY == 0:
                progress(number, position.fraction)
        if progress is not None:
            progress(number, 1.0)


# -- GeoJSON -----------------------------------------------------------------------------------


def _too_many_rows(path: Path, where: str) -> ImportRowError:
    return ImportRowError(
        f"{path.name}: {where}: the file has more than {MAX_ROWS:,} rows, the most one import "
        f"takes (it is checked whole before anything is written); split it into files of at "
        f"most {MAX_ROWS:,} rows",
        row=MAX_ROWS + 1,
    )


def _geojson_table(path: Path, progress: Progress | None) -> Table:
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_JSON_BYTES:
                raise ImportFailedError(
                    f"{path.name}: the file is {size / 1024 / 1024:,.0f} MiB; a GeoJSON import "
                    f"is read whole and may be at most {MAX_JSON_BYTES // 1024 // 1024} MiB "
                    "(split it, or import the incidents as CSV, which is streamed)"
                )
            data = handle.read()
    except OSError as error:
        raise ImportFailedError(f"{path}: cannot open the file ({error.strerror})") from None
    if not data.strip():
        raise ImportFailedError(f"{path.name}: the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailedError(
            f"{path.name}: byte offset {error.start}: the file is not UTF-8 text "
            f"({error.reason}); GeoJSON must be UTF-8"
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFailedError(
            f"{path.name}: line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})"
        ) from None
    except RecursionError:
        raise ImportFailedError(
            f"{path.name}: not GeoJSON (arrays or objects nested too deeply to read)"
        ) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ImportFailedError(f"{path.name}: is not a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise ImportFailedError(f"{path.name}: 'features' is not a list")
    if len(features) > MAX_ROWS:
        raise _too_many_rows(path, f"features[{MAX_ROWS}]")
    columns: set[str] = set()
    for feature in features:
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            columns.update(str(key).lower() for key in feature["properties"])
    columns.update(("id", "lat", "lon"))
    return Table(tuple(sorted(columns)), _features(path, features, progress))


def _features(path: Path, features: list[Any], progress: Progress | None) -> Iterator[SourceRow]:
    total = max(len(features), 1)
    for index, feature in enumerate(features):
        where = f"{path.name}: features[{index}] (feature index counted from 0)"
        yield SourceRow(_feature_cells(feature, where, index), where, index)
        if progress is not None and (index + 1) % PROGRESS_EVERY == 0:
            progress(index + 1, (index + 1) / total)
    if progress is not None:
        progress(len(features), 1.0)


def _feature_cells(feature: Any, where: str, index: int) -> dict[str, Any]:
    def fail(field: str, message: str) -> ImportRowError:
        return ImportRowError(f"{where}: {field}: {message}", row=index, field=field)

    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise fail("type", "is not a GeoJSON Feature")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        raise fail("geometry", "is not a Point (incidents are imported as points)")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        raise fail("geometry", "a Point needs coordinates [lon, lat]")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise fail("properties", "is not an object")
    cells: dict[str, Any] = {}
    for key, value in properties.items():
        name = str(key).lower()
        if name in cells and name in READ_PROPERTIES:  # "ID" and "id": which one is meant?
            raise fail(f"properties.{key}", f"is given twice (as {name!r} in another case)")
        cells[name] = value
    feature_id = feature.get("id")
    if cells.get("id") in (None, "") and feature_id not in (None, ""):
        if isinstance(feature_id, bool) or not isinstance(feature_id, str | int):
            raise fail("id", f"the feature id must be a string or a number, not {feature_id!r}")
        cells["id"] = feature_id
    cells["lon"], cells["lat"] = coordinates[0], coordinates[1]
    return cells
