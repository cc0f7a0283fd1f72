"""The alert log: every alert this center raised, kept across restarts (never replicated).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("raised_at", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("record_kind", sa.Text(), nullable=False, server_default=""),
        sa.Column("record_id", sa.Text(), nullable=False, server_default=""),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("cleared_at", sa.Integer(), nullable=True),
    )
    op.create_index("ix_alerts_raised_at", "alerts", ["raised_at"])


def downgrade() -> None:
    # Limes only upgrades a database; tests take a copy back to check an upgrade path.
    op.drop_index("ix_alerts_raised_at", table_name="alerts")
    op.drop_table("alerts")
