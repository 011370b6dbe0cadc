"""Case clocks remember what they count: the day counting starts from and how many working
days (``counted_from``, ``counted_days``), so a provisional due day (past the working-day
calendar's data) is recomputed when the year is entered, as tickets' are.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_clocks") as batch:
        batch.add_column(sa.Column("counted_from", sa.Date, nullable=True))
        batch.add_column(sa.Column("counted_days", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_clocks") as batch:
        batch.drop_column("counted_days")
        batch.drop_column("counted_from")
