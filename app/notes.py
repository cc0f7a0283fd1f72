"""Follow-up notes: an incident's append-only log, written by any center that holds it.

A note is its own record (kind ``note``) with an id no other writer can pick (this center's
id and a random part), created by one ``add`` op and never changed: two people, or two centers,
writing at the same moment each add a record, so both notes survive every merge order.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import Future

from sqlalchemy import Connection

from app.errors import ValidationError
from app.oplog import Action
from app.records import NOTE
from app.store import Change, Store

ACKNOWLEDGED = "Acknowledged"


def new_note_id(center: str) -> str:
    return f"{center}-n-{uuid.uuid4().hex[:16]}"


def add_note(store: Store, incident_id: str, text: str, author: str) -> Future[str]:
    """Append ``text`` to the incident's log as ``author`` of this center; the future gives
    the note's id. An empty text or an incident this center does not hold is refused."""
    note_id = new_note_id(store.center_id)
    fields = NOTE.check(
        {
            "incident_id": incident_id,
            "author": author,
            "center": store.center_id,
            "created_at": time.time_ns() // 1_000_000,
            "text": text,
        }
    )

    def plan(connection: Connection) -> tuple[list[Change], str]:
        row = connection.exec_driver_sql(
            "SELECT deleted FROM incidents WHERE id = ? AND complete = 1", (incident_id,)
        ).fetchone()
        if row is None:
            raise ValidationError("incident_id", f"no incident {incident_id!r} at this center")
        if row[0]:
            raise ValidationError("incident_id", f"incident {incident_id!r} was deleted")
        return [Change("note", note_id, fields, Action.ADD)], note_id

    return store.commit_planned(plan, author)


def acknowledge(store: Store, incident_id: str, author: str) -> Future[str]:
    """A partner's "we have seen it": a note, so it travels back to the owner like any other."""
    return add_note(store, incident_id, ACKNOWLEDGED, author)
