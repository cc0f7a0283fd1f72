"""What to send a partner next: this center's op-log from the partner's cursor, in local
order, filtered by release at send time.

The cursor is the highest local log position (lsn) up to which everything that may go to
the partner has been acknowledged by it. When a record's release list widened to include the
partner, its earlier ops (which were held back) are sent along with the change, so the
partner receives the whole record, not a fragment.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import msgspec
from sqlalchemy import Connection

from app.oplog import Action, Op, decode_fields
from app.sync.protocol import OutgoingOp
from app.sync.releasability import Release, releases

SCAN_LIMIT = 20_000  # log entries looked at per call at most, released or not
SCAN_STEP = 5_000  # log entries per query


@dataclass
class Outgoing:
    ops: list[OutgoingOp]
    upto_lsn: int  # every op up to here has been considered for this partner


def _op(row: tuple) -> OutgoingOp:
    origin, seq, hlc, kind, record_id, action, fields, author = row
    return OutgoingOp(origin, seq, hlc, kind, record_id, action, msgspec.Raw(fields), author)


def to_op(outgoing: OutgoingOp) -> Op:
    """The decoded op (for in-process use, as a partner would decode it)."""
    return Op(
        outgoing.origin,
        outgoing.seq,
        outgoing.hlc,
        outgoing.kind,
        outgoing.record_id,
        Action(outgoing.action),
        decode_fields(bytes(outgoing.fields)),
        outgoing.author,
    )


_OP_COLUMNS = "origin, seq, hlc, kind, record_id, action, fields, author"


def next_ops(
    connection: Connection, partner: str, after_lsn: int, limit: int, me: str, relay: bool
) -> Outgoing:
    """Up to ``limit`` ops for ``partner`` after ``after_lsn`` (plus widened records' history).
    On a link that is not a relay only this center's own ops (``me``) travel. Looks at no
    more than SCAN_LIMIT log entries, so a stream of held-back ops still advances."""
    out = Outgoing([], after_lsn)
    while len(out.ops) < limit and out.upto_lsn - after_lsn < SCAN_LIMIT:
        scanned = _scan(connection, partner, out.upto_lsn, limit - len(out.ops), me, relay)
        if scanned.upto_lsn == out.upto_lsn:
            break
        out.ops += scanned.ops
        out.upto_lsn = scanned.upto_lsn
    return out


def _scan(
    connection: Connection, partner: str, after_lsn: int, limit: int, me: str, relay: bool
) -> Outgoing:
    """One step over the log: the ops this link carries (filtered in SQL, so the partner's
    own ops, most of what a catch-up brings in, cost nothing) in at most SCAN_STEP entries."""
    high = connection.exec_driver_sql("SELECT COALESCE(MAX(lsn), 0) FROM ops").scalar_one()
    if high <= after_lsn:
        return Outgoing([], after_lsn)
    end = min(after_lsn + SCAN_STEP, high)
    # "+origin": the log positions choose the rows (at most SCAN_STEP of them), never the
    # (origin, seq) index, which would have SQLite walk all of this center's ops and sort them
    # for every batch of a catch-up.
    carried_sql = "origin != ?" if relay else "+origin = ?"
    rows = connection.exec_driver_sql(
        f"SELECT lsn, {_OP_COLUMNS} FROM ops WHERE lsn > ? AND lsn <= ? AND {carried_sql} "
        "ORDER BY lsn LIMIT ?",
        (after_lsn, end, partner if relay else me, limit),
    ).fetchall()
    upto = rows[-1][0] if len(rows) == limit else end
    by_kind: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_kind[row[4]].append(row[5])
    known: dict[tuple[str, str], Release] = {}
    for kind, ids in by_kind.items():
        for record_id, release in releases(connection, kind, ids).items():
            known[(kind, record_id)] = release
    widened = _widened(connection, partner, after_lsn + 1, upto, me, relay)
    notices = _narrowing_notices(connection, partner, after_lsn + 1, upto)
    out: list[OutgoingOp] = []
    for row in rows:
        for lsn in [w for w in widened if w <= row[0]]:
            out.extend(widened.pop(lsn))  # a record's history goes before the op that released it
        release = known.get((row[4], row[5]))
        if release is not None and release.allows(partner):
            out.append(_op(row[1:]))
        elif row[0] in notices and set(decode_fields(row[7])) == {"releasability"}:
            out.append(_op(row[1:]))  # it may no longer see the record: tell it so, nothing more
    for lsn in sorted(widened):
        out.extend(widened[lsn])
    return Outgoing(out, upto)


def _narrowing_notices(connection: Connection, partner: str, first: int, last: int) -> set[int]:
    """Log positions of release changes the partner could see before they were made."""
    notices = set()
    for lsn, before in connection.exec_driver_sql(
        "SELECT lsn, before FROM release_changes WHERE lsn BETWEEN ? AND ?", (first, last)
    ):
        earlier = set(json.loads(before)) if before else set()
        if "*" in earlier or partner in earlier:
            notices.add(lsn)
    return notices


def _widened(
    connection: Connection, partner: str, first: int, last: int, me: str, relay: bool
) -> dict[int, list[OutgoingOp]]:
    """Keyed by the lsn of the change that widened the release, in ascending order."""
    """History to send before the op at each lsn where a record became visible to ``partner``."""
    changes = connection.exec_driver_sql(
        "SELECT lsn, kind, record_id, before FROM release_changes WHERE lsn BETWEEN ? AND ?",
        (first, last),
    ).fetchall()
    out: dict[int, list[OutgoingOp]] = {}
    for lsn, kind, record_id, before in changes:
        earlier = set(json.loads(before)) if before else set()
        if "*" in earlier or partner in earlier:
            continue  # it could see the record already
        release = releases(connection, kind, [record_id]).get(record_id)
        if release is None or not release.allows(partner):
            continue
        keys = [(kind, record_id)]
        if kind == "incident":
            keys += [
                ("note", note_id)
                for (note_id,) in connection.exec_driver_sql(
                    "SELECT id FROM notes WHERE incident_id = ?", (record_id,)
                )
            ]
        history = []
        for key_kind, key_id in keys:
            history += connection.exec_driver_sql(
                f"SELECT lsn, {_OP_COLUMNS} FROM ops WHERE kind = ? AND record_id = ? AND lsn < ?",
                (key_kind, key_id, lsn),
            ).fetchall()
        out[lsn] = [
            _op(row[1:]) for row in sorted(history) if row[1] == me or (relay and row[1] != partner)
        ]
    return out


def queued_estimate(
    connection: Connection, partner: str, after_lsn: int, me: str, relay: bool
) -> int:
    """Ops past the cursor that this link carries: what is queued for the partner, but for
    those its release will hold back (an upper bound, cheap enough to ask every heartbeat)."""
    carried_sql = "origin != ?" if relay else "origin = ?"
    return connection.exec_driver_sql(
        f"SELECT COUNT(*) FROM ops WHERE lsn > ? AND {carried_sql}",
        (after_lsn, partner if relay else me),
    ).scalar_one()


def lost_acknowledged(
    connection: Connection, partner: str, me: str, held_seq: int, cursor: int
) -> int:
    """The sequence number of one of this center's ops that ``partner`` acknowledged (it is
    before the cursor) and may see, but does not hold by its hello (above ``held_seq``);
    0 when there is none. Ops held back from the partner are not counted."""
    last_lsn = 0
    while True:
        rows = connection.exec_driver_sql(
            "SELECT lsn, seq, kind, record_id FROM ops WHERE origin = ? AND seq > ? "
            "AND lsn > ? AND lsn <= ? ORDER BY lsn LIMIT 500",
            (me, held_seq, last_lsn, cursor),
        ).fetchall()
        if not rows:
            return 0
        by_kind: dict[str, list[str]] = defaultdict(list)
        for _lsn, _seq, kind, record_id in rows:
            by_kind[kind].append(record_id)
        visible = {
            (kind, record_id)
            for kind, ids in by_kind.items()
            for record_id, release in releases(connection, kind, ids).items()
            if release.allows(partner)
        }
        for _lsn, seq, kind, record_id in rows:
            if (kind, record_id) in visible:
                return seq
        last_lsn = rows[-1][0]


def load_cursor(connection: Connection, partner: str) -> int:
    row = connection.exec_driver_sql(
        "SELECT acked_lsn FROM partner_cursors WHERE partner = ?", (partner,)
    ).fetchone()
    return row[0] if row else 0


def save_cursor(connection: Connection, partner: str, lsn: int, now_ms: int) -> None:
    connection.exec_driver_sql(
        "INSERT INTO partner_cursors (partner, acked_lsn, acked_at) VALUES (?, ?, ?) "
        "ON CONFLICT(partner) DO UPDATE SET acked_lsn = MAX(acked_lsn, excluded.acked_lsn), "
        "acked_at = excluded.acked_at",
        (partner, lsn, now_ms),
    )
