"""Which incidents the timeline shows: a filter compiled to one indexed SQL query.

A filter never loads incidents into Python. It yields row ids in display order (what the lazy
table holds, 8 bytes each), counts per time bin (the strip's histogram) and, for a short
window, the few columns the strip draws as marks. The sector criterion is spatial (incidents
carry a position, not a sector): the sector's bounding box goes into SQL and only the
positions inside it are tested against the polygon, vectorised.

Text search matches the words anywhere in the title, description or id, ignoring case for
ASCII letters (SQLite's ``LIKE``); all words must appear (in any field).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import chain
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection

from app.errors import ValidationError
from app.values import Category, ImpactLevel, IncidentStatus

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
SHIFT_STARTS_UTC = (6, 14, 22)
"""Shift changes (UTC hours) for "this shift": the common three-shift day of border centers."""

VISIBLE = "deleted = 0 AND complete = 1"


class QuickRange(StrEnum):
    LAST_HOUR = "last_hour"
    THIS_SHIFT = "this_shift"
    LAST_24H = "last_24h"
    LAST_7D = "last_7d"

    @property
    def label(self) -> str:
        return {
            QuickRange.LAST_HOUR: "Last hour",
            QuickRange.THIS_SHIFT: "This shift",
            QuickRange.LAST_24H: "24 h",
            QuickRange.LAST_7D: "7 days",
        }[self]

    def window(self, now_ms: int) -> tuple[int, int]:
        """(start, end) in UTC ms; the end is ``now`` (incidents reported ahead count too)."""
        if self is QuickRange.LAST_HOUR:
            return now_ms - HOUR_MS, now_ms
        if self is QuickRange.LAST_24H:
            return now_ms - DAY_MS, now_ms
        if self is QuickRange.LAST_7D:
            return now_ms - 7 * DAY_MS, now_ms
        return shift_start(now_ms), now_ms


def shift_start(now_ms: int) -> int:
    """Start of the shift running at ``now`` (the last of SHIFT_STARTS_UTC at or before it)."""
    now = datetime.fromtimestamp(now_ms / 1000, tz=UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = [midnight + timedelta(hours=h) for h in (SHIFT_STARTS_UTC[-1] - 24, *SHIFT_STARTS_UTC)]
    start = max(s for s in starts if s <= now)
    return int(start.timestamp() * 1000)


@dataclass(frozen=True)
class IncidentFilter:
    """The criteria of the timeline; empty sets and ``None`` mean "any".

    ``quick`` (a rolling range) wins over ``start_ms``/``end_ms`` when resolved with a time:
    a saved view "last 24 h" still means the last 24 hours when opened next week.
    """

    start_ms: int | None = None
    end_ms: int | None = None  # exclusive
    quick: QuickRange | None = None
    categories: frozenset[str] = frozenset()
    impacts: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    owners: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()  # sector ids
    text: str = ""

    def __post_init__(self) -> None:
        for name, enum in (
            ("categories", Category),
            ("impacts", ImpactLevel),
            ("statuses", IncidentStatus),
        ):
            known = {member.value for member in enum}
            unknown = sorted(set(getattr(self, name)) - known)
            if unknown:
                raise ValidationError(name, f"unknown value(s) {', '.join(unknown)}")
        if self.start_ms is not None and self.end_ms is not None and self.end_ms < self.start_ms:
            raise ValidationError("end", "is before the start")

    def resolved(self, now_ms: int) -> IncidentFilter:
        """This filter with a quick range turned into its start at ``now``, open-ended so that
        incidents logged afterwards still show."""
        if self.quick is None:
            return self
        return replace(self, start_ms=self.quick.window(now_ms)[0], end_ms=None)

    def with_window(self, start_ms: int | None, end_ms: int | None) -> IncidentFilter:
        return replace(self, start_ms=start_ms, end_ms=end_ms, quick=None)

    @property
    def words(self) -> list[str]:
        return self.text.split()

    # -- saved views ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("categories", "impacts", "statuses", "owners", "sectors"):
            data[name] = sorted(data[name])
        data["quick"] = self.quick.value if self.quick else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IncidentFilter:
        try:
            return cls(
                start_ms=data.get("start_ms"),
                end_ms=data.get("end_ms"),
                quick=QuickRange(data["quick"]) if data.get("quick") else None,
                categories=frozenset(data.get("categories", ())),
                impacts=frozenset(data.get("impacts", ())),
                statuses=frozenset(data.get("statuses", ())),
                owners=frozenset(data.get("owners", ())),
                sectors=frozenset(data.get("sectors", ())),
                text=str(data.get("text", "")),
            )
        except (TypeError, ValueError) as error:
            raise ValidationError("view", f"is not a saved filter ({error})") from None


@dataclass
class Compiled:
    """A filter as SQL: ``where`` and its parameters, plus the sector polygon to test after."""

    where: str
    params: list[Any] = field(default_factory=list)
    area: Any = None  # shapely geometry, or None


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def compile_filter(connection: Connection, criteria: IncidentFilter) -> Compiled:
    """The WHERE clause of ``criteria`` (quick ranges must be resolved first)."""
    clauses = [VISIBLE]
    params: list[Any] = []
    if criteria.start_ms is not None:
        clauses.append("occurred_at >= ?")
        params.append(criteria.start_ms)
    if criteria.end_ms is not None:
        clauses.append("occurred_at < ?")
        params.append(criteria.end_ms)
    for column, values in (
        ("category", criteria.categories),
        ("impact", criteria.impacts),
        ("status", criteria.statuses),
        ("owner", criteria.owners),
    ):
        if values:
            clauses.append(f"{column} IN ({','.join('?' * len(values))})")
            params += sorted(values)
    for word in criteria.words:
        clauses.append(
            "(title LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')"
        )
        params += [_like(word)] * 3
    area = None
    if criteria.sectors:
        area = sector_area(connection, criteria.sectors)
        if area is None:
            clauses.append("0")
        else:
            west, south, east, north = area.bounds
            clauses.append("lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?")
            params += [west, east, south, north]
    return Compiled(" AND ".join(clauses), params, area)


def sector_area(connection: Connection, sector_ids: frozenset[str]) -> Any:
    """The union of the visible sectors' polygons, or None if none of them exists."""
    rows = connection.exec_driver_sql(
        f"SELECT geometry FROM sectors WHERE {VISIBLE} AND id IN "
        f"({','.join('?' * len(sector_ids))})",
        tuple(sorted(sector_ids)),
    ).fetchall()
    shapes = [shapely.from_geojson(json.dumps(json.loads(row[0]))) for row in rows if row[0]]
    if not shapes:
        return None
    area = shapely.union_all(shapes)
    shapely.prepare(area)
    return area


def _inside(area: Any, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return shapely.intersects_xy(area, lon, lat)


CHUNK = 65_536
"""Rows fetched at a time by a long read; between chunks it checks whether it is still wanted."""


class ReadSuperseded(Exception):
    """A read given up half-way because a newer one replaced it (its ``stop()`` said so)."""


def _driver(connection: Connection) -> Any:
    """The DB-API connection under ``connection``, inside its transaction (same snapshot).

    Its cursor yields plain tuples: no SQLAlchemy Row per row, a third of the time of a million
    row ids."""
    return connection.connection.driver_connection


def _fetch_chunks(cursor: Any, size: int, stop: Callable[[], bool] | None) -> Iterator[list]:
    try:
        while rows := cursor.fetchmany(size):
            yield rows
            if stop is not None and stop():
                raise ReadSuperseded
    finally:
        cursor.close()


def filtered_rowids(
    connection: Connection,
    criteria: IncidentFilter,
    *,
    newest_first: bool = True,
    limit: int | None = None,
    stop: Callable[[], bool] | None = None,
) -> np.ndarray:
    """Row ids of the matching incidents in display order (newest first by default; equal
    times in a stable order).

    ``limit``: only the first ``limit`` of them (the same order: a prefix of the whole list),
    read in a few ms from the timeline index when the filter matches often. ``stop``: called
    between chunks of a long read; once it returns True the read raises ReadSuperseded.
    """
    compiled = compile_filter(connection, criteria)
    # Equal times stay in the timeline index's order: any tie-break column would make SQLite
    # sort (2.3 s -> 0.34 s for a million ids without one).
    order = "DESC" if newest_first else "ASC"
    tail = f"ORDER BY occurred_at {order}"
    params = tuple(compiled.params)
    if compiled.area is None:
        if limit is not None:
            tail += f" LIMIT {max(0, int(limit))}"
        cursor = _driver(connection).execute(
            f"SELECT rowid FROM incidents WHERE {compiled.where} {tail}", params
        )
        parts = [
            np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows))
            for rows in _fetch_chunks(cursor, CHUNK, stop)
        ]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    # A sector: the bounding box in SQL, the polygon tested per chunk, until ``limit`` are in.
    cursor = _driver(connection).execute(
        f"SELECT rowid, lon, lat FROM incidents WHERE {compiled.where} {tail}", params
    )
    kept, found = [], 0
    for rows in _fetch_chunks(cursor, CHUNK, stop):
        table = np.array(rows, dtype=float)
        inside = table[_inside(compiled.area, table[:, 1], table[:, 2]), 0].astype(np.int64)
        kept.append(inside)
        found += len(inside)
        if limit is not None and found >= limit:
            break
    rowids = np.concatenate(kept) if kept else np.empty(0, dtype=np.int64)
    return rowids if limit is None else rowids[: max(0, int(limit))]


def time_range(connection: Connection, criteria: IncidentFilter) -> tuple[int, int] | None:
    """First and last occurred_at among the matching incidents (None when nothing matches)."""
    compiled = compile_filter(connection, criteria)
    if compiled.area is None:
        row = connection.exec_driver_sql(
            f"SELECT MIN(occurred_at), MAX(occurred_at) FROM incidents WHERE {compiled.where}",
            tuple(compiled.params),
        ).fetchone()
        return None if row[0] is None else (row[0], row[1])
    times = marks(connection, criteria)["occurred_at"]
    return (int(times.min()), int(times.max())) if len(times) else None


def within(criteria: IncidentFilter, start_ms: int, end_ms: int) -> IncidentFilter:
    """``criteria`` narrowed to the window ``start..end`` (what the strip shows)."""
    start = start_ms if criteria.start_ms is None else max(start_ms, criteria.start_ms)
    end = end_ms if criteria.end_ms is None else min(end_ms, criteria.end_ms)
    return replace(criteria, start_ms=start, end_ms=max(start, end), quick=None)


def histogram(
    connection: Connection,
    criteria: IncidentFilter,
    start_ms: int,
    end_ms: int,
    bin_ms: int,
    *,
    lanes: tuple[str, ...] = (),
) -> np.ndarray:
    """Matching incidents per bin of ``bin_ms`` from ``start_ms`` to ``end_ms``, counted in
    SQL. With ``lanes`` (category values): one row of counts per lane, shape (lanes, bins)."""
    bins = max(1, -(-(end_ms - start_ms) // bin_ms))
    windowed = within(criteria, start_ms, end_ms)
    counts = np.zeros((max(1, len(lanes)), bins), dtype=np.int64)
    lane_of = {name: index for index, name in enumerate(lanes)}
    if windowed.end_ms > windowed.start_ms:
        compiled = compile_filter(connection, windowed)
        if compiled.area is None:
            rows = connection.exec_driver_sql(
                f"SELECT (occurred_at - ?) / ?, {'category' if lanes else 'NULL'}, COUNT(*) "
                f"FROM incidents WHERE {compiled.where} GROUP BY 1, 2",
                (start_ms, bin_ms, *compiled.params),
            ).fetchall()
            for index, lane, found in rows:
                counts[lane_of.get(lane, 0), int(index)] += found
        else:
            shown = marks(connection, windowed)
            lane_index = [lane_of.get(c, 0) for c in shown["category"]] if lanes else 0
            np.add.at(counts, (lane_index, (shown["occurred_at"] - start_ms) // bin_ms), 1)
    return counts if lanes else counts[0]


def marks(
    connection: Connection, criteria: IncidentFilter, *, limit: int | None = None
) -> dict[str, np.ndarray]:
    """What the strip draws per incident: rowid, occurred_at, category, impact (time order)."""
    compiled = compile_filter(connection, criteria)
    tail = "ORDER BY occurred_at" + (f" LIMIT {int(limit)}" if limit is not None else "")
    rows = connection.exec_driver_sql(
        f"SELECT rowid, occurred_at, category, impact, lon, lat FROM incidents "
        f"WHERE {compiled.where} {tail}",
        tuple(compiled.params),
    ).fetchall()
    columns = list(zip(*rows)) if rows else [(), (), (), (), (), ()]
    out = {
        "rowid": np.array(columns[0], dtype=np.int64),
        "occurred_at": np.array(columns[1], dtype=np.int64),
        "category": np.array(columns[2], dtype=object),
        "impact": np.array(columns[3], dtype=object),
    }
    if compiled.area is not None and len(rows):
        keep = _inside(compiled.area, np.array(columns[4], float), np.array(columns[5], float))
        out = {name: values[keep] for name, values in out.items()}
    return out


ID_CHUNK = 500  # ids per IN (...): well under SQLite's parameter limit


def membership(
    connection: Connection, criteria: IncidentFilter, ids: Collection[str]
) -> tuple[np.ndarray, np.ndarray]:
    """For the incidents ``ids`` the store holds: their row ids, and whether ``criteria``
    lists each (parallel arrays; ids the store does not hold are left out)."""
    compiled = compile_filter(connection, criteria)
    wanted = sorted(ids)
    found: list[Any] = []
    for start in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[start : start + ID_CHUNK]
        found += connection.exec_driver_sql(
            f"SELECT rowid, CASE WHEN {compiled.where} THEN 1 ELSE 0 END, lon, lat "
            f"FROM incidents WHERE id IN ({','.join('?' * len(chunk))})",
            (*compiled.params, *chunk),
        ).fetchall()
    rowids = np.fromiter((r[0] for r in found), dtype=np.int64, count=len(found))
    listed = np.fromiter((bool(r[1]) for r in found), dtype=bool, count=len(found))
    if compiled.area is not None and listed.any():
        lon = np.array([np.nan if r[2] is None else r[2] for r in found], dtype=float)
        lat = np.array([np.nan if r[3] is None else r[3] for r in found], dtype=float)
        listed &= _inside(compiled.area, lon, lat)
    return rowids, listed


def matches(connection: Connection, criteria: IncidentFilter, incident_id: str) -> bool:
    """Whether the incident ``incident_id`` is among those ``criteria`` lists."""
    return bool(membership(connection, criteria, [incident_id])[1].any())


def count(connection: Connection, criteria: IncidentFilter) -> int:
    compiled = compile_filter(connection, criteria)
    if compiled.area is None:
        return connection.exec_driver_sql(
            f"SELECT COUNT(*) FROM incidents WHERE {compiled.where}", tuple(compiled.params)
        ).scalar_one()
    return len(filtered_rowids(connection, criteria))


__all__ = [
    "CHUNK",
    "IncidentFilter",
    "QuickRange",
    "ReadSuperseded",
    "compile_filter",
    "count",
    "filtered_rowids",
    "histogram",
    "marks",
    "matches",
    "membership",
    "shift_start",
    "time_range",
    "within",
]
