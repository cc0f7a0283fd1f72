"""Patrols carry the crew versions their crew replaced, so that two centers editing one crew
at once are shown a conflict instead of one edit silently winning (app/crew_versions.py);
the ops that write a crew get a partial index, so the roster finds them without reading every
position report (200,000 of them: about 1 s without it).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("patrols", sa.Column("crew_base", sa.Text(), nullable=True))
    op.create_index(
        "ix_ops_crew",
        "ops",
        ["lsn"],
        sqlite_where=sa.text("kind = 'patrol' AND instr(fields, '\"crew\"') > 0"),
    )
    # Nothing else: a late field (records.RecordKind.late_fields), NULL reads as absent, and
    # a crew written without a base replaces every earlier crew version, as before.


def downgrade() -> None:
    op.drop_index("ix_ops_crew", table_name="ops")
    op.drop_column("patrols", "crew_base")
