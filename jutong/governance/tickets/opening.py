"""Opening tickets: validated, idempotent by ``source_ref``, due in 5 working days.

The due day is 5 working days after the Beijing day of receipt (GX-Reg art. 18). If that
deadline counts days beyond the working-day calendar's data, it is computed provisionally
(``jutong.workdays.WorkCalendar.due``): ``due_provisional`` is set, ``due_note`` says why, and
``jutong.governance.deadlines.recompute_provisional`` makes it final once the year's
arrangement is entered. Every opening is an audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from jutong.governance.cases.engine import open_many
from jutong.governance.db import utcnow
from jutong.governance.schema import ticket_events as ticket_events_table
from jutong.governance.schema import tickets as tickets_table
from jutong.governance.tickets.case import FLOW, KIND, bureau_of, case_item, opener
from jutong.governance.tickets.model import (
    KINDS,
    VERIFY_WORKING_DAYS,
    Ticket,
    TicketError,
    beijing_day,
    format_id,
    row_to_ticket,
    to_utc_naive,
)
from jutong.governance.tickets.store import load_catalog, tables
from jutong.settings import Settings
from jutong.workdays import WorkCalendar

_CHUNK = 500  # SQLite bound-parameter headroom for IN (...) lookups


def _validate_spec(spec: dict, departments: Iterable[str], where: str) -> dict:
    allowed = {"department", "kind", "subject", "details", "source_ref", "opened_at", "opened_by"}
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise TicketError(f"{where}: unknown field(s) {', '.join(unknown)}")
    dept = spec.get("department")
    known = sorted(departments)
    if dept not in known:
        raise TicketError(
            f"{where}: department: '{dept}' is not in catalog/departments.yaml "
            f"(known: {', '.join(known)})"
        )
    kind = spec.get("kind")
    if kind not in KINDS:
        raise TicketError(f"{where}: kind: '{kind}' is not one of {', '.join(KINDS)}")
    subject = str(spec.get("subject") or "").strip()
    if not subject:
        raise TicketError(f"{where}: subject: must not be empty")
    ref = str(spec.get("source_ref") or "").strip()
    if not ref:
        raise TicketError(f"{where}: source_ref: must not be empty (it makes opening idempotent)")
    details = spec.get("details") or {}
    if not isinstance(details, dict):
        raise TicketError(f"{where}: details: expected a mapping, got {type(details).__name__}")
    opened_at = spec.get("opened_at")
    if opened_at is not None and not isinstance(opened_at, dt.datetime):
        raise TicketError(f"{where}: opened_at: expected a datetime, got {opened_at!r}")
    return {
        "department": dept,
        "kind": kind,
        "subject": subject,
        "details": details,
        "source_ref": ref,
        "opened_at": to_utc_naive(opened_at) if opened_at else None,
        "opened_by": str(spec.get("opened_by") or "jutong"),
    }


def _fetch_by_refs(conn: sa.Connection, refs: Sequence[str]) -> dict[str, Ticket]:
    found: dict[str, Ticket] = {}
    refs = list(dict.fromkeys(refs))
    for i in range(0, len(refs), _CHUNK):
        chunk = refs[i : i + _CHUNK]
        q = sa.select(tickets_table).where(tickets_table.c.source_ref.in_(chunk))
        for row in conn.execute(q):
            t = row_to_ticket(row)
            found[t.source_ref] = t
    return found


def open_tickets(
    settings: Settings,
    specs: Sequence[dict],
    *,
    catalog=None,
    calendar: WorkCalendar | None = None,
) -> list[Ticket]:
    """Open many tickets in one transaction; one ticket per spec, in order.

    Each spec has ``department``, ``kind``, ``subject``, ``source_ref`` and optionally
    ``details``, ``opened_at`` (datetime; naive = UTC), ``opened_by``. A ``source_ref`` that
    already has a ticket returns that ticket (idempotent), also within ``specs``. Due day:
    5 working days after the Beijing day of receipt (GX-Reg art. 18).
    """
    if not specs:
        return []
    catalog = load_catalog(settings, catalog)
    calendar = calendar or WorkCalendar.from_catalog(catalog)
    clean = [
        _validate_spec(dict(s), catalog.departments, f"ticket {i + 1} ({s.get('source_ref')!r})")
        for i, s in enumerate(specs)
    ]
    try:
        return _insert_tickets(settings, clean, calendar, catalog)
    except sa.exc.IntegrityError:
        # another process opened one of these source_refs meanwhile: its ticket is returned
        return _insert_tickets(settings, clean, calendar, catalog)


def _insert_tickets(
    settings: Settings, clean: list[dict], calendar: WorkCalendar, catalog
) -> list[Ticket]:
    eng = tables(settings)
    with eng.begin() as conn:
        return insert_tickets_in(conn, clean, calendar, catalog)


def open_ticket_in(conn: sa.Connection, spec: dict, calendar: WorkCalendar, catalog) -> Ticket:
    """Open one ticket (and its case) inside the caller's transaction — a process whose own
    transition opens a correction ticket (a share request's doubt, GX-Dispatch art. 40)."""
    clean = _validate_spec(dict(spec), catalog.departments, f"ticket ({spec.get('source_ref')!r})")
    return insert_tickets_in(conn, [clean], calendar, catalog)[0]


def insert_tickets_in(
    conn: sa.Connection, clean: list[dict], calendar: WorkCalendar, catalog
) -> list[Ticket]:
    """The rows, events and cases of validated ticket specs, in ``conn``'s transaction."""
    now = utcnow()
    bureau = bureau_of(catalog)
    existing = _fetch_by_refs(conn, [c["source_ref"] for c in clean])
    new_rows: list[dict] = []
    seen: set[str] = set(existing)
    dues: dict = {}
    for c in clean:
        if c["source_ref"] in seen:  # idempotent; repeats within specs keep the first
            continue
        seen.add(c["source_ref"])
        opened_at = c["opened_at"] or now
        received = beijing_day(opened_at)
        if received not in dues:  # one count per day of receipt in the batch
            dues[received] = calendar.due(received, VERIFY_WORKING_DAYS)
        due = dues[received]
        new_rows.append(
            {
                **c,
                "opened_at": opened_at,
                "received_on": received,
                "original_due_on": due.day,
                "due_on": due.day,
                "due_note": due.note,
                "due_provisional": due.provisional,
                "status": "open",
            }
        )
    if new_rows:
        ins = sa.insert(tickets_table).returning(tickets_table.c.seq, sort_by_parameter_order=True)
        seqs = [row[0] for row in conn.execute(ins, new_rows)]
        conn.execute(
            sa.insert(ticket_events_table),
            [
                {
                    "ticket_seq": seq,
                    "event": "open",
                    "at": now,
                    "by": r["opened_by"],
                    "note": r["subject"],
                    "data": {"kind": r["kind"], "source_ref": r["source_ref"]},
                }
                for seq, r in zip(seqs, new_rows, strict=True)
            ],
        )
        # each ticket is a case (flow ``ticket``) with its deadline clock, opened and
        # audited (``ticket.open``) in this transaction
        open_many(
            conn,
            kind=KIND,
            flow_name=FLOW,
            actor=opener("jutong", catalog),
            items=[
                {
                    **case_item(format_id(seq), r, bureau),
                    "actor": opener(r["opened_by"], catalog),
                }
                for seq, r in zip(seqs, new_rows, strict=True)
            ],
            calendar=calendar,
        )
        existing.update(_fetch_by_refs(conn, [r["source_ref"] for r in new_rows]))
    return [existing[c["source_ref"]] for c in clean]


def open_ticket(
    settings: Settings,
    *,
    department: str,
    kind: str,
    subject: str,
    details: dict | None = None,
    source_ref: str,
    opened_at: dt.datetime | None = None,
    opened_by: str | None = None,
    catalog=None,
) -> Ticket:
    """Open one ticket for a provider department; the same ``source_ref`` returns the same one."""
    spec = {
        "department": department,
        "kind": kind,
        "subject": subject,
        "details": details or {},
        "source_ref": source_ref,
        "opened_at": opened_at,
        "opened_by": opened_by,
    }
    return open_tickets(settings, [spec], catalog=catalog)[0]
