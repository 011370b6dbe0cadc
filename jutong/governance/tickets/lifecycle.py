"""A ticket's life after opening: look-up, history, one extension, resolution, listing.

GX-Reg art. 18: the deadline may be extended **once** by **up to 5** working days with the
head's approval. Every change is a transition of the ticket's case (flow ``ticket``,
``jutong.governance.tickets.case``): the case's state and clock, the ticket row, its
``quality_ticket_events`` row and the audit event are written in one transaction.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jutong.governance.cases.actors import Actor
from jutong.governance.cases.engine import fire
from jutong.governance.cases.model import CaseError, PermissionDenied
from jutong.governance.cases.quality_rules import TICKET_BASIS
from jutong.governance.db import utcnow
from jutong.governance.schema import case_clocks
from jutong.governance.schema import ticket_events as ticket_events_table
from jutong.governance.schema import tickets as tickets_table
from jutong.governance.tickets.case import KIND, default_actor
from jutong.governance.tickets.model import (
    MAX_EXTENSION_DAYS,
    STATUSES,
    Ticket,
    TicketError,
    TicketEvent,
    format_id,
    parse_id,
    row_to_ticket,
    today_cn,
)
from jutong.governance.tickets.store import load_catalog, tables
from jutong.settings import Settings
from jutong.workdays import WorkCalendar


def get_ticket(settings: Settings, ticket_id: str | int) -> Ticket:
    seq = parse_id(ticket_id)
    with tables(settings).connect() as conn:
        row = conn.execute(sa.select(tickets_table).where(tickets_table.c.seq == seq)).first()
    if row is None:
        raise TicketError(f"ticket {format_id(seq)}: no such ticket")
    return row_to_ticket(row)


def ticket_history(settings: Settings, ticket_id: str | int) -> list[TicketEvent]:
    """Every open/extend/resolve of a ticket, oldest first."""
    seq = parse_id(get_ticket(settings, ticket_id).id)
    ev = ticket_events_table
    with tables(settings).connect() as conn:
        rows = conn.execute(
            sa.select(ev.c.event, ev.c.at, ev.c.by, ev.c.note, ev.c.data)
            .where(ev.c.ticket_seq == seq)
            .order_by(ev.c.id)
        ).all()
    return [TicketEvent(*r) for r in rows]


def _require_text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise TicketError(f"{field}: must not be empty")
    return text


def extend_ticket(
    settings: Settings,
    ticket_id: str | int,
    *,
    days: int,
    approved_by: str,
    reason: str,
    calendar: WorkCalendar | None = None,
    actor: Actor | None = None,
    catalog=None,
) -> Ticket:
    """Extend once by 1–5 working days, approved by the department head (GX-Reg art. 18).

    Fires ``extend`` on the ticket's case: the approving head is the audit event's actor, in
    the role and department of ``actor`` who records it (default: the bureau's
    administrator); the case's clock continues from the due day, the ticket row follows."""
    approved_by = _require_text(approved_by, "approved_by")
    reason = _require_text(reason, "reason")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise TicketError(
            f"days: {days!r}: an extension is 1 to {MAX_EXTENSION_DAYS} working days "
            "(GX-Reg art. 18)"
        )
    t = get_ticket(settings, ticket_id)
    if t.status != "open":
        raise TicketError(f"ticket {t.id}: already resolved on {t.resolved_at:%Y-%m-%d}")
    if t.extension_days:
        raise TicketError(
            f"ticket {t.id}: already extended once (+{t.extension_days} working days, approved "
            f"by {t.extension_approved_by}); GX-Reg art. 18 allows one extension"
        )
    if t.due_on is None:
        raise TicketError(f"ticket {t.id}: has no deadline to extend: {t.due_note}")
    catalog = load_catalog(settings, catalog)
    calendar = calendar or WorkCalendar.from_catalog(catalog)
    recorder = actor or default_actor(approved_by, catalog)
    now = utcnow()
    tt = tickets_table

    def effects(conn: sa.Connection, case_seq: int, _case) -> dict:
        clock = _running_clock(conn, case_seq)
        res = conn.execute(
            sa.update(tt)
            .where(tt.c.seq == parse_id(t.id), tt.c.status == "open", tt.c.extension_days.is_(None))
            .values(
                due_on=clock.due_on,
                due_provisional=t.due_provisional or clock.provisional,
                due_note=_note(calendar, clock) or t.due_note,
                extension_days=days,
                extension_approved_by=approved_by,
                extension_reason=reason,
                extended_at=now,
            )
        )
        if res.rowcount != 1:
            raise TicketError(f"ticket {t.id}: changed meanwhile (resolved or extended); retry")
        conn.execute(
            sa.insert(ticket_events_table).values(
                ticket_seq=parse_id(t.id),
                event="extend",
                at=now,
                by=approved_by,
                note=reason,
                data={"days": days, "from": t.due_on.isoformat(), "to": clock.due_on.isoformat()},
            )
        )
        return {
            "days": days,
            "from": t.due_on,
            "to": clock.due_on,
            "provisional": clock.provisional,
        }

    _fire(
        settings,
        t,
        "extend",
        Actor(approved_by, recorder.role, recorder.department),
        reason=reason,
        data={"days": days, "approved_by": approved_by},
        calendar=calendar,
        effects=effects,
        audit_data={"reason": reason, "basis": TICKET_BASIS, "recorded_by": str(recorder)},
        at=now,
    )
    return get_ticket(settings, t.id)


def resolve_ticket(
    settings: Settings,
    ticket_id: str | int,
    *,
    note: str,
    resolved_by: str,
    actor: Actor | None = None,
    catalog=None,
) -> Ticket:
    """Record who fixed what; a ticket is resolved once. Fires ``resolve`` on the ticket's
    case as ``actor`` (default: ``resolved_by`` as the bureau's administrator); the clock is
    closed met or missed, the ticket row follows."""
    note = _require_text(note, "note")
    resolved_by = _require_text(resolved_by, "resolved_by")
    t = get_ticket(settings, ticket_id)
    if t.status == "resolved":
        raise TicketError(
            f"ticket {t.id}: already resolved by {t.resolved_by} on {t.resolved_at:%Y-%m-%d}"
        )
    catalog = load_catalog(settings, catalog)
    who = actor or default_actor(resolved_by, catalog)
    now = utcnow()
    tt = tickets_table

    def effects(conn: sa.Connection, _seq: int, _case) -> dict:
        res = conn.execute(
            sa.update(tt)
            .where(tt.c.seq == parse_id(t.id), tt.c.status == "open")
            .values(
                status="resolved", resolved_at=now, resolved_by=resolved_by, resolution_note=note
            )
        )
        if res.rowcount != 1:
            raise TicketError(f"ticket {t.id}: already resolved")
        conn.execute(
            sa.insert(ticket_events_table).values(
                ticket_seq=parse_id(t.id), event="resolve", at=now, by=resolved_by, note=note
            )
        )
        return {"ticket": t.id, "status": "resolved"}

    _fire(
        settings,
        t,
        "resolve",
        Actor(resolved_by, who.role, who.department),
        reason=note,
        calendar=WorkCalendar.from_catalog(catalog),
        effects=effects,
        audit_data={"note": note},
        at=now,
    )
    return get_ticket(settings, t.id)


def _running_clock(conn: sa.Connection, case_seq: int):
    return conn.execute(
        sa.select(case_clocks).where(
            case_clocks.c.case_seq == case_seq, case_clocks.c.status == "running"
        )
    ).one()


def _note(calendar: WorkCalendar, clock) -> str | None:
    if not clock.provisional:
        return None
    return calendar.due(clock.counted_from, clock.counted_days).note


def _fire(settings: Settings, t: Ticket, event: str, actor: Actor, **kw):
    """Fire ``event`` on the ticket's case; a refusal of the case engine is a ``TicketError``
    (a permission denial stays a ``PermissionDenied``, audited by the engine)."""
    try:
        return fire(settings, t.id, event, actor=actor, kind=KIND, **kw)
    except PermissionDenied:
        raise
    except CaseError as err:
        raise TicketError(str(err)) from None


def list_tickets(
    settings: Settings,
    *,
    overdue: bool = False,
    department: str | None = None,
    status: str | None = None,
    as_of: dt.date | None = None,
) -> list[Ticket]:
    """Tickets, oldest first; ``overdue`` keeps open ones past their due day as of ``as_of``."""
    if status is not None and status not in STATUSES:
        raise TicketError(f"status: '{status}' is not one of {', '.join(STATUSES)}")
    tt = tickets_table
    q = sa.select(tt).order_by(tt.c.seq)
    if department:
        q = q.where(tt.c.department == department)
    if overdue:
        q = q.where(tt.c.status == "open", tt.c.due_on < (as_of or today_cn()))
    elif status:
        q = q.where(tt.c.status == status)
    with tables(settings).connect() as conn:
        return [row_to_ticket(r) for r in conn.execute(q)]
