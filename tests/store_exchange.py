"""Two real stores exchanging ops as partners would (without the network): every op one
holds that the other lacks, applied through the partner path (schema, clock guard, merge)."""

from __future__ import annotations

from app.oplog import Action, Op, decode_fields
from app.store import Store


def ops_held(store: Store) -> list[Op]:
    """The store's whole op-log, in its log order."""
    with store.read() as connection:
        rows = connection.exec_driver_sql(
            "SELECT origin, seq, hlc, kind, record_id, action, fields, author FROM ops ORDER BY lsn"
        ).fetchall()
    return [Op(o, s, h, k, r, Action(a), decode_fields(f), au) for o, s, h, k, r, a, f, au in rows]


def send(sender: Store, receiver: Store) -> None:
    """What ``sender`` holds and ``receiver`` lacks, applied at ``receiver``; none refused."""
    with receiver.read() as connection:
        held = {(o, s) for o, s in connection.exec_driver_sql("SELECT origin, seq FROM ops")}
    fresh = [op for op in ops_held(sender) if op.key not in held]
    result = receiver.apply_remote(fresh, source=sender.center_id).result()
    assert not result.rejected, result.rejected


def exchange(a: Store, b: Store) -> None:
    send(a, b)
    send(b, a)
