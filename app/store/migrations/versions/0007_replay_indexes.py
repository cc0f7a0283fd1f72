"""Replay's indexes: the op-log by either clock, and each record table by its log numbers.

``app/replay.py`` splits the log at a moment T with ``ix_ops_received`` (what we knew) or
``ix_ops_hlc`` (as it was), then finds the few records changed across T with
``ix_<table>_lsn`` instead of merging every op since the beginning.

A record created by several ops in one batch used to be written with its *last* op's log
number as ``first_lsn``; replay needs its first. Recomputed here from the op-log.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = {
    "incident": "incidents",
    "note": "notes",
    "sector": "sectors",
    "officer": "officers",
    "patrol": "patrols",
}


def upgrade() -> None:
    op.create_index("ix_ops_received", "ops", ["received_at"])
    op.create_index("ix_ops_hlc", "ops", ["hlc"])
    for kind, table in TABLES.items():
        op.execute(
            f"UPDATE {table} SET first_lsn = ("
            f"SELECT MIN(lsn) FROM ops WHERE ops.kind = '{kind}' AND ops.record_id = {table}.id"
            f") WHERE EXISTS (SELECT 1 FROM ops WHERE ops.kind = '{kind}' "
            f"AND ops.record_id = {table}.id AND ops.lsn < {table}.first_lsn)"
        )
        op.create_index(f"ix_{table}_lsn", table, ["last_lsn", "first_lsn"])


def downgrade() -> None:
    # Limes only upgrades a database; tests take a copy back to check an upgrade path.
    for table in TABLES.values():
        op.drop_index(f"ix_{table}_lsn", table_name=table)
    op.drop_index("ix_ops_hlc", table_name="ops")
    op.drop_index("ix_ops_received", table_name="ops")
