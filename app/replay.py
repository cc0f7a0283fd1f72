"""The picture at a past moment, rebuilt from the op-log.

Two moments count in a review: *as it was* at T (every op stamped at or before T by the
clock of the center that wrote it: the HLC) and *what we knew* at T (every op this center had
received by T: ``ops.received_at``). The second is what an after-action review needs: what the
operators on duty could have seen.

The picture at T is the merge of the ops that meet the moment's condition, with the same
per-field rule as the store (:class:`app.store.merge.RecordState`), so its digest equals the
digest the store had at T. Merging a million ops takes seconds, but nearly all of them need
no merging: the log splits at two log numbers (LSN).

- ``lo``: the first op that does *not* meet the condition (received, or stamped, after T);
  ``hi``: the last op that does. Ops arrive nearly in order, so ``hi`` is just below ``lo``.
- A record last changed before ``lo`` (``last_lsn < lo``) is *settled*: every op that shaped
  it meets the condition, and an op after its ``last_lsn`` changed nothing. Its row in the
  store is its state at T, read as it is, by SQL.
- A record first seen after ``hi`` (``first_lsn > hi``) did not exist at T.
- Only the records in between, created before T and changed since, are merged from their
  ops: a handful, found through two indexes (migration 0007).

A :class:`Picture` reads the settled rows through the connection it was built on, within the
caller's read transaction; :class:`PictureDatabase` copies a picture into a temporary store
in one SQL statement per table, within one read of the live store.
"""

from __future__ import annotations

import hashlib
import heapq
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, create_engine

from app.oplog import Action, Op, decode_fields
from app.records import INCIDENT, KINDS, OFFICER, PATROL, SECTOR, RecordKind
from app.store import schema
from app.store.apply import to_column
from app.store.digest import digest_kind
from app.store.merge import RecordState

#: the copy a :class:`PictureDatabase` holds (notes are read from the incident's own view)
PICTURE_KINDS = (INCIDENT, SECTOR, PATROL, OFFICER)
_CHUNK = 500  # ids per IN (...) when reading the ops of records changed across T


class Moment(StrEnum):
    AS_IT_WAS = "as_it_was"  # by the writer's clock (HLC)
    WHAT_WE_KNEW = "what_we_knew"  # by when this center received the op

    @property
    def label(self) -> str:
        return "As it was" if self is Moment.AS_IT_WAS else "What we knew"


def _columns(kind: RecordKind) -> tuple[str, ...]:
    return tuple(column.name for column in schema.RECORD_TABLES[kind.name].columns)


class _Reader:
    """SQL on a SQLAlchemy connection or a plain sqlite3 one, tables under ``schema``."""

    def __init__(self, connection: Connection | sqlite3.Connection, schema_name: str) -> None:
        self.connection = connection
        self.prefix = f"{schema_name}."

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Any:
        sql = sql.replace("@", self.prefix)
        if isinstance(self.connection, sqlite3.Connection):
            return self.connection.execute(sql, tuple(params))
        return self.connection.exec_driver_sql(sql, tuple(params))

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.rows(sql, params).fetchone()[0]


@dataclass
class Picture:
    """The picture at ``at_ms``: the store's rows last changed before log number
    ``settled_below`` as they are, plus ``replayed``, the records changed across T merged
    from the ops that meet the moment (deleted and incomplete ones included, as the store
    holds them). Read it inside the read it was built in."""

    at_ms: int
    moment: Moment
    settled_below: int
    known_through: int = 0  # the last log number an op known at T has (0: none was)
    replayed: dict[tuple[str, str], RecordState] = field(default_factory=dict)
    reader: _Reader | None = field(default=None, repr=False)

    def _settled(self, kind: RecordKind, columns: str, where: str = "") -> Any:
        assert self.reader is not None, "a Picture reads the store it was built on"
        return self.reader.rows(
            f"SELECT {columns} FROM @{kind.table} WHERE last_lsn < ? {where} ORDER BY id",
            (self.settled_below,),
        )

    def digest(self) -> str:
        """The picture digest (as :func:`app.store.digest.picture_digest` computes it)."""
        digest = hashlib.blake2b(digest_size=32)
        for name in sorted(KINDS):
            replayed = sorted(
                (record_id, state.row_hash(), False)
                for (record_kind, record_id), state in self.replayed.items()
                if record_kind == name
            )
            settled = self._settled(KINDS[name], "id, row_hash, deleted")
            digest_kind(digest, name, heapq.merge(settled, replayed))
        return digest.hexdigest()

    def _replayed_visible(self, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for (record_kind, record_id), state in sorted(self.replayed.items()):
            if record_kind == name and state.complete and not state.deleted:
                yield record_id, state.fields

    def visible(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, fields) of the records of ``kind`` shown at this moment (not deleted, complete)."""
        record_kind = KINDS[kind]
        names = record_kind.fields
        rows = self._settled(
            record_kind, ", ".join(("id", *names)), "AND deleted = 0 AND complete = 1"
        )
        for row in rows:
            fields = record_kind.decode_row(row)
            yield row[0], {name: value for name, value in fields.items() if value is not None}
        yield from self._replayed_visible(kind)

    def count(self, kind: str) -> int:
        record_kind = KINDS[kind]
        assert self.reader is not None
        settled = self.reader.one(
            f"SELECT COUNT(*) FROM @{record_kind.table} "
            "WHERE last_lsn < ? AND deleted = 0 AND complete = 1",
            (self.settled_below,),
        )
        return settled + sum(1 for _ in self._replayed_visible(kind))

    @property
    def changed_across(self) -> int:
        """How many records had to be merged from their ops (changed across T)."""
        return len(self.replayed)


def _conditions(moment: Moment, at_ms: int) -> tuple[str, str, str, int]:
    """(index, the condition an op known at T meets, the one an op unknown at T meets, the
    bound) for ``moment``."""
    if moment is Moment.AS_IT_WAS:
        return "ix_ops_hlc", "hlc < ?", "hlc >= ?", (at_ms + 1) << 16
    return "ix_ops_received", "received_at <= ?", "received_at > ?", at_ms


def replay(
    connection: Connection | sqlite3.Connection,
    at_ms: int,
    moment: Moment = Moment.WHAT_WE_KNEW,
    *,
    schema_name: str = "main",
) -> Picture:
    """The picture at ``at_ms`` (UTC ms) as of ``moment``, read within the caller's read."""
    reader = _Reader(connection, schema_name)
    index, known, unknown, bound = _conditions(moment, at_ms)
    # INDEXED BY: without it SQLite walks the whole log in LSN order looking for the first.
    lo = reader.one(f"SELECT MIN(lsn) FROM @ops INDEXED BY {index} WHERE {unknown}", (bound,))
    hi = reader.one(f"SELECT MAX(lsn) FROM @ops INDEXED BY {index} WHERE {known}", (bound,))
    if hi is None:  # nothing was known yet: an empty picture
        return Picture(at_ms, moment, settled_below=0, reader=reader)
    if lo is None:  # everything was: today's picture
        return Picture(at_ms, moment, settled_below=hi + 1, known_through=hi, reader=reader)
    picture = Picture(at_ms, moment, settled_below=lo, known_through=hi, reader=reader)
    for kind in KINDS.values():
        across = [
            record_id
            for (record_id,) in reader.rows(
                f"SELECT id FROM @{kind.table} INDEXED BY ix_{kind.table}_lsn "
                "WHERE last_lsn >= ? AND first_lsn <= ?",
                (lo, hi),
            )
        ]
        for start in range(0, len(across), _CHUNK):
            chunk = across[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = reader.rows(
                "SELECT record_id, origin, seq, hlc, action, fields, author FROM @ops "
                f"WHERE kind = ? AND record_id IN ({marks}) AND {known} ORDER BY lsn",
                (kind.name, *chunk, bound),
            )
            for record_id, origin, seq, hlc, action, fields, author in rows:
                key = (kind.name, record_id)
                state = picture.replayed.get(key)
                if state is None:
                    state = picture.replayed[key] = RecordState(kind, record_id)
                fields = decode_fields(fields)
                state.apply(
                    Op(origin, seq, hlc, kind.name, record_id, Action(action), fields, author)
                )
    return picture


def time_span(connection: Connection) -> tuple[int, int] | None:
    """Earliest and latest moments the op-log can replay (UTC ms), both clocks considered."""
    row = connection.exec_driver_sql(
        "SELECT MIN(hlc), MAX(hlc), MIN(received_at), MAX(received_at) FROM ops"
    ).fetchone()
    if row[0] is None:
        return None
    return min(row[0] >> 16, row[2]), max(row[1] >> 16, row[3])


class PictureDatabase:
    """A read-only copy of the picture at ``at_ms`` (incidents, sectors, patrols and officers)
    in a temporary SQLite file with the store's tables, so the timeline's filters, strip and
    lazy table, the map and the roster read it exactly as they read the live store (``read()``
    gives a connection per thread).

    Built within one read of the live store (attached read-only): the settled rows are copied
    by SQL, the records changed across T are written from their merged state. Moving it to
    another moment (:meth:`move_to`) rewrites only the records that can differ between the two
    moments (those changed across either, or since it was built), so scrubbing the slider
    costs what changed, not the size of the picture. WAL: the views keep reading the moment
    they have until a move commits."""

    def __init__(
        self,
        store_path: Path,
        at_ms: int,
        moment: Moment = Moment.WHAT_WE_KNEW,
        folder: Path | None = None,
    ) -> None:
        handle, name = tempfile.mkstemp(prefix="limes-replay-", suffix=".sqlite3", dir=folder)
        os.close(handle)
        self.path = Path(name)
        self._store_path = Path(store_path)
        self._lock = threading.Lock()  # one move at a time
        self._engine = create_engine(f"sqlite:///{self.path}")
        self.picture: Picture | None = None
        self._closed = False
        self.rewritten = 0  # records rewritten by the last build or move
        try:
            tables = [getattr(schema, kind.table) for kind in PICTURE_KINDS]
            schema.metadata.create_all(self._engine, tables=tables)
            with self._engine.begin() as connection:
                # The log-position indexes serve the live store's moves, never the copy's
                # readers: without them every row written costs one index insert less.
                for kind in PICTURE_KINDS:
                    connection.exec_driver_sql(f"DROP INDEX ix_{kind.table}_lsn")
            self._write(at_ms, moment)
        except BaseException:
            self.close()
            raise

    def move_to(self, at_ms: int, moment: Moment = Moment.WHAT_WE_KNEW) -> Picture | None:
        """The picture at another moment, in place; what the views read changes when the
        rewrite commits (one transaction). None if the database was closed meanwhile."""
        return self._write(at_ms, moment)

    @property
    def closed(self) -> bool:
        return self._closed

    def _write(self, at_ms: int, moment: Moment) -> Picture | None:
        with self._lock:
            if self._closed:
                return None
            live = f"file:{quote(str(self._store_path.resolve()))}?mode=ro"
            copy = sqlite3.connect(f"file:{quote(str(self.path))}", uri=True, isolation_level=None)
            try:
                # The first copy with no journal (nobody reads it yet), then WAL: views keep
                # reading their moment while a move is written.
                first = self.picture is None
                copy.execute(f"PRAGMA journal_mode = {'OFF' if first else 'WAL'}")
                copy.execute("PRAGMA synchronous = OFF")  # a scratch file: gone when replay ends
                copy.execute("ATTACH DATABASE ? AS live", (live,))
                copy.execute("BEGIN IMMEDIATE")  # one snapshot of the live store for the write
                picture = replay(copy, at_ms, moment, schema_name="live")
                old = self.picture
                self.rewritten = 0
                for kind in PICTURE_KINDS:
                    self.rewritten += self._rewrite(copy, kind, old, picture)
                copy.execute("COMMIT")
                if first:
                    copy.execute("PRAGMA journal_mode = WAL")
                picture.reader = None  # its connection closes here: counts and digest are taken
                self.picture = picture
                return picture
            finally:
                copy.close()

    def _rewrite(
        self, copy: sqlite3.Connection, kind: RecordKind, old: Picture | None, new: Picture
    ) -> int:
        """Write ``kind``'s rows of ``new`` over those of ``old`` (None: an empty file)."""
        columns = _columns(kind)
        names = ", ".join(columns)
        settled = (
            f"INSERT INTO main.{kind.table} ({names}) SELECT {names} FROM live.{kind.table} "
            "WHERE last_lsn < ? AND deleted = 0 AND complete = 1"
        )
        if old is None:
            copy.execute(settled, (new.settled_below,))
            written = copy.execute("SELECT changes()").fetchone()[0]
        else:
            # A record settled at both moments (last changed before both) is the same row in
            # both, and one created after both is in neither: every other one is rewritten.
            # A record changed in the live store since has a log number past both, so it is
            # among them too.
            copy.execute("CREATE TEMP TABLE IF NOT EXISTS moved (id TEXT PRIMARY KEY)")
            copy.execute("DELETE FROM temp.moved")
            copy.execute(
                f"INSERT INTO temp.moved SELECT id FROM live.{kind.table} "
                f"INDEXED BY ix_{kind.table}_lsn WHERE last_lsn >= ? AND first_lsn <= ?",
                (
                    min(old.settled_below, new.settled_below),
                    max(old.known_through, new.known_through),
                ),
            )
            copy.execute(f"DELETE FROM main.{kind.table} WHERE id IN (SELECT id FROM temp.moved)")
            copy.execute(settled + " AND id IN (SELECT id FROM temp.moved)", (new.settled_below,))
            written = copy.execute("SELECT COUNT(*) FROM temp.moved").fetchone()[0]
        copy.executemany(
            f"INSERT INTO main.{kind.table} ({names}) VALUES ({','.join('?' * len(columns))})",
            (
                _row(kind, record_id, fields)
                for record_id, fields in new._replayed_visible(kind.name)
            ),
        )
        return written

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._engine.connect() as connection, connection.begin():
            yield connection

    def close(self) -> None:
        """Remove the file (after a move being written, if any)."""
        with self._lock:
            self._closed = True
            self._engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def _row(kind: RecordKind, record_id: str, fields: dict[str, Any]) -> tuple[Any, ...]:
    values = (to_column(fields.get(name), name in kind.json_fields) for name in kind.fields)
    return (record_id, *values, 0, 1, "{}", b"", "", 0, 0, 0)


__all__ = ["Moment", "Picture", "PictureDatabase", "replay", "time_span"]
