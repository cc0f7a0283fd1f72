"""Reading the picture: domain values, id lists for lazy views, counts, history.

Every function takes a read connection (``with store.read() as connection``) so a caller
that reads several things sees one consistent snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection

from app.domain import Incident, LevelChange, Note, Officer, Patrol, Sector
from app.oplog import decode_fields
from app.records import INCIDENT, KINDS, OFFICER, PATROL, SECTOR, RecordKind
from app.values import ImpactLevel, from_ms

VISIBLE = "deleted = 0 AND complete = 1"


def _fields(kind: RecordKind, row: Sequence[Any], offset: int = 1) -> dict[str, Any]:
    return kind.decode_row(row, offset)


def _select(kind: RecordKind, where: str = VISIBLE, tail: str = "") -> str:
    return f"SELECT id, {', '.join(kind.fields)} FROM {kind.table} WHERE {where} {tail}"


def incident(
    connection: Connection, incident_id: str, *, with_notes: bool = True
) -> Incident | None:
    row = connection.exec_driver_sql(
        _select(INCIDENT, "id = ? AND complete = 1"), (incident_id,)
    ).fetchone()
    if row is None:
        return None
    deleted = connection.exec_driver_sql(
        "SELECT deleted FROM incidents WHERE id = ?", (incident_id,)
    ).scalar_one()
    notes = notes_of(connection, incident_id) if with_notes else ()
    return Incident.from_fields(row[0], _fields(INCIDENT, row), notes=notes, deleted=bool(deleted))


def notes_of(connection: Connection, incident_id: str) -> tuple[Note, ...]:
    rows = connection.exec_driver_sql(
        "SELECT n.id, n.incident_id, n.author, n.center, n.created_at, n.text FROM notes n "
        "JOIN ops o ON o.lsn = n.first_lsn "
        "WHERE n.incident_id = ? AND n.deleted = 0 AND n.complete = 1 "
        "ORDER BY n.created_at, o.hlc, o.origin",
        (incident_id,),
    ).fetchall()
    return tuple(
        Note(
            id=r[0], incident_id=r[1], author=r[2], center=r[3], created_at=from_ms(r[4]), text=r[5]
        )
        for r in rows
    )


def incidents_by_rowid(connection: Connection, rowids: Sequence[int]) -> dict[int, Incident]:
    """One page of a lazy view: the incidents behind ``rowids`` (without their notes)."""
    out: dict[int, Incident] = {}
    for start in range(0, len(rowids), 500):
        chunk = [int(r) for r in rowids[start : start + 500]]
        rows = connection.exec_driver_sql(
            f"SELECT rowid, id, {', '.join(INCIDENT.fields)}, deleted FROM incidents "
            f"WHERE rowid IN ({','.join('?' * len(chunk))})",
            tuple(chunk),
        )
        for row in rows:
            out[row[0]] = Incident.from_fields(
                row[1], _fields(INCIDENT, row, offset=2), deleted=bool(row[-1])
            )
    return out


def incident_positions(
    connection: Connection, ids: Collection[str] | None = None
) -> dict[str, np.ndarray]:
    """Everything the map needs to draw visible incidents, as columns: all, or those of ``ids``.

    Asked for ids, the answer leaves out those that are gone (deleted, or not complete yet).
    """
    select = f"SELECT id, lon, lat, category, impact, status FROM incidents WHERE {VISIBLE}"
    if ids is None:
        rows = connection.exec_driver_sql(select).fetchall()
    else:
        rows = connection.exec_driver_sql(
            f"{select} AND id IN (SELECT value FROM json_each(?))", (json.dumps(list(ids)),)
        ).fetchall()
    columns = list(zip(*rows)) if rows else [(), (), (), (), (), ()]
    return {
        "id": np.array(columns[0], dtype=object),
        "lon": np.array(columns[1], dtype=float),
        "lat": np.array(columns[2], dtype=float),
        "category": np.array(columns[3], dtype=object),
        "impact": np.array(columns[4], dtype=object),
        "status": np.array(columns[5], dtype=object),
    }


def sectors(connection: Connection, *, with_history: bool = False) -> list[Sector]:
    rows = connection.exec_driver_sql(_select(SECTOR, tail="ORDER BY name")).fetchall()
    return [
        Sector.from_fields(
            row[0],
            _fields(SECTOR, row),
            history=sector_history(connection, row[0]) if with_history else (),
        )
        for row in rows
    ]


def sector_history(connection: Connection, sector_id: str) -> tuple[LevelChange, ...]:
    """Impact level changes of a sector, from the op-log, in stamp order."""
    rows = connection.exec_driver_sql(
        "SELECT hlc, origin, author, fields FROM ops WHERE kind = 'sector' AND record_id = ? "
        "AND action = 'set' ORDER BY hlc, origin",
        (sector_id,),
    ).fetchall()
    history = []
    for hlc, origin, author, raw in rows:
        level = decode_fields(raw).get("impact")
        if level is not None:
            history.append(LevelChange(from_ms(hlc >> 16), ImpactLevel(level), origin, author))
    return tuple(history)


def officers(connection: Connection) -> list[Officer]:
    rows = connection.exec_driver_sql(_select(OFFICER, tail="ORDER BY country, name")).fetchall()
    return [Officer.from_fields(row[0], _fields(OFFICER, row)) for row in rows]


def patrols(connection: Connection) -> list[Patrol]:
    rows = connection.exec_driver_sql(_select(PATROL, tail="ORDER BY call_sign")).fetchall()
    return [Patrol.from_fields(row[0], _fields(PATROL, row)) for row in rows]


def patrols_by_id(connection: Connection, ids: Collection[str]) -> dict[str, Patrol]:
    """The patrols of ``ids`` that are in the roster (not deleted, complete)."""
    out = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        where = f"{VISIBLE} AND id IN ({','.join('?' * len(chunk))})"
        for row in connection.exec_driver_sql(_select(PATROL, where), tuple(chunk)):
            out[row[0]] = Patrol.from_fields(row[0], _fields(PATROL, row))
    return out


def counts(connection: Connection) -> dict[str, int]:
    """Visible records per kind, plus ops and tombstones."""
    out = {}
    for kind in KINDS.values():
        out[kind.table] = connection.exec_driver_sql(
            f"SELECT COUNT(*) FROM {kind.table} WHERE {VISIBLE}"
        ).scalar_one()
    out["tombstones"] = sum(
        connection.exec_driver_sql(f"SELECT COUNT(*) FROM {k.table} WHERE deleted = 1").scalar_one()
        for k in KINDS.values()
    )
    out["ops"] = connection.exec_driver_sql("SELECT COUNT(*) FROM ops").scalar_one()
    return out


def version_vector(connection: Connection) -> dict[str, int]:
    """Highest op sequence held per origin center."""
    rows = connection.exec_driver_sql("SELECT origin, MAX(seq) FROM ops GROUP BY origin")
    return {origin: seq for origin, seq in rows}


def ops_of(connection: Connection, kind: str, record_id: str) -> Iterator[tuple[Any, ...]]:
    """The op-log of one record (the raw material of its audit trail), oldest first."""
    yield from connection.exec_driver_sql(
        "SELECT origin, seq, hlc, action, fields, author, received_at FROM ops "
        "WHERE kind = ? AND record_id = ? ORDER BY hlc, origin",
        (kind, record_id),
    )


def patrol_tracks(
    connection: Connection, since_ms: int, until_ms: int | None = None
) -> dict[str, list[tuple[int, float, float]]]:
    """Each patrol's reported positions since ``since_ms`` (and, for a replay, up to
    ``until_ms``), from the op-log, oldest first.

    A position's time is its ``position_at`` (the fix), else the op's stamp. No table keeps
    history: the op-log already holds every position a patrol ever reported.
    """
    until = 2**62 if until_ms is None else until_ms
    rows = connection.exec_driver_sql(
        "SELECT record_id, hlc, fields FROM ops WHERE kind = 'patrol' AND action = 'set' "
        "AND hlc >= ? AND hlc < ? ORDER BY hlc, origin",
        (since_ms << 16, min(until + 1, 2**46) << 16),
    ).fetchall()
    tracks: dict[str, list[tuple[int, float, float]]] = {}
    for record_id, hlc, raw in rows:
        fields = decode_fields(raw)
        lon, lat = fields.get("lon"), fields.get("lat")
        if lon is None or lat is None:
            continue
        at = fields.get("position_at") or (hlc >> 16)
        if since_ms <= at <= until:
            tracks.setdefault(record_id, []).append((int(at), float(lon), float(lat)))
    for track in tracks.values():
        track.sort()
    return tracks


def officer_index(connection: Connection) -> dict[str, Officer]:
    return {officer.id: officer for officer in officers(connection)}


__all__ = [
    "counts",
    "incident",
    "incident_positions",
    "incidents_by_rowid",
    "notes_of",
    "officer_index",
    "officers",
    "ops_of",
    "patrols",
    "sector_history",
    "sectors",
    "version_vector",
]
