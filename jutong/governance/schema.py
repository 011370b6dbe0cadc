"""The governance database's schema: every table, on one ``metadata``.

The tables are created and changed only by the Alembic migrations in
``jutong/governance/migrations/`` (``jutong governance upgrade``, also run automatically by
``jutong.governance.db.engine``). A change to a table here needs a new migration; the tests
check that the migrations build exactly this metadata.

Times are stored as naive UTC (``jutong.governance.db.utcnow``).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
# Alembic's record of the applied revision; never Airflow's ``alembic_version`` when both share
# one PostgreSQL database.
VERSION_TABLE = "jutong_alembic_version"

# ---- quality: gate runs (jutong.quality.store) --------------------------------------------------
gate_runs = sa.Table(
    "quality_gate_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(100), nullable=False, index=True),
    sa.Column("department", sa.String(50), nullable=False, index=True),
    sa.Column("batch_id", sa.String(100), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # passed | blocked
    sa.Column("rows_in", sa.Integer, nullable=False),
    sa.Column("published", sa.Integer, nullable=False),
    sa.Column("quarantined", sa.Integer, nullable=False),
    sa.Column("evaluated", sa.Integer, nullable=False),
    sa.Column("failures", sa.Text, nullable=False),  # JSON list of strings
    sa.Column("outcomes", sa.Text, nullable=False),  # JSON list of Outcome dicts
    sa.Column("scores", sa.Text, nullable=False),  # JSON {dimension: score}
    sa.Column("ticket", sa.String(40), nullable=True),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("gated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("dataset", "batch_id", name="uq_gate_run_batch"),
)

# ---- correction tickets (jutong.governance.tickets) ---------------------------------------------
tickets = sa.Table(
    "quality_tickets",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("department", sa.String(64), nullable=False, index=True),
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
    # 0003: a due day counted past the working-day calendar's data (jutong.workdays.Due)
    sa.Column("due_provisional", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("extension_days", sa.Integer, nullable=True),
    sa.Column("extension_approved_by", sa.String(128), nullable=True),
    sa.Column("extension_reason", sa.Text, nullable=True),
    sa.Column("extended_at", sa.DateTime, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, default="open", index=True),
    sa.Column("resolved_at", sa.DateTime, nullable=True),
    sa.Column("resolved_by", sa.String(128), nullable=True),
    sa.Column("resolution_note", sa.Text, nullable=True),
)

ticket_events = sa.Table(
    "quality_ticket_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_seq", sa.Integer, sa.ForeignKey("quality_tickets.seq"), nullable=False),
    sa.Column("event", sa.String(16), nullable=False),  # open | extend | resolve
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("by", sa.String(128), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("data", sa.JSON, nullable=True),
    sa.Index("ix_quality_ticket_events_ticket", "ticket_seq"),
)

# ---- clerical review queue of the base builds (jutong.base.review) ------------------------------
review_items = sa.Table(
    "review_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("base", sa.String(32), nullable=False),
    sa.Column("mention_id", sa.String(200), nullable=False),
    sa.Column("entity_id", sa.String(32), nullable=False),
    sa.Column("match_probability", sa.Float, nullable=False),
    sa.Column("details", sa.Text, nullable=False),  # JSON: the two records side by side
    sa.Column("status", sa.String(16), nullable=False),  # pending | accepted | rejected
    sa.Column("first_seen", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
    sa.Column("decided_by", sa.String(100)),
    sa.Column("decided_at", sa.DateTime),
    sa.Column("note", sa.Text),
    sa.UniqueConstraint("base", "mention_id", "entity_id", name="uq_review_pair"),
)

# ---- open-data releases (jutong.governance.releases) --------------------------------------------
release_versions = sa.Table(
    "release_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("release_id", sa.String(64), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("data_sha256", sa.String(64), nullable=False),
    sa.Column("built_at", sa.DateTime, nullable=False),
    sa.Column("built_by", sa.String(128), nullable=False),
    sa.Column("withdrawn", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("release_id", "version", name="uq_release_version"),
)

release_events = sa.Table(
    "release_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("release_id", sa.String(64), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("action", sa.String(16), nullable=False),  # publish|reopen|suspend|withdraw|restore
    sa.Column("from_status", sa.String(16), nullable=True),
    sa.Column("to_status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
)

# ---- tamper-evident audit log (jutong.governance.audit) -----------------------------------------
# Append-only; each event's hash covers its content and the previous event's hash (GX-Dispatch
# art. 42: 谁提供谁负责，谁流转谁负责，谁使用谁负责). ``audit_head`` is one row holding the chain's
# head; appends update it first, which serializes them on SQLite and PostgreSQL alike.
audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("role", sa.String(64), nullable=True),
    sa.Column("department", sa.String(64), nullable=True, index=True),
    sa.Column("action", sa.String(64), nullable=False, index=True),
    sa.Column("subject", sa.String(512), nullable=False, index=True),
    sa.Column("data", sa.Text, nullable=False),  # canonical JSON
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# ---- cases: share requests and other governed processes (jutong.governance.cases) ---------------
# A case's history is its audit events (subject = ref); these tables hold its current state and
# the deadline clocks of its steps.
cases = sa.Table(
    "cases",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ref", sa.String(32), nullable=False, index=True),  # SR-000001
    sa.Column("kind", sa.String(32), nullable=False, index=True),
    sa.Column("flow", sa.String(32), nullable=False),
    sa.Column("state", sa.String(32), nullable=False, index=True),
    sa.Column("requester", sa.String(64), nullable=False, index=True),
    sa.Column("provider", sa.String(64), nullable=False, index=True),
    sa.Column("bureau", sa.String(64), nullable=False),
    sa.Column("resource", sa.String(128), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("opened_at", sa.DateTime, nullable=False),
    sa.Column("opened_by", sa.String(256), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("closed", sa.Boolean, nullable=False),
    # 0005: optimistic concurrency; bumped by every transition (jutong.governance.cases.engine)
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

case_clocks = sa.Table(
    "case_clocks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=False, index=True),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("party", sa.String(16), nullable=False),
    sa.Column("label", sa.String(128), nullable=False),
    sa.Column("basis", sa.String(64), nullable=False),
    sa.Column("started_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("provisional", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),  # running|paused|met|missed
    sa.Column("remaining_days", sa.Integer, nullable=True),
    sa.Column("closed_on", sa.Date, nullable=True),
    sa.Column("reminded_on", sa.Date, nullable=True),  # the SLA sweep's reminder (due soon)
    sa.Column("escalated_on", sa.Date, nullable=True),  # … and its escalation (overdue)
    # 0006: clock-hour deadlines (特急 12 hours, GX-Open art. 20(2)): the instant, naive UTC
    sa.Column("due_at", sa.DateTime, nullable=True),
    sa.Column("remaining_minutes", sa.Integer, nullable=True),  # a paused clock-hour deadline
    # 0007: what a working-day clock counts (from this day, so many working days): a
    # provisional due day is recomputed from them (jutong.governance.cases.recompute)
    sa.Column("counted_from", sa.Date, nullable=True),
    sa.Column("counted_days", sa.Integer, nullable=True),
)

share_deliveries = sa.Table(
    "share_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # active | suspended | revoked
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("excluded_rows", sa.Integer, nullable=False),  # rows of batches not passed
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

# ---- users of the governance service (jutong.governance.users) ----------------------------------
# A user holds roles per department (``USER:ROLE@DEPT`` of the case engine); passwords are
# argon2 hashes; bearer tokens (login sessions and API keys for systems) are random and stored
# only as their SHA-256.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("display_name", sa.String(256), nullable=True),
    sa.Column("password_hash", sa.String(256), nullable=True),  # None: API keys only
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(256), nullable=False),
)

user_roles = sa.Table(
    "user_roles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("department", sa.String(64), nullable=False),
    sa.Column("granted_at", sa.DateTime, nullable=False),
    sa.Column("granted_by", sa.String(256), nullable=False),
    sa.UniqueConstraint("user_id", "role", "department", name="uq_user_role"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("prefix", sa.String(16), nullable=False),  # shown in lists, never the token
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # session | api_key
    sa.Column("name", sa.String(128), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=True),  # None: until revoked (API keys)
    sa.Column("last_used_at", sa.DateTime, nullable=True),
    sa.Column("revoked_at", sa.DateTime, nullable=True),
)

# ---- opening to the public (jutong.governance.opening; GX-Open ch. 4–5) ------------------------
# Citizens' and organisations' portal accounts (数据使用主体, GX-Open art. 20(1)).
open_accounts = sa.Table(
    "open_accounts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # person | organisation
    sa.Column("name", sa.String(256), nullable=False),
    sa.Column("uscc", sa.String(18), nullable=True),  # organisations: GB 32100 code
    sa.Column("contact", sa.String(256), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(256), nullable=False),
)

# Data-use agreements accepted online (GX-Open art. 20(5)): which text, by whom, when.
open_agreements = sa.Table(
    "open_agreements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=False, index=True),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("text_sha256", sa.String(64), nullable=False),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("accepted_by", sa.String(256), nullable=False),
    sa.Column("accepted_at", sa.DateTime, nullable=False),
)

# Deliveries of opened data to a requester: a download or an API key (GX-Open art. 20(5);
# GX-Dispatch art. 33). Active deliveries are the entry's subscribers (LZ-Rules art. 20).
open_deliveries = sa.Table(
    "open_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=False, index=True),
    sa.Column("method", sa.String(16), nullable=False),  # download | api
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("resource", sa.String(128), nullable=False, index=True),
    sa.Column("release_id", sa.String(64), nullable=True),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # active | revoked
    sa.Column("delivered_at", sa.DateTime, nullable=False),
    sa.Column("delivered_by", sa.String(256), nullable=False),
)

# API keys: random, stored as a SHA-256 of the secret only, scoped to one delivery (dataset and
# period), revocable.
open_api_keys = sa.Table(
    "open_api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key_id", sa.String(32), nullable=False, unique=True),
    sa.Column("secret_sha256", sa.String(64), nullable=False),
    sa.Column(
        "delivery_id", sa.Integer, sa.ForeignKey("open_deliveries.id"), nullable=False, index=True
    ),
    sa.Column("status", sa.String(16), nullable=False),  # active | revoked
    sa.Column("issued_at", sa.DateTime, nullable=False),
    sa.Column("issued_by", sa.String(256), nullable=False),
    sa.Column("revoked_at", sa.DateTime, nullable=True),
    sa.Column("revoked_by", sa.String(256), nullable=True),
    sa.Column("revoke_reason", sa.Text, nullable=True),
    sa.Column("last_used_at", sa.DateTime, nullable=True),
)

# Ratings of opened data on the six quality dimensions (GX-Open art. 20(7)), 1–5 each.
open_ratings = sa.Table(
    "open_ratings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=False, unique=True),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("provider", sa.String(64), nullable=False, index=True),
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

# Public notices (公示) with their period: offline notices (GX-Dispatch art. 22, 27(3);
# LZ-Rules art. 21(3)); shown on the portal for their whole period.
notices = sa.Table(
    "notices",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("case_seq", sa.Integer, sa.ForeignKey("cases.seq"), nullable=True, index=True),
    sa.Column("resource", sa.String(128), nullable=False),
    sa.Column("department", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("basis", sa.String(64), nullable=False),
    sa.Column("period", sa.String(32), nullable=False),  # "30 days" | "30 wd" | "10 wd"
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False, index=True),
    sa.Column("provisional", sa.Boolean, nullable=False),
    sa.Column("published_at", sa.DateTime, nullable=False),
    sa.Column("published_by", sa.String(256), nullable=False),
    sa.Column("withdrawn_at", sa.DateTime, nullable=True),
)

__all__ = [
    "VERSION_TABLE",
    "api_tokens",
    "audit_events",
    "audit_head",
    "case_clocks",
    "cases",
    "gate_runs",
    "metadata",
    "notices",
    "open_accounts",
    "open_agreements",
    "open_api_keys",
    "open_deliveries",
    "open_ratings",
    "release_events",
    "release_versions",
    "review_items",
    "ticket_events",
    "tickets",
    "user_roles",
    "users",
]
