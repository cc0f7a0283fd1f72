"""The first schema: the op-log, the record tables, partner cursors, meta and quarantine.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("originator", sa.Text(), nullable=True),
        sa.Column("reported_by", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.Integer(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("impact", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("assigned_patrols", sa.Text(), nullable=True),
        sa.Column("releasability", sa.Text(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("complete", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("stamps", sa.Text(), nullable=False),
        sa.Column("row_hash", sa.LargeBinary(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("first_lsn", sa.Integer(), nullable=False),
        sa.Column("last_lsn", sa.Integer(), nullable=False),
        sa.Column("learned_at", sa.Integer(), nullable=False),
    )
    op.create_index("ix_incidents_occurred_at", "incidents", ["occurred_at"])
    op.create_table(
        "meta",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("incident_id", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("center", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("complete", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("stamps", sa.Text(), nullable=False),
        sa.Column("row_hash", sa.LargeBinary(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("first_lsn", sa.Integer(), nullable=False),
        sa.Column("last_lsn", sa.Integer(), nullable=False),
        sa.Column("learned_at", sa.Integer(), nullable=False),
    )
    op.create_index("ix_notes_incident", "notes", ["incident_id"])
    op.create_table(
        "officers",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("agency", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("rank", sa.Text(), nullable=True),
        sa.Column("languages", sa.Text(), nullable=True),
        sa.Column("qualifications", sa.Text(), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=True),
        sa.Column("releasability", sa.Text(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("complete", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("stamps", sa.Text(), nullable=False),
        sa.Column("row_hash", sa.LargeBinary(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("first_lsn", sa.Integer(), nullable=False),
        sa.Column("last_lsn", sa.Integer(), nullable=False),
        sa.Column("learned_at", sa.Integer(), nullable=False),
    )
    op.create_table(
        "ops",
        sa.Column("lsn", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hlc", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("fields", sa.LargeBinary(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False, server_default=""),
        sa.Column("received_at", sa.Integer(), nullable=False),
        sa.UniqueConstraint("origin", "seq", name="uq_ops_origin_seq"),
    )
    op.create_index("ix_ops_record", "ops", ["kind", "record_id"])
    op.create_table(
        "partner_cursors",
        sa.Column("partner", sa.Text(), primary_key=True),
        sa.Column("acked_lsn", sa.Integer(), nullable=False),
        sa.Column("acked_at", sa.Integer(), nullable=False),
    )
    op.create_table(
        "patrols",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("call_sign", sa.Text(), nullable=True),
        sa.Column("crew", sa.Text(), nullable=True),
        sa.Column("vehicle", sa.Text(), nullable=True),
        sa.Column("shift_start", sa.Integer(), nullable=True),
        sa.Column("shift_end", sa.Integer(), nullable=True),
        sa.Column("sector_id", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("position_at", sa.Integer(), nullable=True),
        sa.Column("releasability", sa.Text(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("complete", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("stamps", sa.Text(), nullable=False),
        sa.Column("row_hash", sa.LargeBinary(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("first_lsn", sa.Integer(), nullable=False),
        sa.Column("last_lsn", sa.Integer(), nullable=False),
        sa.Column("learned_at", sa.Integer(), nullable=False),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("op", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("received_at", sa.Integer(), nullable=False),
    )
    op.create_table(
        "release_changes",
        sa.Column("lsn", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
    )
    op.create_table(
        "sectors",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("agency", sa.Text(), nullable=True),
        sa.Column("impact", sa.Text(), nullable=True),
        sa.Column("geometry", sa.Text(), nullable=True),
        sa.Column("releasability", sa.Text(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("complete", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("stamps", sa.Text(), nullable=False),
        sa.Column("row_hash", sa.LargeBinary(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("first_lsn", sa.Integer(), nullable=False),
        sa.Column("last_lsn", sa.Integer(), nullable=False),
        sa.Column("learned_at", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("Limes databases are only upgraded")
