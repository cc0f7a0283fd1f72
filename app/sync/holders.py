"""Which partners hold a record: derived from the partners' acknowledged cursors, no extra
writes per op. A partner holds a record (as it is now) once it has acknowledged the op that
last changed it here, or when the record is its own."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from app.records import kind_named
from app.sync.releasability import releases

HOLDS = "holds"
ON_ITS_WAY = "on its way"
NOT_RELEASED = "not released"


def holders(
    connection: Connection, kind: str, record_id: str, partners: Sequence[str]
) -> list[tuple[str, str]]:
    table = kind_named(kind).table
    row = connection.exec_driver_sql(
        f"SELECT last_lsn, origin FROM {table} WHERE id = ?", (record_id,)
    ).fetchone()
    if row is None:
        return []
    last_lsn, origin = row
    release = releases(connection, kind, [record_id]).get(record_id)
    cursors = {
        partner: lsn
        for partner, lsn in connection.exec_driver_sql(
            "SELECT partner, acked_lsn FROM partner_cursors"
        )
    }
    out = []
    for partner in partners:
        if release is None or not release.allows(partner):
            out.append((partner, NOT_RELEASED))
        elif partner == origin or cursors.get(partner, 0) >= last_lsn:
            out.append((partner, HOLDS))
        else:
            out.append((partner, ON_ITS_WAY))
    return out
