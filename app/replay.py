"""The picture at a past moment, rebuilt from the op-log.

Two moments count in a review: *as it was* at T (every op stamped at or before T by the
clock of the center that wrote it: the HLC) and *what we knew* at T (every op this center had
received by T: ``ops.received_at``). The second is what an after-action review needs: what the
operators on duty could have seen.

The rebuild merges the selected ops with the same per-field rule as the store
(:class:`app.store.merge.RecordState`), so the replayed picture digest equals the digest the
store had at T. Most records are created whole by one op and never changed again; those are
kept as their op's raw bytes and hashed without decoding, which keeps a rebuild over a million
ops near a second.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine

from app.oplog import Action, Op, canonical, decode_fields
from app.records import INCIDENT, KINDS, OFFICER, PATROL, SECTOR
from app.store import schema
from app.store.merge import RecordState


class Moment(StrEnum):
    AS_IT_WAS = "as_it_was"  # by the writer's clock (HLC)
    WHAT_WE_KNEW = "what_we_knew"  # by when this center received the op

    @property
    def label(self) -> str:
        return "As it was" if self is Moment.AS_IT_WAS else "What we knew"


# (origin, seq, hlc, encoded fields) of a record created whole by one op, nothing else since
Single = tuple[str, int, int, bytes]


@dataclass
class Picture:
    at_ms: int
    moment: Moment
    singles: dict[tuple[str, str], Single] = field(default_factory=dict)
    merged: dict[tuple[str, str], RecordState] = field(default_factory=dict)

    def digest(self) -> str:
        """The picture digest (as :func:`app.store.digest.picture_digest` computes it)."""
        digest = hashlib.blake2b(digest_size=32)
        by_kind: dict[str, list[tuple[str, bytes]]] = {name: [] for name in KINDS}
        for (kind, record_id), (_o, _s, _h, encoded) in self.singles.items():
            payload = b"[" + canonical(kind) + b"," + canonical(record_id) + b",false,"
            by_kind[kind].append(
                (record_id, hashlib.blake2b(payload + encoded + b"]", digest_size=16).digest())
            )
        for (kind, record_id), state in self.merged.items():
            by_kind[kind].append((record_id, state.row_hash()))
        for name in sorted(KINDS):
            digest.update(name.encode() + b"\x00")
            for record_id, row_hash in sorted(by_kind[name]):
                digest.update(record_id.encode() + b"\x00" + row_hash)
        return digest.hexdigest()

    def visible(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, fields) of the records of ``kind`` shown at this moment (not deleted, complete)."""
        for (record_kind, record_id), single in self.singles.items():
            if record_kind == kind:
                yield record_id, decode_fields(single[3])
        for (record_kind, record_id), state in self.merged.items():
            if record_kind == kind and state.complete and not state.deleted:
                yield record_id, state.fields

    def count(self, kind: str) -> int:
        return sum(1 for _ in self.visible(kind))


def _condition(moment: Moment) -> str:
    return "hlc < ?" if moment is Moment.AS_IT_WAS else "received_at <= ?"


def replay(connection: Connection, at_ms: int, moment: Moment = Moment.WHAT_WE_KNEW) -> Picture:
    """The picture at ``at_ms`` (UTC ms) as of ``moment``."""
    bound = (at_ms + 1) << 16 if moment is Moment.AS_IT_WAS else at_ms
    picture = Picture(at_ms, moment)
    singles, merged = picture.singles, picture.merged
    whole = {name: len(kind.fields) for name, kind in KINDS.items()}
    rows = connection.exec_driver_sql(
        "SELECT kind, record_id, origin, seq, hlc, action, fields, author FROM ops "
        f"WHERE {_condition(moment)} ORDER BY lsn",
        (bound,),
    )
    for kind, record_id, origin, seq, hlc, action, fields, author in rows:
        key = (kind, record_id)
        state = merged.get(key)
        if state is None:
            single = singles.pop(key, None)
            if single is None and action == "set":
                # Likely created whole here; decoded only if another op touches it.
                singles[key] = (origin, seq, hlc, fields)
                continue
            state = merged[key] = RecordState(KINDS[kind], record_id)
            if single is not None:
                state.apply(_op(kind, record_id, *single[:3], "set", single[3], ""))
        state.apply(_op(kind, record_id, origin, seq, hlc, action, fields, author))
    # A lone "set" that did not carry every field is a partial record: merge it properly.
    for key in [k for k, s in singles.items() if _field_count(s[3]) != whole[k[0]]]:
        origin, seq, hlc, fields = singles.pop(key)
        state = merged[key] = RecordState(KINDS[key[0]], key[1])
        state.apply(_op(key[0], key[1], origin, seq, hlc, "set", fields, ""))
    return picture


def _field_count(encoded: bytes) -> int:
    return len(decode_fields(encoded))


def _op(
    kind: str, record_id: str, origin: str, seq: int, hlc: int, action: str, fields, author: str
) -> Op:
    return Op(origin, seq, hlc, kind, record_id, Action(action), decode_fields(fields), author)


def time_span(connection: Connection) -> tuple[int, int] | None:
    """Earliest and latest moments the op-log can replay (UTC ms), both clocks considered."""
    row = connection.exec_driver_sql(
        "SELECT MIN(hlc), MAX(hlc), MIN(received_at), MAX(received_at) FROM ops"
    ).fetchone()
    if row[0] is None:
        return None
    return min(row[0] >> 16, row[2]), max(row[1] >> 16, row[3])


class PictureDatabase:
    """A read-only copy of a replayed picture's incidents, sectors, patrols and officers in a
    temporary SQLite file with the store's tables, so the timeline's filters, strip and lazy
    table, the map and the roster read it exactly as they read the live store (``read()``
    gives a connection per thread)."""

    def __init__(self, picture: Picture, folder: Path | None = None) -> None:
        self.picture = picture
        handle, name = tempfile.mkstemp(prefix="limes-replay-", suffix=".sqlite3", dir=folder)
        os.close(handle)
        self.path = Path(name)
        self._engine = create_engine(f"sqlite:///{self.path}")
        tables = [schema.incidents, schema.sectors, schema.patrols, schema.officers]
        schema.metadata.create_all(self._engine, tables=tables)
        with self._engine.begin() as connection:
            for kind in (INCIDENT, SECTOR, PATROL, OFFICER):
                columns = (
                    "id",
                    *kind.fields,
                    "deleted",
                    "complete",
                    "stamps",
                    "row_hash",
                    "origin",
                    "first_lsn",
                    "last_lsn",
                    "learned_at",
                )
                rows = [
                    (
                        record_id,
                        *(
                            canonical(fields.get(n)).decode()
                            if n in kind.json_fields and fields.get(n) is not None
                            else fields.get(n)
                            for n in kind.fields
                        ),
                        0,
                        1,
                        "{}",
                        b"",
                        "",
                        0,
                        0,
                        0,
                    )
                    for record_id, fields in picture.visible(kind.name)
                ]
                if rows:
                    connection.connection.cursor().executemany(
                        f"INSERT INTO {kind.table} ({', '.join(columns)}) "
                        f"VALUES ({','.join('?' * len(columns))})",
                        rows,
                    )

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._engine.connect() as connection, connection.begin():
            yield connection

    def close(self) -> None:
        self._engine.dispose()
        self.path.unlink(missing_ok=True)


__all__ = ["Moment", "Picture", "PictureDatabase", "replay", "time_span"]
