"""Patrols carry their rule overrides (who waived which roster rule, when and why).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("patrols", sa.Column("overrides", sa.Text(), nullable=True))
    # A patrol whose fields were stamped one by one (not created whole) must stay complete:
    # the new field counts as set when its call sign was, with no override (NULL = none).
    connection = op.get_bind()
    rows = connection.exec_driver_sql("SELECT id, stamps FROM patrols").fetchall()
    for record_id, raw in rows:
        stamps = json.loads(raw)
        if "*" in stamps or "overrides" in stamps or "call_sign" not in stamps:
            continue
        stamps["overrides"] = stamps["call_sign"]
        connection.exec_driver_sql(
            "UPDATE patrols SET stamps = ? WHERE id = ?",
            (json.dumps(stamps, separators=(",", ":"), sort_keys=True), record_id),
        )


def downgrade() -> None:
    op.drop_column("patrols", "overrides")
