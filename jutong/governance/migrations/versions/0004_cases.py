"""Cases (share requests first), the deadline clocks of their steps, share deliveries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ref", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("flow", sa.String(32), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("requester", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("bureau", sa.String(64), nullable=False),
        sa.Column("resource", sa.String(128), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("opened_at", sa.DateTime, nullable=False),
        sa.Column("opened_by", sa.String(256), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
    )
    for col in ("ref", "kind", "state", "requester", "provider"):
        op.create_index(f"ix_cases_{col}", "cases", [col])
    op.create_table(
        "case_clocks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("party", sa.String(16), nullable=False),
        sa.Column("label", sa.String(128), nullable=False),
        sa.Column("basis", sa.String(64), nullable=False),
        sa.Column("started_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("remaining_days", sa.Integer, nullable=True),
        sa.Column("closed_on", sa.Date, nullable=True),
        sa.Column("reminded_on", sa.Date, nullable=True),
        sa.Column("escalated_on", sa.Date, nullable=True),
    )
    op.create_index("ix_case_clocks_case_seq", "case_clocks", ["case_seq"])
    op.create_index("ix_case_clocks_status", "case_clocks", ["status"])
    op.create_table(
        "share_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("excluded_rows", sa.Integer, nullable=False),
        sa.Column("source_table", sa.String(256), nullable=False),
        sa.Column("source_snapshot", sa.BigInteger, nullable=True),
        sa.Column("share_table", sa.String(256), nullable=False),
        sa.Column("share_snapshot", sa.BigInteger, nullable=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("delivered_at", sa.DateTime, nullable=False),
        sa.Column("delivered_by", sa.String(256), nullable=False),
        sa.UniqueConstraint("case_seq", "version", name="uq_share_delivery_version"),
    )
    op.create_index("ix_share_deliveries_case_seq", "share_deliveries", ["case_seq"])


def downgrade() -> None:
    op.drop_table("share_deliveries")
    op.drop_table("case_clocks")
    op.drop_table("cases")
