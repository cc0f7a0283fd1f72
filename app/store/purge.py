"""Purging deleted records once every partner has acknowledged their deletion.

A delete leaves a tombstone: the record row stays, marked deleted, so that the delete reaches
every partner (including one that was offline for days) and a late edit from a partner that
had not heard of it cannot bring the record back. Purging removes what the tombstone no longer
needs, once every configured partner has acknowledged the log position of the delete and a
grace period has passed (after-action reviews replay from the op-log):

- the record's earlier ops leave the op-log (the delete op itself stays, so a center that
  catches up from scratch still learns of the deletion);
- its content fields are cleared; what decides who may see it and who owns it stays
  (``releasability``, ``owner``, ``incident_id``), so shared digests keep agreeing;
- its per-field stamps stay, so an op of the purged history that a partner sends again merges
  as the stale op it is and changes nothing.

An op that is the highest sequence number of its origin is never removed: the version vector
(what a partner's hello is compared with) and this center's own next sequence number are read
from the op-log, and must not go backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from app.records import KINDS

KEPT_FIELDS = frozenset({"releasability", "owner", "incident_id"})
"""Fields a purged tombstone keeps: they decide who may see it and who owns it."""


@dataclass
class PurgeResult:
    records: int = 0  # tombstones whose content and history were purged
    ops: int = 0  # op-log entries removed
    waiting: int = 0  # tombstones some partner has not acknowledged yet (or in grace)


def acknowledged_floor(connection: Connection, partners: Sequence[str]) -> int:
    """The highest log position every partner has acknowledged (0 if one never did);
    with no partners, the end of the log."""
    if not partners:
        return connection.exec_driver_sql("SELECT COALESCE(MAX(lsn), 0) FROM ops").scalar_one()
    marks = ",".join("?" * len(partners))
    rows = dict(
        connection.exec_driver_sql(
            f"SELECT partner, acked_lsn FROM partner_cursors WHERE partner IN ({marks})",
            tuple(partners),
        ).fetchall()
    )
    return min(rows.get(partner, 0) for partner in partners)


def purge_deleted(
    connection: Connection, partners: Sequence[str], learned_before_ms: int
) -> PurgeResult:
    """Purge tombstones whose deletion every one of ``partners`` acknowledged and that this
    center learned before ``learned_before_ms``. Runs in the caller's write transaction."""
    result = PurgeResult()
    floor = acknowledged_floor(connection, partners)
    cursor = connection.connection.cursor()
    for kind in KINDS.values():
        cleared = [name for name in kind.fields if name not in KEPT_FIELDS]
        # Each tombstone's newest delete op: the one every partner must have acknowledged.
        rows = cursor.execute(
            f"SELECT r.id, MAX(o.lsn), MAX(o.received_at) FROM {kind.table} r "
            "JOIN ops o ON o.kind = ? AND o.record_id = r.id AND o.action = 'delete' "
            "WHERE r.deleted = 1 GROUP BY r.id",
            (kind.name,),
        ).fetchall()
        ready = []
        for record_id, delete_lsn, learned_at in rows:
            if delete_lsn <= floor and learned_at <= learned_before_ms:
                ready.append((record_id, delete_lsn))
            else:
                result.waiting += 1
        for record_id, delete_lsn in ready:
            removed = cursor.execute(
                "DELETE FROM ops WHERE kind = ? AND record_id = ? AND lsn <= ? AND lsn != ? "
                "AND seq < (SELECT MAX(seq) FROM ops o2 WHERE o2.origin = ops.origin) "
                "RETURNING lsn",
                (kind.name, record_id, floor, delete_lsn),
            ).fetchall()
            if removed:
                cursor.executemany(
                    "DELETE FROM release_changes WHERE lsn = ?", [(lsn,) for (lsn,) in removed]
                )
            content = cursor.execute(
                f"SELECT 1 FROM {kind.table} WHERE id = ? AND (complete = 1 OR "
                + " OR ".join(f"{name} IS NOT NULL" for name in cleared)
                + ")",
                (record_id,),
            ).fetchone()
            if content:  # complete = 0: no reader takes it for a record (see merge.RecordState)
                cursor.execute(
                    f"UPDATE {kind.table} SET complete = 0, "
                    + ", ".join(f"{name} = NULL" for name in cleared)
                    + " WHERE id = ?",
                    (record_id,),
                )
            if removed or content:
                result.records += 1
                result.ops += len(removed)
    return result
