"""Correction tickets (纠错工单): blocked batches, conflicts between departments, reported errors.

Each ticket is for the provider department, which answers for its data (GX-Reg art. 24;
"谁提供谁负责"). GX-Reg art. 18: the provider verifies within **5 working days**; the deadline
may be extended **once** by **up to 5** more working days with its head's approval. Every
open, extension and resolution is recorded with who and when in ``quality_ticket_events``
("every correction is traceable"; GX-Reg art. 24: 问题数据纠错、问题数据追责).

Times are stored as naive UTC (``jutong.governance.db.utcnow``); the day of receipt, which is
not counted in the deadline, is the Beijing calendar day of ``opened_at``. If that deadline is
beyond the working-day calendar's data, the ticket is still opened (the error is tracked) but
its deadline is refused, not guessed: ``due_on`` stays empty and ``due_note`` says why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from jutong.governance.db import engine, utcnow
from jutong.governance.schema import ticket_events as ticket_events_table
from jutong.governance.schema import tickets as tickets_table
from jutong.settings import Settings
from jutong.workdays import CHINA_TZ, CalendarRangeError, WorkCalendar, deadline

KINDS = ("blocked_batch", "conflict", "reported_error")
STATUSES = ("open", "resolved")
VERIFY_WORKING_DAYS = 5  # GX-Reg art. 18: verification within 5 working days
MAX_EXTENSION_DAYS = 5  # GX-Reg art. 18: one extension of up to 5 working days, approved
_CHUNK = 500  # SQLite bound-parameter headroom for IN (...) lookups


class TicketError(ValueError):
    """A user error about tickets (unknown id, double resolve, second extension, …)."""


@dataclass(frozen=True)
class TicketEvent:
    event: str
    at: dt.datetime
    by: str
    note: str | None
    data: dict | None


@dataclass(frozen=True)
class Ticket:
    id: str
    department: str
    kind: str
    subject: str
    details: dict
    source_ref: str
    opened_at: dt.datetime
    opened_by: str
    received_on: dt.date
    original_due_on: dt.date | None
    due_on: dt.date | None
    due_note: str | None
    extension_days: int | None
    extension_approved_by: str | None
    extension_reason: str | None
    extended_at: dt.datetime | None
    status: str
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution_note: str | None

    def is_overdue(self, as_of: dt.date | None = None) -> bool:
        """Open and past its due day (the due day itself is still in time)."""
        if self.status != "open" or self.due_on is None:
            return False
        return (as_of or today_cn()) > self.due_on

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, dt.date | dt.datetime):
                out[k] = v.isoformat()
        return out


def today_cn() -> dt.date:
    """Today in Beijing."""
    return dt.datetime.now(CHINA_TZ).date()


def _to_utc_naive(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _beijing_day(utc_naive: dt.datetime) -> dt.date:
    return utc_naive.replace(tzinfo=dt.UTC).astimezone(CHINA_TZ).date()


def format_id(seq: int) -> str:
    return f"T-{seq:06d}"


_ID_RE = re.compile(r"^\s*(?:T-?)?0*(\d{1,12})\s*$", re.I)


def parse_id(ticket_id: str | int) -> int:
    """``T-000123``, ``t-123``, ``T123`` or ``123`` -> 123."""
    if isinstance(ticket_id, int) and not isinstance(ticket_id, bool):
        return ticket_id
    m = _ID_RE.match(str(ticket_id))
    if not m or int(m.group(1)) == 0:
        raise TicketError(f"ticket id: '{ticket_id}' is not a ticket id like T-000123")
    return int(m.group(1))


def _row_to_ticket(row: sa.Row) -> Ticket:
    m = row._mapping
    return Ticket(
        id=format_id(m["seq"]),
        **{c: m[c] for c in Ticket.__dataclass_fields__ if c != "id"},
    )


def _tables(settings: Settings) -> sa.Engine:
    return engine(settings)


def _load_catalog(settings: Settings, catalog=None):
    if catalog is not None:
        return catalog
    from jutong.catalog.loader import load_catalog

    return load_catalog(settings.catalog_dir)


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
        "opened_at": _to_utc_naive(opened_at) if opened_at else None,
        "opened_by": str(spec.get("opened_by") or "jutong"),
    }


def _fetch_by_refs(conn: sa.Connection, refs: Sequence[str]) -> dict[str, Ticket]:
    found: dict[str, Ticket] = {}
    refs = list(dict.fromkeys(refs))
    for i in range(0, len(refs), _CHUNK):
        chunk = refs[i : i + _CHUNK]
        q = sa.select(tickets_table).where(tickets_table.c.source_ref.in_(chunk))
        for row in conn.execute(q):
            t = _row_to_ticket(row)
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
    catalog = _load_catalog(settings, catalog)
    calendar = calendar or WorkCalendar.from_catalog(catalog)
    clean = [
        _validate_spec(dict(s), catalog.departments, f"ticket {i + 1} ({s.get('source_ref')!r})")
        for i, s in enumerate(specs)
    ]
    try:
        return _insert_tickets(settings, clean, calendar)
    except sa.exc.IntegrityError:
        # another process opened one of these source_refs meanwhile: its ticket is returned
        return _insert_tickets(settings, clean, calendar)


def _insert_tickets(settings: Settings, clean: list[dict], calendar: WorkCalendar) -> list[Ticket]:
    now = utcnow()
    eng = _tables(settings)
    with eng.begin() as conn:
        existing = _fetch_by_refs(conn, [c["source_ref"] for c in clean])
        new_rows: list[dict] = []
        seen: set[str] = set(existing)
        for c in clean:
            if c["source_ref"] in seen:  # idempotent; repeats within specs keep the first
                continue
            seen.add(c["source_ref"])
            opened_at = c["opened_at"] or now
            received = _beijing_day(opened_at)
            try:
                due, due_note = deadline(received, VERIFY_WORKING_DAYS, calendar), None
            except CalendarRangeError as err:
                # Refused, not guessed: the ticket is tracked, its deadline stays empty.
                due, due_note = None, str(err)
            new_rows.append(
                {
                    **c,
                    "opened_at": opened_at,
                    "received_on": received,
                    "original_due_on": due,
                    "due_on": due,
                    "due_note": due_note,
                    "status": "open",
                }
            )
        if new_rows:
            ins = sa.insert(tickets_table).returning(
                tickets_table.c.seq, sort_by_parameter_order=True
            )
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


def get_ticket(settings: Settings, ticket_id: str | int) -> Ticket:
    seq = parse_id(ticket_id)
    with _tables(settings).connect() as conn:
        row = conn.execute(sa.select(tickets_table).where(tickets_table.c.seq == seq)).first()
    if row is None:
        raise TicketError(f"ticket {format_id(seq)}: no such ticket")
    return _row_to_ticket(row)


def ticket_history(settings: Settings, ticket_id: str | int) -> list[TicketEvent]:
    """Every open/extend/resolve of a ticket, oldest first."""
    seq = parse_id(get_ticket(settings, ticket_id).id)
    ev = ticket_events_table
    with _tables(settings).connect() as conn:
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
) -> Ticket:
    """Extend once by 1–5 working days, approved by the department head (GX-Reg art. 18)."""
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
    calendar = calendar or WorkCalendar.from_catalog(settings)
    new_due = calendar.add_working_days(t.due_on, days)  # CalendarRangeError beyond the data
    now = utcnow()
    tt = tickets_table
    with _tables(settings).begin() as conn:
        res = conn.execute(
            sa.update(tt)
            .where(tt.c.seq == parse_id(t.id), tt.c.status == "open", tt.c.extension_days.is_(None))
            .values(
                due_on=new_due,
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
                data={"days": days, "from": t.due_on.isoformat(), "to": new_due.isoformat()},
            )
        )
    return get_ticket(settings, t.id)


def resolve_ticket(
    settings: Settings, ticket_id: str | int, *, note: str, resolved_by: str
) -> Ticket:
    """Record who fixed what; a ticket is resolved once."""
    note = _require_text(note, "note")
    resolved_by = _require_text(resolved_by, "resolved_by")
    t = get_ticket(settings, ticket_id)
    if t.status == "resolved":
        raise TicketError(
            f"ticket {t.id}: already resolved by {t.resolved_by} on {t.resolved_at:%Y-%m-%d}"
        )
    now = utcnow()
    tt = tickets_table
    with _tables(settings).begin() as conn:
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
    return get_ticket(settings, t.id)


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
    with _tables(settings).connect() as conn:
        return [_row_to_ticket(r) for r in conn.execute(q)]


def demo_summary(settings: Settings, *, as_of: dt.date | None = None) -> list[str]:
    """Open tickets by provider department with their due days, for the demo's summary."""
    from jutong.textable import render

    as_of = as_of or today_cn()
    tickets = list_tickets(settings, status="open")
    if not tickets:
        return ["Correction tickets (GX-Reg art. 18): none open."]
    try:
        names = _load_catalog(settings).departments
    except Exception:  # the summary must not fail the demo over a catalog problem
        names = {}
    by_dept: dict[str, list[Ticket]] = {}
    for t in tickets:
        by_dept.setdefault(t.department, []).append(t)
    rows = []
    for dept in sorted(by_dept):
        ts = by_dept[dept]
        dues = sorted(t.due_on for t in ts if t.due_on)
        kinds = ", ".join(f"{k} {n}" for k in KINDS if (n := sum(t.kind == k for t in ts)))
        rows.append(
            (
                dept,
                names[dept].name if dept in names else "",
                len(ts),
                sum(t.is_overdue(as_of) for t in ts),
                dues[0].isoformat() if dues else "—",
                kinds,
            )
        )
    table = render(
        ["department", "name", "open", "overdue", "next due", "kinds"], rows, right=(2, 3)
    )
    return [
        f"Correction tickets open as of {as_of} (verify within 5 working days, GX-Reg art. 18):",
        *table.splitlines(),
        "List them with `jutong tickets list`; close with `jutong tickets resolve ID --note …`.",
    ]
