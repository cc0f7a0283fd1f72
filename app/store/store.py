"""The store: one SQLite file, one writer thread, readers on their own connections.

Local changes become ops stamped by this center's clock; partner ops are checked (schema,
clock guard, duplicates) and merged. Both go through :func:`app.store.apply.apply_ops`, so a
record looks the same whichever way its ops arrived.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection

from app.errors import LimesError, ValidationError
from app.hlc import ClockDriftError, HybridLogicalClock
from app.oplog import Action, Op, WireOp, canonical
from app.records import KINDS, kind_named
from app.store import database
from app.store.apply import ApplyResult, apply_ops, new_ops_only
from app.store.purge import PurgeResult, purge_deleted
from app.store.writer import Writer
from app.values import check_id, check_text

log = logging.getLogger(__name__)
SQLITE_INT_MAX = 2**63 - 1
MAX_AUTHOR = 200
T = TypeVar("T")
Guard = Callable[[Connection, Sequence[Op]], list[tuple[Op, str]]]
Received = Op | WireOp  # a partner's op, decoded or as it came over the wire


@dataclass(frozen=True)
class Change:
    """One local change to make: ``fields`` is what changes (all fields for a create)."""

    kind: str
    record_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    action: Action = Action.SET


@dataclass
class _KnownValid:
    """Origins and authors found valid in one batch: equal text gets the same verdict, so
    each is checked once per batch, not once per op."""

    origins: set[str] = field(default_factory=set)
    authors: set[str] = field(default_factory=set)


@dataclass
class RemoteResult:
    applied: int = 0
    duplicates: int = 0
    rejected: list[tuple[Received, str]] = field(default_factory=list)
    changed: dict[str, set[str]] = field(default_factory=dict)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class Store:
    def __init__(
        self,
        path: Path | str,
        center_id: str,
        *,
        synchronous: str = "FULL",
        max_clock_drift_ms: int = 120_000,
    ) -> None:
        self.path = Path(path)
        self.center_id = center_id
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write_engine = database.make_engine(
            self.path, immediate=True, synchronous=synchronous
        )
        database.upgrade(self._write_engine, self.path)
        self._read_engine = database.make_engine(
            self.path, immediate=False, synchronous=synchronous
        )
        self.clock = HybridLogicalClock(max_drift_ms=max_clock_drift_ms)
        self._readers = threading.local()
        self._reader_connections: list[Connection] = []  # every thread's, closed with the store
        self._readers_lock = threading.Lock()
        self.writer = Writer(self._write_engine)
        self._closed = False

    # -- reading -------------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read connection for this thread, in a transaction that sees one snapshot."""
        connection: Connection | None = getattr(self._readers, "connection", None)
        if connection is None:
            connection = self._read_engine.connect()
            self._readers.connection = connection
            with self._readers_lock:
                self._reader_connections.append(connection)
        if connection.in_transaction():  # nested use on the same thread shares the snapshot
            yield connection
            return
        with connection.begin():
            yield connection

    # -- local changes ---------------------------------------------------------------------------

    def commit(self, changes: Sequence[Change], author: str) -> Future[ApplyResult]:
        """Turn ``changes`` into ops of this center and apply them in one transaction."""
        for change in changes:
            kind_named(change.kind)  # fail here, on the caller's thread, for unknown kinds
        return self.writer.submit(
            lambda connection: self._commit_local(connection, changes, author)
        )

    def commit_planned(
        self, plan: Callable[[Connection], tuple[Sequence[Change], T]], author: str
    ) -> Future[T]:
        """Work out the changes inside the write transaction (``plan`` reads through the
        connection it is given), apply them, and return what ``plan`` reported."""

        def job(connection: Connection) -> T:
            changes, report = plan(connection)
            if changes:
                self._commit_local(connection, changes, author)
            return report

        return self.writer.submit(job)

    def _commit_local(
        self, connection: Connection, changes: Sequence[Change], author: str
    ) -> ApplyResult:
        cursor = connection.connection.cursor()
        self._sync_clock(cursor)
        row = cursor.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM ops WHERE origin = ?", (self.center_id,)
        ).fetchone()
        seq = row[0]
        self._check_ownership(cursor, changes)
        changes = self._release_changes_apart(cursor, changes)
        ops = []
        for change in changes:
            kind = kind_named(change.kind)
            fields = (
                kind.check_canonical(change.fields) if change.action is not Action.DELETE else {}
            )
            seq += 1
            ops.append(
                Op(
                    origin=self.center_id,
                    seq=seq,
                    hlc=self.clock.now(),
                    kind=change.kind,
                    record_id=change.record_id,
                    action=change.action,
                    fields=fields,
                    author=author,
                )
            )
        result = apply_ops(connection, ops, _now_ms())
        self._save_clock(cursor)
        return result

    @staticmethod
    def _release_changes_apart(cursor: Any, changes: Sequence[Change]) -> list[Change]:
        """A change of an existing record's release list travels as an op of its own, so it
        can be sent to a partner the record is being narrowed away from without the other
        fields changed with it."""
        out: list[Change] = []
        for change in changes:
            fields = change.fields
            if change.action is Action.SET and "releasability" in fields and len(fields) > 1:
                table = kind_named(change.kind).table
                exists = cursor.execute(
                    f"SELECT 1 FROM {table} WHERE id = ? AND complete = 1", (change.record_id,)
                ).fetchone()
                if exists:
                    rest = {k: v for k, v in fields.items() if k != "releasability"}
                    release = {"releasability": fields["releasability"]}
                    out.append(Change(change.kind, change.record_id, release, change.action))
                    out.append(Change(change.kind, change.record_id, rest, change.action))
                    continue
            out.append(change)
        return out

    def _check_ownership(self, cursor: Any, changes: Sequence[Change]) -> None:
        """Only the owner center changes or deletes an incident; partners add notes."""
        ids = [c.record_id for c in changes if c.kind == "incident"]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for record_id, owner in cursor.execute(
                f"SELECT id, owner FROM incidents WHERE id IN ({','.join('?' * len(chunk))}) "
                "AND owner IS NOT NULL AND owner != ?",
                (*chunk, self.center_id),
            ):
                raise ValidationError(
                    "owner",
                    f"incident {record_id} is owned by {owner}; only {owner} changes it "
                    "(add a follow-up note instead)",
                )

    # -- maintenance -----------------------------------------------------------------------------

    def purge_deleted(
        self, partners: Sequence[str], *, older_than_ms: int, now_ms: int | None = None
    ) -> Future[PurgeResult]:
        """Purge deleted records' content and history once every one of ``partners`` has
        acknowledged the deletion and it is older than ``older_than_ms`` here (see purge.py)."""
        before = (now_ms if now_ms is not None else _now_ms()) - older_than_ms
        return self.writer.submit(lambda connection: purge_deleted(connection, partners, before))

    # -- partner ops -----------------------------------------------------------------------------

    def apply_remote(
        self,
        ops: Sequence[Received],
        guard: Guard | None = None,
        *,
        source: str = "",
        refused: Sequence[tuple[Received, str]] = (),
    ) -> Future[RemoteResult]:
        """Apply partner ops. ``guard(connection, ops)`` (the write rules) runs in the same
        transaction and names the ops it refuses; ``source`` is the partner they came from;
        ``refused`` are ops already refused on receipt, quarantined in the same transaction."""
        return self.writer.submit(
            lambda connection: self._apply_remote(connection, ops, guard, source, refused)
        )

    def _apply_remote(
        self,
        connection: Connection,
        ops: Sequence[Received],
        guard: Guard | None = None,
        source: str = "",
        refused: Sequence[tuple[Received, str]] = (),
    ) -> RemoteResult:
        result = RemoteResult()
        now = _now_ms()
        cursor = connection.connection.cursor()
        for op, reason in refused:
            self._quarantine(cursor, op, reason, now, source)
        self._sync_clock(cursor)
        accepted: list[Op] = []
        horizon = self.clock.horizon()  # stamps above this are too far in the future
        known = _KnownValid()  # an origin or author repeats in every op of a batch
        for op in ops:
            checked, reason = self._checked(op, horizon, known)
            if checked is not None:
                accepted.append(checked)
                continue
            result.rejected.append((op, reason))
            self._quarantine(cursor, op, reason, now, source)
        fresh, result.duplicates = new_ops_only(connection, accepted)
        if guard is not None and fresh:
            refused = guard(connection, fresh)
            if refused:
                refused_keys = {op.key for op, _reason in refused}
                fresh = [op for op in fresh if op.key not in refused_keys]
                for op, reason in refused:
                    self._quarantine(cursor, op, reason, now, source)
                    result.rejected.append((op, reason))
        if fresh:
            self.clock.receive(max(op.hlc for op in fresh))
        applied = apply_ops(connection, fresh, now)
        result.applied = len(fresh)
        result.changed = {kind: set(ids) for kind, ids in applied.changed.items()}
        self._save_clock(cursor)
        return result

    @staticmethod
    def _quarantine(cursor: Any, op: Received, reason: str, now: int, source: str) -> None:
        cursor.execute(
            "INSERT INTO quarantine (origin, seq, op, reason, received_at) VALUES (?,?,?,?,?)",
            (
                op.origin,
                op.seq if abs(op.seq) <= SQLITE_INT_MAX else 0,  # the op itself keeps it
                canonical(op),
                f"{reason} (from {source})" if source else reason,
                now,
            ),
        )
        log.warning("op %s/%s from %s rejected: %s", op.origin, op.seq, source or "?", reason)

    def _checked(self, op: Received, horizon: int, known: _KnownValid) -> tuple[Op | None, str]:
        """The op with canonical fields, or None and why it may not be applied."""
        if not 1 <= op.seq <= SQLITE_INT_MAX:
            return None, f"invalid op: seq {op.seq} is out of range (1 to {SQLITE_INT_MAX})"
        if not 0 <= op.hlc <= SQLITE_INT_MAX:
            return None, f"invalid op: hlc {op.hlc} is out of range (0 to {SQLITE_INT_MAX})"
        try:
            if op.origin not in known.origins:
                check_id(op.origin, "origin")
                known.origins.add(op.origin)
            check_id(op.record_id, "record_id")
            if op.author not in known.authors:
                check_text(op.author, "author", required=False, max_len=MAX_AUTHOR)
                known.authors.add(op.author)
        except ValidationError as error:
            return None, f"invalid op: {error}"
        kind = KINDS.get(op.kind)
        if kind is None:
            return None, f"invalid op: kind: unknown record kind {op.kind!r}"
        if op.hlc > horizon:
            try:
                self.clock.check(op.hlc)
            except ClockDriftError as error:
                return None, f"clock guard: {error}"
        if op.action is Action.DELETE:
            fields: dict[str, Any] = {}
        else:
            try:
                if isinstance(op, WireOp):
                    fields = kind.check_encoded(op.fields)
                else:
                    fields = kind.check_canonical(op.fields)
            except ValidationError as error:
                return None, f"invalid op: {error}"
        return Op(
            op.origin, op.seq, op.hlc, op.kind, op.record_id, op.action, fields, op.author
        ), ""

    # -- the clock ---------------------------------------------------------------------------------

    def _sync_clock(self, cursor: Any) -> None:
        """Never stamp below what any process has written to this file (monotonic on restart)."""
        row = cursor.execute("SELECT value FROM meta WHERE key = 'hlc'").fetchone()
        if row is not None:
            self.clock.receive(int(row[0]))

    def _save_clock(self, cursor: Any) -> None:
        cursor.execute(
            "INSERT INTO meta (key, value) VALUES ('hlc', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value "
            "WHERE CAST(excluded.value AS INTEGER) > CAST(meta.value AS INTEGER)",
            (str(self.clock.last),),
        )

    # -- lifetime ----------------------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.writer.close()
        with self._readers_lock:  # dispose() leaves checked-out connections (and files) open
            for connection in self._reader_connections:
                connection.close()
            self._reader_connections.clear()
        self._write_engine.dispose()
        self._read_engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: Path | str, center_id: str, **options: Any) -> Store:
    try:
        return Store(path, center_id, **options)
    except LimesError:
        raise
    except Exception as error:
        raise LimesError(f"{path}: cannot open the database ({error})") from error
