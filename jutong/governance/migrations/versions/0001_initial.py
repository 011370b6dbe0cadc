"""Initial schema: the tables the governance modules created before migrations existed.

Gate runs, correction tickets and their events, the review queue, release versions and events.
A database made before migrations may hold only some of these tables (each module created its
own on first use): this revision creates the ones missing (and missing indexes of the
present ones); ``jutong.governance.adopt`` has
checked the present ones against ``TABLES`` before. Frozen: later changes are new revisions.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _quality_gate_runs() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(100), nullable=False),
        sa.Column("department", sa.String(50), nullable=False),
        sa.Column("batch_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rows_in", sa.Integer, nullable=False),
        sa.Column("published", sa.Integer, nullable=False),
        sa.Column("quarantined", sa.Integer, nullable=False),
        sa.Column("evaluated", sa.Integer, nullable=False),
        sa.Column("failures", sa.Text, nullable=False),
        sa.Column("outcomes", sa.Text, nullable=False),
        sa.Column("scores", sa.Text, nullable=False),
        sa.Column("ticket", sa.String(40), nullable=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("gated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("dataset", "batch_id", name="uq_gate_run_batch"),
        sa.Index("ix_quality_gate_runs_dataset", "dataset"),
        sa.Index("ix_quality_gate_runs_department", "department"),
    ]


def _quality_tickets() -> list[sa.SchemaItem]:
    return [
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("source_ref", sa.String(512), nullable=False, unique=True),
        sa.Column("opened_at", sa.DateTime, nullable=False),
        sa.Column("opened_by", sa.String(128), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("original_due_on", sa.Date, nullable=True),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("due_note", sa.Text, nullable=True),
        sa.Column("extension_days", sa.Integer, nullable=True),
        sa.Column("extension_approved_by", sa.String(128), nullable=True),
        sa.Column("extension_reason", sa.Text, nullable=True),
        sa.Column("extended_at", sa.DateTime, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolved_at", sa.DateTime, nullable=True),
        sa.Column("resolved_by", sa.String(128), nullable=True),
        sa.Column("resolution_note", sa.Text, nullable=True),
        sa.Index("ix_quality_tickets_department", "department"),
        sa.Index("ix_quality_tickets_status", "status"),
    ]


def _quality_ticket_events() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_seq", sa.Integer, sa.ForeignKey("quality_tickets.seq"), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("data", sa.JSON, nullable=True),
        sa.Index("ix_quality_ticket_events_ticket", "ticket_seq"),
    ]


def _review_items() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("base", sa.String(32), nullable=False),
        sa.Column("mention_id", sa.String(200), nullable=False),
        sa.Column("entity_id", sa.String(32), nullable=False),
        sa.Column("match_probability", sa.Float, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.UniqueConstraint("base", "mention_id", "entity_id", name="uq_review_pair"),
    ]


def _release_versions() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("release_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("data_sha256", sa.String(64), nullable=False),
        sa.Column("built_at", sa.DateTime, nullable=False),
        sa.Column("built_by", sa.String(128), nullable=False),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.UniqueConstraint("release_id", "version", name="uq_release_version"),
        sa.Index("ix_release_versions_release_id", "release_id"),
    ]


def _release_events() -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("release_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Index("ix_release_events_release_id", "release_id"),
    ]


# table name -> its columns, constraints and indexes (in creation order: keys before references)
TABLES: dict[str, Callable[[], list[sa.SchemaItem]]] = {
    "quality_gate_runs": _quality_gate_runs,
    "quality_tickets": _quality_tickets,
    "quality_ticket_events": _quality_ticket_events,
    "review_items": _review_items,
    "release_versions": _release_versions,
    "release_events": _release_events,
}


def upgrade() -> None:
    inspector = None if context.is_offline_mode() else sa.inspect(op.get_bind())
    present = set(inspector.get_table_names()) if inspector else set()
    for name, items in TABLES.items():
        if name not in present:
            op.create_table(name, *items())
            continue
        # a table made before migrations: add any of its indexes that is missing
        have = {ix["name"] for ix in inspector.get_indexes(name)}
        for ix in (i for i in items() if isinstance(i, sa.Index) and i.name not in have):
            op.create_index(ix.name, name, [str(e) for e in ix.expressions])


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
