"""Provisional deadlines: a ticket's due day counted past the working-day calendar's data.

Tickets whose deadline was refused before (``due_on`` empty, ``due_note`` saying why) get a
provisional one when ``jutong.governance.deadlines.recompute_provisional`` next runs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quality_tickets") as batch:
        batch.add_column(
            sa.Column("due_provisional", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("quality_tickets") as batch:
        batch.drop_column("due_provisional")
