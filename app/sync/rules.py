"""Write rules for partners' ops, checked in the write transaction before anything is applied.

- An op whose origin is not the partner it came from is accepted only from a relay.
- A shared incident is changed (any field, delete) only by its owner center; partners add
  notes. An incident is created only with its origin as owner.
- A note is added only to an incident this center holds and the note's center may see.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from app.oplog import Action, Op
from app.sync.releasability import releases


def check_origins(ops: Sequence[Op], peer: str, peer_is_relay: bool) -> list[tuple[Op, str]]:
    if peer_is_relay:
        return []
    return [
        (op, f"forged origin: {op.origin} op received from {peer}, which is not a relay")
        for op in ops
        if op.origin != peer
    ]


def check_writes(connection: Connection, ops: Sequence[Op]) -> list[tuple[Op, str]]:
    incident_ids = [op.record_id for op in ops if op.kind == "incident"]
    owners = dict(
        _owners(connection, incident_ids) if incident_ids else {},
    )
    for op in ops:  # creations in this very batch count
        if op.kind == "incident" and op.record_id not in owners and "owner" in op.fields:
            owners[op.record_id] = op.fields["owner"]
    rejected: list[tuple[Op, str]] = []
    notes = [op for op in ops if op.kind == "note" and op.action is Action.ADD]
    visible = releases(connection, "incident", [op.fields.get("incident_id", "") for op in notes])
    for op in ops:
        if op.kind == "incident":
            owner = owners.get(op.record_id)
            if owner is None:
                rejected.append((op, f"incident {op.record_id}: change before its first report"))
            elif op.fields.get("owner", owner) != owner or op.origin != owner:
                rejected.append(
                    (
                        op,
                        f"incident {op.record_id} is owned by {owner}; {op.origin} may only add notes",
                    )
                )
        elif op.kind == "note" and op.action is Action.ADD:
            release = visible.get(op.fields.get("incident_id", ""))
            if release is not None and not release.allows(op.origin):
                rejected.append((op, f"note on incident not released to {op.origin}"))
    return rejected


def _owners(connection: Connection, ids: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        out += connection.exec_driver_sql(
            f"SELECT id, owner FROM incidents WHERE id IN ({','.join('?' * len(chunk))}) "
            "AND owner IS NOT NULL",
            tuple(chunk),
        ).fetchall()
    return out
