"""Two edits of one patrol's crew made at once: a conflict the commanders settle, never a
silent loss.

A crew is one value and merges last-writer-wins, like every field, so on its own the later of
two concurrent edits (Orestiada adds Becker while Svilengrad, cut off, adds Ivanova) would
erase the other and nobody would know. So a crew edit also writes ``crew_base``: the crew
versions it replaces (ops, by origin and seq), that is, the version the commander was looking
at, or every version of a conflict being settled. From the op-log, a center then knows every
crew version of a patrol and which were replaced. Two or more that nothing replaced were made
at once, neither seeing the other: a conflict, shown with both crews until a commander picks
one (or both together), which writes the chosen crew with every version in conflict as its
base.

The per-field merge itself is unchanged: the latest version is the crew held, at every
center, so digests converge as before; and which versions are in conflict depends only on the
ops held, so every center holding the same ops shows the same conflict. A crew written
without a base (a new patrol, an older Limes) replaces every version stamped before it, which
is plain last-writer-wins.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from app import values as v
from app.hlc import wall_of
from app.oplog import decode_fields
from app.store.schema import CREW_OPS

Key = tuple[str, int]  # an op's (origin, seq)


@dataclass(frozen=True)
class CrewVersion:
    """The crew one op wrote, who wrote it, and the versions it replaced (None: all before)."""

    key: Key
    hlc: int
    crew: tuple[str, ...]
    base: frozenset[Key] | None
    author: str

    @property
    def center(self) -> str:
        return self.key[0]

    @property
    def at(self) -> datetime:
        return v.from_ms(wall_of(self.hlc))

    @property
    def stamp(self) -> tuple[int, str, int]:
        """The merge order: the version with the greatest stamp is the crew held."""
        return (self.hlc, *self.key)


@dataclass(frozen=True)
class CrewConflict:
    """Crew versions of one patrol that no edit replaced; the one held (the latest) first."""

    patrol_id: str
    versions: tuple[CrewVersion, ...]
    base_crew: tuple[str, ...] | None = None  # the crew all of them were edited from, if one

    def merged(self) -> tuple[str, ...]:
        """Every version's changes together: from the crew they were all edited from, each
        officer one of them added, less each one of them removed; without a common crew to
        compare with (three centers, or a version older than this Limes), every officer
        in any of them."""
        if self.base_crew is None:
            return tuple(sorted({officer for x in self.versions for officer in x.crew}))
        base = set(self.base_crew)
        added = set().union(*(set(x.crew) - base for x in self.versions))
        removed = set().union(*(base - set(x.crew) for x in self.versions))
        return tuple(sorted((base - removed) | added))

    @property
    def base(self) -> list[list[object]]:
        """``crew_base`` for the edit that settles it: every version in conflict."""
        return [list(version.key) for version in self.versions]

    @property
    def centers(self) -> list[str]:
        return list(dict.fromkeys(version.center for version in self.versions))


def unreplaced(versions: Iterable[CrewVersion]) -> list[CrewVersion]:
    """The versions no other version replaced, latest first."""
    ordered = sorted(versions, key=lambda version: version.stamp)
    replaced: set[Key] = set()
    for index, version in enumerate(ordered):
        if version.base is None:
            replaced.update(earlier.key for earlier in ordered[:index])
        else:
            replaced.update(version.base)
    return [version for version in reversed(ordered) if version.key not in replaced]


class CrewEdits:
    """Every crew version of every patrol, read from the op-log once and then only what was
    appended since (the op-log only grows; crew edits are few among a patrol's ops)."""

    def __init__(self) -> None:
        self._versions: dict[str, dict[Key, CrewVersion]] = {}
        self._read_to = 0  # the op-log is read up to this log number

    def refresh(self, connection: Connection) -> None:
        high = connection.exec_driver_sql("SELECT COALESCE(MAX(lsn), 0) FROM ops").scalar_one()
        if high <= self._read_to:
            return
        rows = connection.exec_driver_sql(
            "SELECT record_id, origin, seq, hlc, fields, author FROM ops INDEXED BY ix_ops_crew "
            f"WHERE {CREW_OPS} AND lsn > ? AND lsn <= ? AND action = 'set'",
            (self._read_to, high),
        )
        for patrol_id, origin, seq, hlc, raw, author in rows:
            fields = decode_fields(raw)
            if "crew" not in fields:
                continue
            base = fields.get("crew_base")
            version = CrewVersion(
                (origin, seq),
                hlc,
                tuple(fields["crew"]),
                None if base is None else frozenset((o, s) for o, s in base),
                author,
            )
            self._versions.setdefault(patrol_id, {})[version.key] = version
        self._read_to = high

    def conflicts(self, patrol_ids: Collection[str]) -> dict[str, CrewConflict]:
        """The patrols (of ``patrol_ids``: those still in the roster) whose crew is in conflict."""
        out = {}
        for patrol_id, versions in self._versions.items():
            if len(versions) < 2 or patrol_id not in patrol_ids:
                continue
            open_versions = unreplaced(versions.values())
            if len(open_versions) > 1:
                bases = {version.base for version in open_versions}
                common = next(iter(bases)) if len(bases) == 1 else None
                origin = versions.get(next(iter(common))) if common and len(common) == 1 else None
                out[patrol_id] = CrewConflict(
                    patrol_id, tuple(open_versions), origin.crew if origin else None
                )
        return out


def held_crew_keys(connection: Connection, ids: Collection[str] | None = None) -> dict[str, Key]:
    """Per patrol (of ``ids``, or every one): the op whose crew it holds now (from the
    per-field stamps)."""
    sql = "SELECT id, stamps FROM patrols WHERE deleted = 0 AND complete = 1"
    params: tuple[str, ...] = ()
    if ids is not None and len(ids) <= 500:  # the few a change touched; else read them all
        params = tuple(ids)
        sql += f" AND id IN ({','.join('?' * len(params))})"
    out = {}
    for patrol_id, raw in connection.exec_driver_sql(sql, params):
        if ids is not None and patrol_id not in ids:
            continue
        stamps = json.loads(raw)
        stamp = stamps.get("crew") or stamps.get("*")
        if stamp:
            out[patrol_id] = (stamp[1], stamp[2])
    return out
