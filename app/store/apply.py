"""Applying a batch of ops to the store in one transaction: append to the op-log, merge into
the materialized tables, keep per-field stamps and row digests.

This is the hot path of imports and of partner catch-up, so it talks to SQLite through the
DBAPI cursor of the SQLAlchemy connection with ``executemany`` (one statement per table per
batch) rather than building a Core statement per row; see bench/store.py for the figures.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from sqlalchemy import Connection

from app.oplog import Action, Op, canonical, encode_fields
from app.records import KINDS, RecordKind
from app.store.merge import DEFAULT, RecordState

CHUNK = 500  # ids per "IN (...)" query, well under SQLite's variable limit
# Parameters are bound as the exact types sqlite3 takes without asking its adapter registry
# (int, float, str, bytearray, None): an enum, a bool or bytes costs a registry lookup and
# two attribute probes per value, a fifth of the binding time of a batch (bench/sync.py).
# A bytearray is stored as the same BLOB as bytes, and read back as bytes.
_ACTION_TEXT = {action: action.value for action in Action}


@dataclass
class ApplyResult:
    applied: list[Op] = field(default_factory=list)
    duplicates: int = 0
    changed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    first_lsn: int | None = None
    last_lsn: int | None = None
    # (lsn, kind, record_id, releasability before) for records whose release list changed
    release_changes: list[tuple[int, str, str, str | None]] = field(default_factory=list)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def new_ops_only(connection: Connection, ops: Sequence[Op]) -> tuple[list[Op], int]:
    """Drop ops this store already holds (by origin and seq), and repeats within the batch."""
    cursor = connection.connection.cursor()
    by_origin: dict[str, list[Op]] = defaultdict(list)
    for op in ops:
        by_origin[op.origin].append(op)
    fresh: list[Op] = []
    for origin, group in by_origin.items():
        row = cursor.execute("SELECT MAX(seq) FROM ops WHERE origin = ?", (origin,)).fetchone()
        high = row[0] if row[0] is not None else -1
        maybe_held = sorted({op.seq for op in group if op.seq <= high})
        held: set[int] = set()
        for chunk in _chunks(maybe_held):
            marks = ",".join("?" * len(chunk))
            held.update(
                seq
                for (seq,) in cursor.execute(
                    f"SELECT seq FROM ops WHERE origin = ? AND seq IN ({marks})", (origin, *chunk)
                )
            )
        seen: set[int] = set()
        for op in group:
            if op.seq in held or op.seq in seen:
                continue
            seen.add(op.seq)
            fresh.append(op)
    return fresh, len(ops) - len(fresh)


def apply_ops(connection: Connection, ops: Sequence[Op], now_ms: int) -> ApplyResult:
    """Append ``ops`` (already known to be new and checked) and merge them; one transaction is
    the caller's. Returns which records changed."""
    result = ApplyResult(applied=list(ops))
    if not ops:
        return result
    cursor = connection.connection.cursor()
    row = cursor.execute("SELECT COALESCE(MAX(lsn), 0) FROM ops").fetchone()
    first_lsn = row[0] + 1
    encoded = [encode_fields(op.fields) for op in ops]
    action_text = _ACTION_TEXT
    # Rows are generated as SQLite binds them rather than built up front: thousands of
    # tuples alive at once would only feed the garbage collector (see bench/sync.py).
    cursor.executemany(
        "INSERT INTO ops (lsn, origin, seq, hlc, kind, record_id, action, fields, author,"
        " received_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            (
                first_lsn + index,
                op.origin,
                op.seq,
                op.hlc,
                op.kind,
                op.record_id,
                action_text[op.action],
                bytearray(encoded[index]),
                op.author,
                now_ms,
            )
            for index, op in enumerate(ops)
        ),
    )
    result.first_lsn, result.last_lsn = first_lsn, first_lsn + len(ops) - 1

    by_kind: dict[str, list[int]] = defaultdict(list)  # kind: indexes into ops
    for index, op in enumerate(ops):
        by_kind[op.kind].append(index)
    for kind_name, group in by_kind.items():
        _merge_kind(cursor, KINDS[kind_name], ops, encoded, first_lsn, group, now_ms, result)
    if result.release_changes:
        cursor.executemany(
            "INSERT OR REPLACE INTO release_changes (lsn, kind, record_id, before) VALUES (?,?,?,?)",
            result.release_changes,
        )
    return result


def _merge_kind(
    cursor: Any,
    kind: RecordKind,
    ops: Sequence[Op],
    encoded: list[bytes],
    first_lsn: int,
    group: list[int],
    now_ms: int,
    result: ApplyResult,
) -> None:
    """Merge the ops at ``group`` (indexes into ``ops``, whose log numbers start at
    ``first_lsn``; ``encoded``: their canonical fields) into the table of ``kind``."""
    counts: dict[str, int] = defaultdict(int)
    for index in group:
        counts[ops[index].record_id] += 1
    existing = _load_states(cursor, kind, list(counts))
    releases_before = {  # taken before the merge changes the loaded states
        record_id: state.fields.get("releasability") for record_id, state in existing.items()
    }
    states: dict[str, RecordState] = {}
    last_lsn: dict[str, int] = {}
    first_lsn_of: dict[str, int] = {}  # a new record's first op here (replay relies on it)
    release_lsn: dict[str, int] = {}  # the op that set the release list, per record
    whole = len(kind.fields)
    created_whole: list[int] = []  # the common case, see _rows_created_whole
    for index in group:
        op = ops[index]
        record_id = op.record_id
        if (
            counts[record_id] == 1
            and record_id not in existing
            and op.action is Action.SET
            and len(op.fields) == whole
        ):
            created_whole.append(index)
            continue
        lsn = first_lsn + index
        state = states.get(record_id)
        if state is None:
            state = existing.get(record_id) or RecordState(kind, record_id)
            states[record_id] = state
        state.apply(op)
        last_lsn[record_id] = lsn
        first_lsn_of.setdefault(record_id, lsn)
        if "releasability" in op.fields:
            release_lsn[record_id] = lsn
    plan = [(name, name in kind.json_fields) for name in kind.fields]
    merged = []
    for record_id, state in states.items():
        if not state.changed:
            continue
        if record_id in releases_before:
            before = releases_before[record_id]
            if state.fields.get("releasability") != before:
                result.release_changes.append(
                    (
                        release_lsn.get(record_id, last_lsn[record_id]),
                        kind.name,
                        record_id,
                        None if before is None else canonical(before).decode(),
                    )
                )
        values = [to_column(state.fields.get(name), is_json) for name, is_json in plan]
        merged.append(
            (
                record_id,
                *values,
                int(state.deleted),
                int(state.complete),
                state.encoded_stamps(),
                bytearray(state.row_hash()),
                state.origin,
                first_lsn_of[record_id],  # kept by the upsert for a record already held
                last_lsn[record_id],
                now_ms,
            )
        )
    if kind.name == "incident":
        created = {ops[index].record_id: first_lsn + index for index in created_whole}
        created.update((row[0], row[-3]) for row in merged if row[0] not in existing)
        _notes_waiting_for(cursor, created, result)
    columns = ("id", *kind.fields, "deleted", "complete", "stamps", "row_hash", "origin",
               "first_lsn", "last_lsn", "learned_at")  # fmt: skip
    updates = ", ".join(
        f"{name} = excluded.{name}"
        for name in columns
        if name not in ("id", "origin", "first_lsn", "learned_at")
    )
    if created_whole or merged:
        cursor.executemany(
            f"INSERT INTO {kind.table} ({', '.join(columns)}) "
            f"VALUES ({','.join('?' * len(columns))}) ON CONFLICT(id) DO UPDATE SET {updates}",
            chain(
                _rows_created_whole(kind, ops, encoded, first_lsn, created_whole, now_ms), merged
            ),
        )
        changed = result.changed[kind.name]
        changed.update(ops[index].record_id for index in created_whole)
        changed.update(row[0] for row in merged)


def _rows_created_whole(
    kind: RecordKind,
    ops: Sequence[Op],
    encoded: list[bytes],
    first_lsn: int,
    indexes: list[int],
    now_ms: int,
) -> Iterator[tuple[Any, ...]]:
    """The rows of records created whole by one op that nothing else in the batch touches:
    the common case of imports and catch-up. Each row comes straight from its op, and its
    hash from the op's canonical encoding (equal to RecordState.row_hash's input). Generated
    as SQLite binds them (see apply_ops)."""
    prefix = b"[" + canonical(kind.name) + b","
    take = operator.itemgetter(*kind.fields)
    json_at = [index for index, name in enumerate(kind.fields) if name in kind.json_fields]
    quoted: dict[str, str] = {}
    blake2b = hashlib.blake2b
    for index in indexes:
        op = ops[index]
        lsn = first_lsn + index
        values = list(take(op.fields))
        for at in json_at:
            values[at] = canonical(values[at]).decode()
        origin = quoted.get(op.origin) or quoted.setdefault(
            op.origin, canonical(op.origin).decode()
        )
        payload = prefix + canonical(op.record_id) + b",false," + encoded[index] + b"]"
        yield (
            op.record_id,
            *values,
            0,  # deleted
            1,  # complete
            f'{{"{DEFAULT}":[{op.hlc},{origin},{op.seq}]}}',
            bytearray(blake2b(payload, digest_size=16).digest()),
            op.origin,
            lsn,
            lsn,
            now_ms,
        )


def _notes_waiting_for(cursor: Any, created: dict[str, int], result: ApplyResult) -> None:
    """Incidents first heard of here after notes on them arrived (a relay hears of a note
    from one partner before the incident from another): the outbox could not tell whom those
    notes may go to, so it held them back. Recording the incident's arrival as a release
    change from nothing makes the outbox send the notes along with it (outbox._widened)."""
    ids = list(created)
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for (incident_id,) in cursor.execute(
            f"SELECT DISTINCT incident_id FROM notes WHERE incident_id IN ({marks})", tuple(chunk)
        ):
            result.release_changes.append((created[incident_id], "incident", incident_id, None))


def to_column(value: Any, is_json: bool) -> Any:
    """A field's value as its column holds it (JSON fields as canonical text)."""
    if is_json and value is not None:
        return canonical(value).decode()
    return value


def _load_states(cursor: Any, kind: RecordKind, ids: list[str]) -> dict[str, RecordState]:
    states: dict[str, RecordState] = {}
    select = (
        f"SELECT id, {', '.join(kind.fields)}, complete, origin, deleted, stamps "
        f"FROM {kind.table} WHERE id IN "
    )
    for chunk in _chunks(ids):
        for row in cursor.execute(select + f"({','.join('?' * len(chunk))})", tuple(chunk)):
            fields = kind.decode_row(row)
            stamps = {key: tuple(stamp) for key, stamp in json.loads(row[-1]).items()}
            state = RecordState(
                kind,
                row[0],
                fields={k: v for k, v in fields.items() if _is_set(kind, k, v, stamps)},
                stamps=stamps,
                deleted=bool(row[-2]),
                origin=row[-3],
            )
            state.purged = state.deleted and not row[-4] and state.complete
            states[row[0]] = state
    return states


def _is_set(kind: RecordKind, name: str, value: Any, stamps: dict[str, Any]) -> bool:
    """Whether the record holds ``name``. A late field (added after the first release) that a
    create left out is NULL in its column and not part of the record: its row hash must equal
    that of a partner which merged the same ops without ever storing the row in between."""
    if value is None and name in kind.late_fields:
        return False
    return DEFAULT in stamps or name in stamps
