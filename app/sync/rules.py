"""Write rules for partners' ops, checked in the write transaction before anything is applied.

- An op whose origin is not the partner it came from is accepted only from a relay.
- A shared incident is changed (any field, delete) only by its owner center; partners add
  notes. An incident is created only with its origin as owner.

Notes are not judged by the incident's release list here: this center's copy of that list
may be older than the note's author's (a widening still on its way), and refusing a valid
note would lose it. A note never widens who sees anything: it goes wherever its incident goes.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from app.oplog import Op


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
    owners = dict(_owners(connection, incident_ids))
    for op in ops:  # creations in this very batch count
        if op.kind == "incident" and op.record_id not in owners and "owner" in op.fields:
            owners[op.record_id] = op.fields["owner"]
    rejected: list[tuple[Op, str]] = []
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
