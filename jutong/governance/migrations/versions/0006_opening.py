"""Opening to the public: accounts, data-use agreements, deliveries and API keys, ratings,
public notices; clock-hour deadlines on case clocks (特急 12 hours, GX-Open art. 20(2)).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_clocks") as batch:
        batch.add_column(sa.Column("due_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("remaining_minutes", sa.Integer, nullable=True))
    op.create_table(
        "open_accounts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("contact", sa.String(256), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
    )
    op.create_table(
        "open_agreements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("accepted_by", sa.String(256), nullable=False),
        sa.Column("accepted_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_open_agreements_case_seq", "open_agreements", ["case_seq"])
    op.create_table(
        "open_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("resource", sa.String(128), nullable=False),
        sa.Column("release_id", sa.String(64), nullable=True),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("delivered_at", sa.DateTime, nullable=False),
        sa.Column("delivered_by", sa.String(256), nullable=False),
    )
    op.create_index("ix_open_deliveries_case_seq", "open_deliveries", ["case_seq"])
    op.create_index("ix_open_deliveries_resource", "open_deliveries", ["resource"])
    op.create_table(
        "open_api_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key_id", sa.String(32), nullable=False, unique=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("delivery_id", sa.Integer, sa.ForeignKey("open_deliveries.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.Column("issued_by", sa.String(256), nullable=False),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
        sa.Column("revoked_by", sa.String(256), nullable=True),
        sa.Column("revoke_reason", sa.Text, nullable=True),
        sa.Column("last_used_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_open_api_keys_delivery_id", "open_api_keys", ["delivery_id"])
    op.create_table(
        "open_ratings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=False, unique=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("resource", sa.String(128), nullable=False),
        sa.Column("conformity", sa.Integer, nullable=False),
        sa.Column("completeness", sa.Integer, nullable=False),
        sa.Column("accuracy", sa.Integer, nullable=False),
        sa.Column("consistency", sa.Integer, nullable=False),
        sa.Column("timeliness", sa.Integer, nullable=False),
        sa.Column("usability", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("rated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_open_ratings_provider", "open_ratings", ["provider"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=True),
        sa.Column("resource", sa.String(128), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("basis", sa.String(64), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("published_by", sa.String(256), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_notices_case_seq", "notices", ["case_seq"])
    op.create_index("ix_notices_ends_on", "notices", ["ends_on"])


def downgrade() -> None:
    op.drop_table("notices")
    op.drop_table("open_ratings")
    op.drop_table("open_api_keys")
    op.drop_table("open_deliveries")
    op.drop_table("open_agreements")
    op.drop_table("open_accounts")
    with op.batch_alter_table("case_clocks") as batch:
        batch.drop_column("remaining_minutes")
        batch.drop_column("due_at")
