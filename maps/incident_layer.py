"""The incident layer's model: drawable arrays keyed by incident id, updated by difference.

A live picture changes a few incidents at a time, and a partner's catch-up brings tens of
thousands in bursts. Rebuilding every array on each change costs O(all incidents) per change;
here each change costs O(the chunks it touches). Incidents are kept in *chunks* of at most
:data:`CHUNK_POINTS` points per style (category, finished); each chunk is drawn by one scatter
item, so a change redraws only its chunks, and new incidents land in the last chunk of their
style. Chunk arrays are never changed in place (each change makes new arrays), so a renderer
may keep the arrays it drew while the model moves on.

No Qt here: the renderer (:mod:`maps.render.incidents`) pulls :meth:`IncidentLayer.take_dirty`.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from app.values import ImpactLevel, IncidentStatus

# A chunk of this size is redrawn in about 40 ms on a slow machine: the longest a change can
# hold the GUI thread for one item.
CHUNK_POINTS = 25_000

IMPACT_SIZES = {ImpactLevel.LOW: 7.0, ImpactLevel.MEDIUM: 10.0, ImpactLevel.HIGH: 13.0}
DEFAULT_SIZE = IMPACT_SIZES[ImpactLevel.MEDIUM]
FINISHED_STATUSES = (IncidentStatus.CLOSED.value, IncidentStatus.DISMISSED.value)

Style = tuple[str, bool]  # (category, finished)
ChunkKey = tuple[str, bool, int]  # (category, finished, chunk number)
Floats = NDArray[np.float64]


@dataclass
class Chunk:
    """The points of one scatter item. Arrays are replaced, never written to."""

    ids: NDArray[np.object_] = field(default_factory=lambda: np.empty(0, dtype=object))
    lon: Floats = field(default_factory=lambda: np.empty(0))
    lat: Floats = field(default_factory=lambda: np.empty(0))
    x: Floats = field(default_factory=lambda: np.empty(0))
    y: Floats = field(default_factory=lambda: np.empty(0))
    size: Floats = field(default_factory=lambda: np.empty(0))

    def __len__(self) -> int:
        return len(self.ids)

    def without(self, mask: NDArray[np.bool_]) -> None:
        keep = ~mask
        for name in ("ids", "lon", "lat", "x", "y", "size"):
            setattr(self, name, getattr(self, name)[keep])

    def extended(self, columns: dict[str, np.ndarray]) -> None:
        for name in ("ids", "lon", "lat", "x", "y", "size"):
            setattr(self, name, np.concatenate([getattr(self, name), columns[name]]))


@dataclass(frozen=True)
class IncidentRows:
    """Incidents as parallel columns: what the store reads and the layer takes."""

    ids: NDArray[np.object_]
    lon: Floats
    lat: Floats
    category: NDArray[np.object_]
    impact: NDArray[np.object_]
    status: NDArray[np.object_]

    @classmethod
    def of(
        cls,
        ids: ArrayLike | Sequence[str],
        lon: ArrayLike,
        lat: ArrayLike,
        categories: Sequence[str] | ArrayLike,
        impacts: Sequence[str] | ArrayLike,
        statuses: Sequence[str] | ArrayLike,
    ) -> IncidentRows:
        rows = cls(
            np.asarray(ids, dtype=object).reshape(-1),
            np.asarray(lon, dtype=np.float64).reshape(-1),
            np.asarray(lat, dtype=np.float64).reshape(-1),
            np.asarray(categories, dtype=object).reshape(-1),
            np.asarray(impacts, dtype=object).reshape(-1),
            np.asarray(statuses, dtype=object).reshape(-1),
        )
        lengths = {len(column) for column in rows.columns()}
        if len(lengths) > 1:
            raise ValueError("ids, lon, lat, categories, impacts and statuses differ in length")
        return rows

    @classmethod
    def from_columns(cls, columns: dict[str, np.ndarray]) -> IncidentRows:
        """From :func:`app.store.queries.incident_positions`' columns."""
        return cls.of(
            columns["id"],
            columns["lon"],
            columns["lat"],
            columns["category"],
            columns["impact"],
            columns["status"],
        )

    @classmethod
    def empty(cls) -> IncidentRows:
        return cls.of([], [], [], [], [], [])

    def columns(self) -> tuple[np.ndarray, ...]:
        return (self.ids, self.lon, self.lat, self.category, self.impact, self.status)

    def __len__(self) -> int:
        return len(self.ids)


class IncidentLayer:
    """Every drawn incident, grouped by style into chunks; which chunks changed since last asked.

    ``project(lon, lat) -> (x, y)`` gives display coordinates (the view's projection).
    """

    def __init__(self, project) -> None:
        self._project = project
        self._chunks: dict[Style, list[Chunk]] = {}
        self._where: dict[str, tuple[Style, int]] = {}  # id -> (style, chunk number)
        self._dirty: set[ChunkKey] = set()

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, incident_id: object) -> bool:
        return incident_id in self._where

    def styles(self) -> list[Style]:
        """Styles with at least one point."""
        return [style for style, chunks in self._chunks.items() if any(map(len, chunks))]

    def chunk(self, key: ChunkKey) -> Chunk:
        category, finished, number = key
        return self._chunks[(category, finished)][number]

    def position(self, incident_id: str) -> tuple[float, float] | None:
        """Lon, lat of an incident on the layer, or None."""
        where = self._where.get(incident_id)
        if where is None:
            return None
        chunk = self._chunks[where[0]][where[1]]
        index = int(np.flatnonzero(chunk.ids == incident_id)[0])
        return float(chunk.lon[index]), float(chunk.lat[index])

    @property
    def dirty(self) -> bool:
        return bool(self._dirty)

    def take_dirty(self) -> list[ChunkKey]:
        """Chunks changed since the last call (their items must be redrawn)."""
        dirty, self._dirty = sorted(self._dirty), set()
        return dirty

    def replace(self, rows: IncidentRows) -> None:
        """Everything anew (a reload): every existing chunk becomes dirty, then empty."""
        for style, chunks in self._chunks.items():
            for number, chunk in enumerate(chunks):
                if len(chunk):
                    self._dirty.add((*style, number))
                    chunks[number] = Chunk()
        self._where.clear()
        self.update(rows)

    def update(self, rows: IncidentRows, removed: Iterable[str] = ()) -> None:
        """Add or change ``rows`` and drop ``removed`` ids (unknown ids are ignored)."""
        if self._where:  # after a replace() there is nothing to drop
            self._drop([*rows.ids.tolist(), *removed])
        if not len(rows):
            return
        x, y = self._project(rows.lon, rows.lat)
        impact_codes, impacts = _factorize(rows.impact)
        sizes = np.array([IMPACT_SIZES.get(value, DEFAULT_SIZE) for value in impacts])
        status_codes, statuses = _factorize(rows.status)
        finished = np.isin(np.array(statuses, dtype=object), FINISHED_STATUSES)[status_codes]
        category_codes, categories = _factorize(rows.category)
        # One stable sort by style, then each style is a slice: one pass per column, not one
        # boolean mask per style and column.
        style = category_codes * 2 + finished
        order = np.argsort(style, kind="stable")
        columns = {
            "ids": rows.ids[order],
            "lon": rows.lon[order],
            "lat": rows.lat[order],
            "x": np.asarray(x)[order],
            "y": np.asarray(y)[order],
            "size": sizes[impact_codes][order],
        }
        sorted_style = style[order]
        bounds = np.flatnonzero(np.r_[True, np.diff(sorted_style) != 0, True])
        for start, end in itertools.pairwise(bounds.tolist()):
            code = int(sorted_style[start])
            self._append(
                (str(categories[code // 2]), bool(code % 2)),
                {name: values[start:end] for name, values in columns.items()},
            )

    def _drop(self, ids: list[str]) -> None:
        leaving: dict[tuple[Style, int], list[str]] = defaultdict(list)
        for incident_id in ids:
            where = self._where.pop(incident_id, None)
            if where is not None:
                leaving[where].append(incident_id)
        for (style, number), gone in leaving.items():
            chunk = self._chunks[style][number]
            chunk.without(np.isin(chunk.ids, np.asarray(gone, dtype=object)))
            self._dirty.add((*style, number))

    def _append(self, style: Style, columns: dict[str, np.ndarray]) -> None:
        chunks = self._chunks.setdefault(style, [])
        start, total = 0, len(columns["ids"])
        while start < total:
            if not chunks or len(chunks[-1]) >= CHUNK_POINTS:
                chunks.append(Chunk())
            number = len(chunks) - 1
            take = min(CHUNK_POINTS - len(chunks[number]), total - start)
            part = {name: values[start : start + take] for name, values in columns.items()}
            chunks[number].extended(part)
            self._where.update(dict.fromkeys(part["ids"].tolist(), (style, number)))
            self._dirty.add((*style, number))
            start += take


def _factorize(values: np.ndarray) -> tuple[NDArray[np.int64], list]:
    """Codes of each value and the distinct values (few of them: categories, levels)."""
    distinct: dict = {}
    codes = [distinct.setdefault(value, len(distinct)) for value in values.tolist()]
    return np.asarray(codes, dtype=np.int64), list(distinct)
