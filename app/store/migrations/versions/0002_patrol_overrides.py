"""Patrols carry their rule overrides (who waived which roster rule, when and why).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("patrols", sa.Column("overrides", sa.Text(), nullable=True))
    # Nothing else: a patrol is complete without its late fields (records.RecordKind.late_fields),
    # and a NULL here reads as "no override", hashed as if the field were absent.


def downgrade() -> None:
    op.drop_column("patrols", "overrides")
