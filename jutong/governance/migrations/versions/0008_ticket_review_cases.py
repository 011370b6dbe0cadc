"""Correction tickets and clerical review items become cases: a case for each existing one.

Tickets (flow ``ticket``, GX-Reg art. 18) get a case whose reference is the ticket's id, in
the ticket's state (``open``, ``extended`` or ``resolved``), with the clock of that state:
running for an open ticket (counted from the day of receipt, 5 working days plus the
extension), closed met or missed for a resolved one (by its resolution day). Review items
(flow ``review``) get a case ``review:<id>`` — ``pending``, ``merged`` (accepted) or
``kept_apart`` (rejected). The ticket and review tables are unchanged. The backfill is one
audit event (``cases.backfill``) with the counts, when there was anything to backfill.

The bureau department is the jurisdiction's ``sharing.bureau`` (default ``dashuju``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

VERIFY = 5  # GX-Reg art. 18
BASIS = "GX-Reg art. 18"
LABELS = {"open": "verify and correct 校对", "extended": "extended verification 延期校对"}
REVIEW_STATES = {"pending": "pending", "accepted": "merged", "rejected": "kept_apart"}

_meta = sa.MetaData()
cases = sa.Table(
    "cases",
    _meta,
    sa.Column("seq", sa.Integer, primary_key=True),
    *(
        sa.Column(c, sa.String)
        for c in ("ref", "kind", "flow", "state", "requester", "provider", "bureau", "resource")
    ),
    sa.Column("title", sa.Text),
    sa.Column("data", sa.JSON),
    sa.Column("opened_at", sa.DateTime),
    sa.Column("opened_by", sa.String),
    sa.Column("updated_at", sa.DateTime),
    sa.Column("closed", sa.Boolean),
    sa.Column("version", sa.Integer),
)
clocks = sa.Table(
    "case_clocks",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_seq", sa.Integer),
    *(sa.Column(c, sa.String) for c in ("state", "party", "label", "basis", "status")),
    *(sa.Column(c, sa.Date) for c in ("started_on", "due_on", "closed_on", "counted_from")),
    sa.Column("provisional", sa.Boolean),
    sa.Column("counted_days", sa.Integer),
)
tickets = sa.Table(
    "quality_tickets",
    _meta,
    sa.Column("seq", sa.Integer),
    *(
        sa.Column(c, sa.String)
        for c in ("department", "kind", "source_ref", "opened_by", "status", "resolved_by")
    ),
    sa.Column("subject", sa.Text),
    sa.Column("details", sa.JSON),
    *(sa.Column(c, sa.DateTime) for c in ("opened_at", "extended_at", "resolved_at")),
    *(sa.Column(c, sa.Date) for c in ("received_on", "original_due_on", "due_on")),
    sa.Column("due_provisional", sa.Boolean),
    sa.Column("extension_days", sa.Integer),
)
reviews = sa.Table(
    "review_items",
    _meta,
    sa.Column("id", sa.Integer),
    *(sa.Column(c, sa.String) for c in ("base", "mention_id", "entity_id", "status")),
    sa.Column("match_probability", sa.Float),
    *(sa.Column(c, sa.DateTime) for c in ("first_seen", "last_seen", "decided_at")),
    sa.Column("decided_by", sa.String),
)


def _bureau() -> str:
    settings = op.get_context().config.attributes.get("settings")
    try:
        path = Path(settings.catalog_dir) / "jurisdiction.yaml"
        juris = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return str((juris.get("sharing") or {}).get("bureau") or "dashuju")
    except (AttributeError, OSError, yaml.YAMLError):
        return "dashuju"


def _day(at: dt.datetime | None) -> dt.date | None:
    """The Beijing day of a naive-UTC instant."""
    return None if at is None else (at + dt.timedelta(hours=8)).date()


def _ticket_rows(conn: sa.Connection, t, bureau: str) -> tuple[dict, list[dict]]:
    ext = t.extension_days or 0
    state = "resolved" if t.status == "resolved" else ("extended" if ext else "open")
    ref = f"T-{t.seq:06d}"
    updated = t.resolved_at or t.extended_at or t.opened_at
    case = {
        "ref": ref,
        "kind": "ticket",
        "flow": "ticket",
        "state": state,
        "requester": bureau,
        "provider": t.department,
        "bureau": bureau,
        "resource": str((t.details or {}).get("dataset") or t.kind)[:128],
        "title": t.subject,
        "data": {
            "ticket": ref,
            "kind": t.kind,
            "source_ref": t.source_ref,
            **({"days": ext} if ext else {}),
            "backfilled": "0008",
        },
        "opened_at": t.opened_at,
        "opened_by": t.opened_by,
        "updated_at": updated,
        "closed": state == "resolved",
        "version": 1 + bool(ext) + (state == "resolved"),
    }
    if t.due_on is None:  # a deadline never computed (before 0003): no clock to show
        return case, []
    step = "extended" if ext else "open"
    started = _day(t.extended_at) if ext and t.extended_at else t.received_on
    clock = {
        "state": step,
        "party": "provider",
        "label": LABELS[step],
        "basis": BASIS,
        "started_on": started,
        "due_on": t.due_on,
        "provisional": bool(t.due_provisional),
        "counted_from": t.received_on,
        "counted_days": VERIFY + ext,
        "status": "running",
        "closed_on": None,
    }
    out = []
    if ext and t.original_due_on is not None:
        out.append(
            {
                **clock,
                "state": "open",
                "label": LABELS["open"],
                "started_on": t.received_on,
                "due_on": t.original_due_on,
                "counted_days": VERIFY,
                "status": "extended" if started <= t.original_due_on else "missed",
                "closed_on": started,
            }
        )
    if state == "resolved":
        done = _day(t.resolved_at) or t.due_on
        clock.update(status="met" if done <= t.due_on else "missed", closed_on=done)
    out.append(clock)
    return case, out


def upgrade() -> None:
    conn = op.get_bind()
    bureau = _bureau()
    n_tickets = n_reviews = 0
    taken = {r[0] for r in conn.execute(sa.select(cases.c.ref))}
    for t in conn.execute(sa.select(tickets).order_by(tickets.c.seq)).all():
        case, its_clocks = _ticket_rows(conn, t, bureau)
        if case["ref"] in taken:
            continue
        seq = conn.execute(sa.insert(cases).values(**case).returning(cases.c.seq)).scalar_one()
        for c in its_clocks:
            conn.execute(sa.insert(clocks).values(case_seq=seq, **c))
        n_tickets += 1
    for r in conn.execute(sa.select(reviews).order_by(reviews.c.id)).all():
        ref = f"review:{r.id}"
        if ref in taken:
            continue
        state = REVIEW_STATES.get(r.status, "pending")
        conn.execute(
            sa.insert(cases).values(
                ref=ref,
                kind="review",
                flow="review",
                state=state,
                requester=bureau,
                provider=bureau,
                bureau=bureau,
                resource=r.base,
                title=f"{r.base}: {r.mention_id} ~ {r.entity_id}",
                data={
                    "item": r.id,
                    "base": r.base,
                    "subject": r.mention_id,
                    "entity_id": r.entity_id,
                    **({"decided_by": r.decided_by} if r.decided_by else {}),
                    "backfilled": "0008",
                },
                opened_at=r.first_seen,
                opened_by="jutong-base-build",
                updated_at=r.decided_at or r.last_seen,
                closed=state != "pending",
                version=1 + (state != "pending"),
            )
        )
        n_reviews += 1
    if n_tickets or n_reviews:
        from jutong.governance.audit import log as audit

        audit.append(
            conn,
            actor="jutong-migrate",
            department=bureau,
            action="cases.backfill",
            subject="migration:0008",
            data={"tickets": n_tickets, "review_items": n_reviews, "flows": ["ticket", "review"]},
        )


def downgrade() -> None:
    conn = op.get_bind()
    seqs = sa.select(cases.c.seq).where(cases.c.kind.in_(("ticket", "review")))
    conn.execute(sa.delete(clocks).where(clocks.c.case_seq.in_(seqs)))
    conn.execute(sa.delete(cases).where(cases.c.kind.in_(("ticket", "review"))))
