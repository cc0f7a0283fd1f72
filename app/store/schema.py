"""The SQLite schema, as SQLAlchemy Core tables (the migrations create exactly these).

Record tables have one column per shared field (JSON text for list and mapping fields), plus:
``deleted`` (tombstone), ``stamps`` (per-field (HLC, origin) of the value held, as JSON),
``row_hash`` (digest of the shared values), ``complete`` (every field has been set at least
once: a record whose first op has not arrived yet is kept but not shown), ``first_lsn`` and
``last_lsn`` (the local op-log positions that created and last changed it) and ``learned_at``
(when this center first heard of it).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from app.records import INCIDENT, KINDS, NOTE, OFFICER, PATROL, SECTOR, RecordKind

metadata = MetaData()

# The ops that write a patrol's crew, few among a patrol's many position reports: read in
# full when the roster opens (app/crew_versions.py). A query must repeat this text to use
# its partial index (migration 0005).
CREW_OPS = "kind = 'patrol' AND instr(fields, '\"crew\"') > 0"

ops = Table(
    "ops",
    metadata,
    Column("lsn", Integer, primary_key=True, autoincrement=True),
    Column("origin", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("hlc", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("fields", LargeBinary, nullable=False),
    Column("author", Text, nullable=False, server_default=""),
    Column("received_at", Integer, nullable=False),
    UniqueConstraint("origin", "seq", name="uq_ops_origin_seq"),
    Index("ix_ops_record", "kind", "record_id"),
    # Replay splits the log at a moment by either clock (migration 0007, app/replay.py).
    Index("ix_ops_received", "received_at"),
    Index("ix_ops_hlc", "hlc"),
    Index("ix_ops_crew", "lsn", sqlite_where=text(CREW_OPS)),
)

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("op", LargeBinary, nullable=False),
    Column("reason", Text, nullable=False),
    Column("received_at", Integer, nullable=False),
)

partner_cursors = Table(
    "partner_cursors",
    metadata,
    Column("partner", Text, primary_key=True),
    # every op with lsn <= acked_lsn that may go to this partner has been acknowledged by it
    Column("acked_lsn", Integer, nullable=False),
    Column("acked_at", Integer, nullable=False),
)

# A partner link's outages as this center saw them (migration 0006): not replicated.
link_outages = Table(
    "link_outages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("partner", Text, nullable=False),
    Column("down_at", Integer, nullable=False),  # UTC ms
    Column("up_at", Integer, nullable=True),  # NULL while the link is still down
    Column("reason", Text, nullable=False, server_default=""),
    Column("queued_out", Integer, nullable=True),  # ops waiting for the partner at its return
    Column("queued_in", Integer, nullable=True),  # at most this many came from it on return
    Index("ix_link_outages_partner", "partner", "down_at"),
)

release_changes = Table(
    "release_changes",
    metadata,
    Column("lsn", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("before", Text, nullable=True),  # releasability before the change (JSON), or NULL
)

# This center's alerts, an operational log of its own: never replicated, not in the digest.
# "Clear" in the alert list stamps ``cleared_at``; the rows stay (migration 0005).
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("raised_at", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("record_kind", Text, nullable=False, server_default=""),
    Column("record_id", Text, nullable=False, server_default=""),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("cleared_at", Integer, nullable=True),
    Index("ix_alerts_raised_at", "raised_at"),
)

_COLUMN_TYPES = {
    "occurred_at": Integer,
    "reported_at": Integer,
    "created_at": Integer,
    "shift_start": Integer,
    "shift_end": Integer,
    "position_at": Integer,
    "lon": Float,
    "lat": Float,
    "available": Boolean,
}


def _record_table(kind: RecordKind, *indexes: Index) -> Table:
    columns = [Column("id", Text, primary_key=True)]
    columns += [Column(name, _COLUMN_TYPES.get(name, Text), nullable=True) for name in kind.fields]
    columns += [
        Column("deleted", Boolean, nullable=False, server_default="0"),
        Column("complete", Boolean, nullable=False, server_default="0"),
        Column("stamps", Text, nullable=False),
        Column("row_hash", LargeBinary, nullable=False),
        Column("origin", Text, nullable=False),
        Column("first_lsn", Integer, nullable=False),
        Column("last_lsn", Integer, nullable=False),
        Column("learned_at", Integer, nullable=False),
    ]
    # Replay finds the records changed across a moment T from this index alone (migration 0007).
    lsns = Index(f"ix_{kind.table}_lsn", "last_lsn", "first_lsn")
    return Table(kind.table, metadata, *columns, lsns, *indexes)


# The timeline's filters run in time order from this index alone (migration 0002).
incidents = _record_table(
    INCIDENT,
    Index(
        "ix_incidents_timeline",
        "occurred_at",
        "deleted",
        "complete",
        "category",
        "impact",
        "status",
        "owner",
    ),
)
notes = _record_table(NOTE, Index("ix_notes_incident", "incident_id"))
sectors = _record_table(SECTOR)
officers = _record_table(OFFICER)
patrols = _record_table(PATROL)

RECORD_TABLES: dict[str, Table] = {
    INCIDENT.name: incidents,
    NOTE.name: notes,
    SECTOR.name: sectors,
    OFFICER.name: officers,
    PATROL.name: patrols,
}
assert set(RECORD_TABLES) == set(KINDS)
