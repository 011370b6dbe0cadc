"""A requester's doubt about delivered data opens a correction ticket; the provider's fix
resolves it — in the same transaction as the share request's transition.

GX-Dispatch art. 29(5) and 40: the requester raises doubts about the quality of shared data,
the provider answers and fixes them (3 working days in the region flow, the share case's
clock). The fix is a correction of the provider's data, so the doubt is also a correction
ticket for the provider department (kind ``reported_error``, GX-Reg art. 18: verified within
5 working days), visible in ``jutong tickets list`` and the quality scorecard beside the
gate's tickets. The ticket is linked both ways: its ``source_ref`` is
``<request>:doubt:<n>`` and its details name the request; the share transition's audit
event names the ticket. ``fix`` resolves the request's open doubt ticket as the provider.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jutong.governance.cases.actors import Actor
from jutong.governance.cases.model import Case
from jutong.governance.schema import ticket_events, tickets
from jutong.settings import Settings
from jutong.workdays import WorkCalendar

KIND = "share_request"
EVENTS = ("doubt", "fix")


def doubt_ref(case_ref: str, n: int) -> str:
    return f"{case_ref}:doubt:{n}"


def _doubts_so_far(conn: sa.Connection, case_ref: str) -> int:
    return conn.execute(
        sa.select(sa.func.count())
        .select_from(tickets)
        .where(tickets.c.source_ref.like(f"{case_ref}:doubt:%"))
    ).scalar_one()


def effects_for(
    settings: Settings,
    case: Case,
    event: str,
    actor: Actor,
    reason: str | None,
    at: dt.datetime,
    calendar: WorkCalendar,
):
    """The effects function of a share request's ``doubt`` or ``fix`` (None for others)."""
    if case.kind != KIND or event not in EVENTS:
        return None
    from jutong.catalog.loader import load_catalog

    catalog = load_catalog(settings.catalog_dir)

    def on_doubt(conn: sa.Connection, _seq: int, c: Case) -> dict:
        from jutong.governance.tickets.opening import open_ticket_in

        n = _doubts_so_far(conn, c.ref) + 1
        ticket = open_ticket_in(
            conn,
            {
                "department": c.provider,
                "kind": "reported_error",
                "subject": f"共享数据质量异议 {c.ref}: {reason}",
                "details": {
                    "share_request": c.ref,
                    "doubt": n,
                    "requester": c.requester,
                    "resource": c.resource,
                    "raised_by": str(actor),
                    "basis": "GX-Dispatch art. 29(5), art. 40",
                },
                "source_ref": doubt_ref(c.ref, n),
                "opened_at": at,
                "opened_by": actor.user,
            },
            calendar,
            catalog,
        )
        return {"ticket": ticket.id, "ticket_due_on": ticket.due_on.isoformat()}

    def on_fix(conn: sa.Connection, _seq: int, c: Case) -> dict | None:
        from jutong.governance.cases.engine import fire_in
        from jutong.governance.tickets.model import format_id

        row = conn.execute(
            sa.select(tickets.c.seq)
            .where(
                tickets.c.source_ref.like(f"{c.ref}:doubt:%"),
                tickets.c.status == "open",
            )
            .order_by(tickets.c.seq.desc())
        ).first()
        if row is None:  # a doubt raised before doubts opened tickets
            return None
        ticket_id = format_id(row.seq)
        note = f"{c.ref} fix: {reason}"
        when = at.replace(tzinfo=None) if at.tzinfo else at
        conn.execute(
            sa.update(tickets)
            .where(tickets.c.seq == row.seq)
            .values(
                status="resolved", resolved_at=when, resolved_by=actor.user, resolution_note=note
            )
        )
        conn.execute(
            sa.insert(ticket_events).values(
                ticket_seq=row.seq, event="resolve", at=when, by=actor.user, note=note
            )
        )
        fire_in(conn, ticket_id, "resolve", actor=actor, calendar=calendar, reason=note, at=at)
        return {"ticket": ticket_id, "ticket_status": "resolved"}

    return on_doubt if event == "doubt" else on_fix
