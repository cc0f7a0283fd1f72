"""An incident's audit trail, read from the op-log: every change, who made it, where, when.

Each entry carries both times that count: ``at`` (the change's own stamp, when it was made at
its center) and ``learned_at`` (when this center received it), so a review can tell what was
known when. Old values come from replaying the incident's ops in stamp order, the order in
which the per-field merge picks winners, so each entry's ``old`` is the value it replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from app import values as v
from app.hlc import wall_of
from app.oplog import Action, decode_fields
from app.store import queries as q

CREATED = "created"
DELETED = "deleted"
NOTE = "note"

_TIME_FIELDS = frozenset({"occurred_at", "reported_at", "shift_start", "shift_end"})
_PATROL_STATUSES = frozenset(status.value for status in v.PatrolStatus)
_LABELS = {
    "assigned_patrols": "patrols",
    "releasability": "released to",
    "occurred_at": "occurred at",
    "reported_at": "reported at",
    "reported_by": "reported by",
    "sector_id": "sector",
    "call_sign": "call sign",
}


@dataclass(frozen=True)
class AuditEntry:
    """One field changed by one op (or the record created, deleted, or a note added)."""

    at: datetime  # when the change was made (its HLC)
    learned_at: datetime  # when this center received it
    center: str  # the center whose op it is
    author: str  # who, at that center
    field: str  # a field name, or CREATED / DELETED / NOTE
    old: Any
    new: Any
    count: int = 1  # changes summarised in this entry (a run of position reports)
    since: datetime | None = None  # when the first of them was made, if more than one
    seq: int = 0  # the op's sequence number at its center: (center, seq) names the op

    @property
    def label(self) -> str:
        return _LABELS.get(self.field, self.field)

    @property
    def late(self) -> bool:
        """Learned more than a minute after it was made (a link was down, or a catch-up)."""
        return (self.learned_at - self.at).total_seconds() > 60


def trail(connection: Connection, incident_id: str, *, with_notes: bool = True) -> list[AuditEntry]:
    """Every change to the incident, oldest first (notes added to it among them)."""
    entries = list(record_entries(q.ops_of(connection, "incident", incident_id), "owner", "title"))
    if with_notes:
        entries += _note_entries(connection, incident_id)
        entries.sort(key=lambda entry: entry.at)
    return entries


def _time(hlc: int) -> datetime:
    return v.from_ms(wall_of(hlc))


def record_entries(
    rows: Iterable[tuple[Any, ...]],
    created_with: str,
    named_by: str,
    state: dict[str, Any] | None = None,
) -> Iterable[AuditEntry]:
    """The entries of one record's ops (rows of :func:`queries.ops_of`): the op that carries
    ``created_with`` first creates the record, named by its ``named_by`` field; each later op
    gives one entry per field whose value it changed. ``state`` holds the record's fields as
    they stand after each entry yielded."""
    state = {} if state is None else state
    for origin, seq, hlc, action, raw, author, received_at in rows:
        at, learned = _time(hlc), v.from_ms(received_at)
        if action == Action.DELETE:
            yield AuditEntry(at, learned, origin, author, DELETED, None, True, seq=seq)
            continue
        fields = decode_fields(raw)
        if not state and created_with in fields:
            state.update(fields)
            yield AuditEntry(
                at, learned, origin, author, CREATED, None, fields.get(named_by), seq=seq
            )
            continue
        for name, new in sorted(fields.items()):
            old = state.get(name)
            if old == new:
                continue
            state[name] = new
            yield AuditEntry(at, learned, origin, author, name, old, new, seq=seq)


def _note_entries(connection: Connection, incident_id: str) -> list[AuditEntry]:
    rows = connection.exec_driver_sql(
        "SELECT o.origin, o.hlc, o.author, o.received_at, n.text FROM notes n "
        "JOIN ops o ON o.lsn = n.first_lsn WHERE n.incident_id = ? AND n.complete = 1",
        (incident_id,),
    ).fetchall()
    return [
        AuditEntry(_time(hlc), v.from_ms(received), origin, author, NOTE, None, text)
        for origin, hlc, author, received, text in rows
    ]


def describe(field: str, value: Any) -> str:
    """A value as a person reads it in the trail."""
    if value is None:
        return "—"
    if field in _TIME_FIELDS and isinstance(value, int):
        return v.format_utc(v.from_ms(value))
    if field == "status":
        if value in _PATROL_STATUSES:
            return v.PatrolStatus(value).label
        return v.IncidentStatus(value).label
    if field == "impact":
        return v.ImpactLevel(value).label
    if field == "category":
        return v.Category(value).label
    if field == "releasability":
        return "all partners" if value == ["*"] else (", ".join(value) or "this center only")
    if field == "assigned_patrols":
        return ", ".join(value) or "none"
    if field in ("lon", "lat") and isinstance(value, float):
        return f"{value:.5f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"
