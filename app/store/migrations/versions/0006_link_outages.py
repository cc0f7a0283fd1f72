"""Link outages: when each partner link went down, came back, why, and what was waiting.

Kept by this center for its own reports (the handover's partner links, the timeline); not
replicated, not part of the picture digest.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_outages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("partner", sa.Text(), nullable=False),
        sa.Column("down_at", sa.Integer(), nullable=False),
        sa.Column("up_at", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("queued_out", sa.Integer(), nullable=True),
        sa.Column("queued_in", sa.Integer(), nullable=True),
    )
    op.create_index("ix_link_outages_partner", "link_outages", ["partner", "down_at"])


def downgrade() -> None:
    # Limes only upgrades a database; tests take a copy back to check an upgrade path.
    op.drop_index("ix_link_outages_partner", table_name="link_outages")
    op.drop_table("link_outages")
