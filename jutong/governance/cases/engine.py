"""The case engine: open a case, fire an event, read cases and their clocks.

Every transition is one transaction: the case's new state, the clocks it closes, pauses,
resumes or starts, and an audit event with the decision (who, role, department, reasons, legal
basis, the rule's article, the new deadline). A transition not in the flow's table, a party
or role the rule does not name, or a refusal without a legal basis is refused with one clear
message — and a permission denial is itself audited (LZ-Rules art. 31: access control and
behaviour tracing).

Clocks count working days or clock hours (特急 12 hours, GX-Open art. 20(2)), per the case's
urgency (``data["urgency"]``) where the rule has levels. A caller may pass ``effects``: a
function run inside the transition's transaction (e.g. an agreement accepted, an API key
issued, a release suspended), so the state change and its effects commit together or not at
all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from jutong.governance.audit import log as audit
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.clocks import working_days_left
from jutong.governance.cases.model import (
    Case,
    CaseError,
    PermissionDenied,
    StaleVersion,
    beijing_day,
    row_case,
    utc_naive,
)
from jutong.governance.cases.queries import get_case
from jutong.governance.cases.rules import ANY_DEPARTMENT, RESUME, Flow, Party, Transition, flow
from jutong.governance.db import engine
from jutong.governance.schema import case_clocks, cases, share_deliveries
from jutong.settings import Settings
from jutong.workdays import Due, WorkCalendar

PREFIX = {
    "share_request": "SR",
    "open_request": "OR",  # conditional-open request, GX-Open art. 20
    "open_on_request": "OD",  # on-request opening, GX-Dispatch art. 33
    "catalog_update": "CU",
    "catalog_offline": "CO",
    "data_offline": "DO",
    "complaint": "CP",
}
# effects(conn, case_seq, case) -> extra audit data (or None), inside the transaction
Effects = Callable[[sa.Connection, int, Case], dict | None]
# GX-Dispatch art. 29(3): the provider may not demand a paper application
PAPER = ("纸质", "paper application")


def _start_clock(
    conn: sa.Connection,
    seq: int,
    f: Flow,
    state: str,
    at: dt.datetime,
    calendar: WorkCalendar,
    urgency: str | None = None,
    extended: sa.Row | None = None,
    extra_days: int = 0,
) -> dict | None:
    made = _clock(seq, f, state, at, calendar, urgency, extended, extra_days)
    if made is None:
        return None
    values, note = made
    conn.execute(sa.insert(case_clocks).values(**values))
    return note


def _clock(
    seq: int,
    f: Flow,
    state: str,
    at: dt.datetime,
    calendar: WorkCalendar,
    urgency: str | None = None,
    extended: sa.Row | None = None,
    extra_days: int = 0,
) -> tuple[dict, dict] | None:
    """The row and audit note of the clock of ``state`` (if it has one). An extension clock (``Clock.extends``)
    continues ``extended`` (the clock it replaces) by ``extra_days`` working days from that
    clock's due day — counted from where it counted from, so a provisional due day is
    recomputed as one count (``recompute``)."""
    rule = f.clocks.get(state)
    if rule is None:
        return None
    day = beijing_day(at)
    days, hours = rule.span(urgency)
    due_at = None
    counted_from: dt.date | None = day
    if rule.extends:
        days = extra_days
        if extended is not None and extended.counted_from is not None:
            counted_from = extended.counted_from
            days = (extended.counted_days or 0) + extra_days
        elif extended is not None:  # a clock from before 0007: count on from its due day
            counted_from = extended.due_on
        due = calendar.due(counted_from, days)
    elif hours:  # clock hours: weekends and holidays count (GX-Open art. 20(2))
        due_at = at + dt.timedelta(hours=hours)
        due = Due(beijing_day(due_at))
        counted_from = None
    else:
        due = calendar.due(day, days)
    values = {
        "case_seq": seq,
        "state": state,
        "party": rule.party.value,
        "label": rule.label,
        "basis": rule.basis,
        "started_on": day,
        "due_on": due.day,
        "due_at": due_at,
        "provisional": due.provisional,
        "status": "running",
        "counted_from": counted_from,
        "counted_days": None if counted_from is None else days,
    }
    span = {"due_at_utc": due_at, "hours": hours} if hours else {"working_days": days}
    if rule.extends:
        span = {"extended_by": extra_days, "counted_from": counted_from, "working_days": days}
    return values, {
        "state": state,
        "due_on": due.day,
        **span,
        **({"urgency": urgency} if urgency else {}),
        "provisional": due.provisional,
        "owed_by": rule.party.value,
        "basis": rule.basis,
    }


def open_case(
    conn: sa.Connection,
    *,
    kind: str,
    flow_name: str,
    actor: Actor,
    requester: str,
    provider: str,
    bureau: str,
    resource: str,
    title: str,
    data: dict,
    calendar: WorkCalendar,
    at: dt.datetime | None = None,
    state: str | None = None,
    audit_data: dict | None = None,
    ref: str | None = None,
) -> Case:
    """Open a case in ``conn``'s transaction (at the flow's initial state, or ``state``).

    ``ref``: the case's reference when the process already has an id of its own (a ticket's
    ``T-000123``); else the kind's prefix and the case's number (``SR-000001``)."""
    f = flow(flow_name)
    at = utc_naive(at)
    state = state or f.initial
    seq = conn.execute(
        sa.insert(cases)
        .values(
            ref=ref or "",
            kind=kind,
            flow=f.name,
            state=state,
            requester=requester,
            provider=provider,
            bureau=bureau,
            resource=resource,
            title=title,
            data=data,
            opened_at=at,
            opened_by=str(actor),
            updated_at=at,
            closed=state in f.terminal,
        )
        .returning(cases.c.seq)
    ).scalar_one()
    if not ref:
        ref = f"{PREFIX.get(kind, 'C')}-{seq:06d}"
        conn.execute(sa.update(cases).where(cases.c.seq == seq).values(ref=ref))
    clock = _start_clock(conn, seq, f, state, at, calendar, data.get("urgency"))
    audit.append(
        conn,
        actor=actor.user,
        role=actor.role.value,
        department=actor.department,
        action=f"{kind}.open",
        subject=ref,
        at=at,
        data={
            "state": state,
            "flow": f.name,
            "basis": f.basis,
            "clock": clock,
            **(audit_data or {}),
        },
    )
    return row_case(conn.execute(sa.select(cases).where(cases.c.seq == seq)).one())


def open_many(
    conn: sa.Connection,
    *,
    kind: str,
    flow_name: str,
    actor: Actor,
    items: list[dict],
    calendar: WorkCalendar,
    at: dt.datetime | None = None,
    batch_subject: str | None = None,
    batch_data: dict | None = None,
) -> list[int]:
    """Open many cases with references of their own in ``conn``'s transaction, at the flow's
    initial state; returns their numbers (seq), in order.

    Each item: ``ref``, ``requester``, ``provider``, ``bureau``, ``resource``, ``title``,
    ``data``, and optionally ``at`` (the opening instant, else ``at``), ``actor`` (who opens
    it, else ``actor``) and ``audit_data``.
    Audited one event per case (``<kind>.open``, subject the case's ref) — or, with
    ``batch_subject``, one event for the whole batch listing the references opened (a base
    build putting hundreds of review items in the queue)."""
    if not items:
        return []
    f = flow(flow_name)
    default_at = utc_naive(at)
    rows = []
    for it in items:
        when = utc_naive(it.get("at")) if it.get("at") else default_at
        rows.append(
            {
                "ref": it["ref"],
                "kind": kind,
                "flow": f.name,
                "state": f.initial,
                "requester": it["requester"],
                "provider": it["provider"],
                "bureau": it["bureau"],
                "resource": it["resource"],
                "title": it["title"],
                "data": it.get("data") or {},
                "opened_at": when,
                "opened_by": str(it.get("actor") or actor),
                "updated_at": when,
                "closed": f.initial in f.terminal,
            }
        )
    ins = sa.insert(cases).returning(cases.c.seq, sort_by_parameter_order=True)
    seqs = [r[0] for r in conn.execute(ins, rows)]
    counted = _SameDays(calendar)  # a batch opened on one day counts one due day
    made = [
        _clock(seq, f, f.initial, r["opened_at"], counted, r["data"].get("urgency"))
        for seq, r in zip(seqs, rows, strict=True)
    ]
    if any(made):
        conn.execute(sa.insert(case_clocks), [m[0] for m in made if m])
    clocks = [m[1] if m else None for m in made]
    base = {"state": f.initial, "flow": f.name, "basis": f.basis}
    if batch_subject:
        audit.append(
            conn,
            actor=actor.user,
            role=actor.role.value,
            department=actor.department,
            action=f"{kind}.open",
            subject=batch_subject,
            at=default_at,
            data={**base, "cases": [r["ref"] for r in rows], **(batch_data or {})},
        )
        return seqs
    audit.append_many(
        conn,
        [
            {
                "actor": (it.get("actor") or actor).user,
                "role": (it.get("actor") or actor).role.value,
                "department": (it.get("actor") or actor).department,
                "action": f"{kind}.open",
                "subject": r["ref"],
                "at": r["opened_at"],
                "data": {**base, "clock": clock, **(it.get("audit_data") or {})},
            }
            for r, it, clock in zip(rows, items, clocks, strict=True)
        ],
    )
    return seqs


class _SameDays:
    """``calendar.due`` remembered per (start, working days) for one batch."""

    def __init__(self, calendar: WorkCalendar):
        self.calendar, self.seen = calendar, {}

    def due(self, start: dt.date, n: int) -> Due:
        key = (start, n)
        if key not in self.seen:
            self.seen[key] = self.calendar.due(start, n)
        return self.seen[key]


def may_fire(case: Case, t: Transition, actor: Actor) -> bool:
    """Whether ``actor`` is one of the parties (department and role) the rule names."""
    return any(
        actor.role in roles and case.party_department(party) in (actor.department, ANY_DEPARTMENT)
        for party, roles in t.grants
    )


def _who(case: Case, t: Transition) -> str:
    def one(party: Party, roles: tuple) -> str:
        where = (
            "any department"
            if party is Party.any
            else f"the {party.value} ({case.party_department(party)})"
        )
        return f"{where} as {' or '.join(r.value for r in roles)}"

    return " or ".join(one(party, roles) for party, roles in t.grants)


def _deny(settings: Settings, case: Case, event: str, actor: Actor, why: str) -> None:
    with engine(settings).begin() as conn:
        audit.append(
            conn,
            actor=actor.user,
            role=actor.role.value,
            department=actor.department,
            action="access.denied",
            subject=case.ref,
            data={"event": event, "state": case.state, "reason": why},
        )


def _check(
    settings: Settings | None,
    case: Case,
    t: Transition | None,
    event: str,
    actor: Actor,
    reason: str | None,
    basis: str | None,
    f: Flow,
    at: dt.datetime,
    calendar: WorkCalendar,
) -> Transition:
    """The transition ``event`` fires, or a refusal; a permission denial is audited in its
    own transaction when ``settings`` is given."""
    if case.closed and t is None:
        raise CaseError(f"{case.ref}: closed ({case.state}); nothing more can happen to it")
    if t is None:
        allowed = ", ".join(sorted({x.event.replace("_", "-") for x in f.allowed(case.state)}))
        raise CaseError(
            f"{case.ref}: '{event}' is not allowed while the case is {case.state} "
            f"(allowed: {allowed or 'none'}; see `jutong cases rules --flow {f.name}`)"
        )
    if not may_fire(case, t, actor):
        why = f"'{event}' on {case.ref} is for {_who(case, t)}; {actor} may not ({t.basis})"
        if settings is not None:
            _deny(settings, case, event, actor, why)
        raise PermissionDenied(f"permission denied: {why}")
    if t.needs_basis and not (basis or "").strip():
        raise CaseError(
            f"{case.ref}: '{event}' needs its legal basis (--basis): a refusal without a legal "
            f"basis is not allowed ({t.basis})"
        )
    if (t.needs_reason or t.needs_basis) and not (reason or basis or "").strip():
        raise CaseError(f"{case.ref}: '{event}' needs its reasons (--reason) ({t.basis})")
    _time_guards(case, t, event, at, calendar)
    text = f"{reason or ''} {basis or ''}"
    if event in ("refuse", "ask_info") and any(w in text for w in PAPER):
        raise CaseError(
            f"{case.ref}: a paper application may not be demanded (GX-Dispatch art. 29(3))"
        )
    return t


def _time_guards(
    case: Case, t: Transition, event: str, at: dt.datetime, calendar: WorkCalendar
) -> None:
    day = beijing_day(at)
    if t.within_working_days:
        entered = beijing_day(case.updated_at)
        last = calendar.due(entered, t.within_working_days).day
        if day > last:
            raise CaseError(
                f"{case.ref}: '{event}' only within {t.within_working_days} working days of "
                f"{case.state} (from {entered}, until {last}); it is {day} ({t.basis})"
            )
    if t.after_notice:
        until = case.data.get("notice_until")
        if not until or day <= dt.date.fromisoformat(until):
            raise CaseError(
                f"{case.ref}: '{event}' only after the public notice has run its period "
                f"(until {until or 'not published'}); it is {day} ({t.basis})"
            )


def fire(
    settings: Settings,
    ref: str,
    event: str,
    *,
    actor: Actor,
    reason: str | None = None,
    basis: str | None = None,
    data: dict | None = None,
    at: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    expected_version: int | None = None,
    effects: Effects | None = None,
    kind: str | None = None,
    audit_data: dict | None = None,
) -> Case:
    """Fire ``event`` on case ``ref`` as ``actor``; one transaction (with ``effects``), audited.

    ``expected_version``: the case's version the caller decided on; a case changed since
    (another transition fired) is refused with ``StaleVersion`` and nothing changes.
    ``kind``: refuse a case of another kind (a caller acting on share requests only, say).
    ``audit_data``: more facts for the transition's audit event (the process's own record).
    """
    calendar = calendar or WorkCalendar.from_catalog(settings)
    at = utc_naive(at)
    case = get_case(settings, ref)
    if kind and case.kind != kind:
        raise CaseError(f"{case.ref}: is a {case.kind}, not a {kind}")
    if expected_version is not None and expected_version != case.version:
        raise StaleVersion(case.ref, expected_version, case.version, case.state)
    f = flow(case.flow)
    t = _check(
        settings, case, f.find(case.state, event), event, actor, reason, basis, f, at, calendar
    )
    effects = _with_process_effects(settings, case, event, actor, reason, at, calendar, effects)
    with engine(settings).begin() as conn:
        _apply(
            conn, case, t, f, event, actor, reason, basis, data, at, calendar, effects, audit_data
        )
    return get_case(settings, case.ref)


def _with_process_effects(
    settings: Settings,
    case: Case,
    event: str,
    actor: Actor,
    reason: str | None,
    at: dt.datetime,
    calendar: WorkCalendar,
    effects: Effects | None,
) -> Effects | None:
    """The caller's effects plus what the process itself does on this event, whoever fires
    it (CLI, API, console): a share request's doubt opens a correction ticket, its fix
    resolves it (``jutong.governance.sharing.doubts``)."""
    from jutong.governance.sharing.doubts import effects_for

    own = effects_for(settings, case, event, actor, reason, at, calendar)
    if own is None:
        return effects
    if effects is None:
        return own

    def both(conn: sa.Connection, seq: int, c: Case) -> dict | None:
        notes = {**(effects(conn, seq, c) or {}), **(own(conn, seq, c) or {})}
        return notes or None

    return both


def fire_in(
    conn: sa.Connection,
    ref: str,
    event: str,
    *,
    actor: Actor,
    calendar: WorkCalendar,
    reason: str | None = None,
    basis: str | None = None,
    data: dict | None = None,
    at: dt.datetime | None = None,
    effects: Effects | None = None,
    audit_data: dict | None = None,
) -> Case:
    """``fire`` inside the caller's transaction (a process changing its own record and its
    case together, e.g. a base build superseding review items it dropped). A refusal raises;
    a permission denial here is not audited separately (the caller's work is undone)."""
    row = conn.execute(sa.select(cases).where(cases.c.ref == ref)).first()
    if row is None:
        raise CaseError(f"case {ref}: no such case")
    case = row_case(row)
    at = utc_naive(at)
    f = flow(case.flow)
    t = _check(None, case, f.find(case.state, event), event, actor, reason, basis, f, at, calendar)
    _apply(conn, case, t, f, event, actor, reason, basis, data, at, calendar, effects, audit_data)
    return row_case(conn.execute(sa.select(cases).where(cases.c.ref == ref)).one())


def _apply(
    conn: sa.Connection,
    case: Case,
    t: Transition,
    f: Flow,
    event: str,
    actor: Actor,
    reason: str | None,
    basis: str | None,
    data: dict | None,
    at: dt.datetime,
    calendar: WorkCalendar,
    effects: Effects | None,
    audit_data: dict | None,
) -> None:
    """The transition's writes, in ``conn``'s transaction: clocks, state, effects, audit."""
    ref = case.ref
    day = beijing_day(at)
    seq = conn.execute(sa.select(cases.c.seq).where(cases.c.ref == ref)).scalar_one()
    new_data = dict(case.data)
    if data:
        new_data.update(data)
    to = t.to
    clock_note: dict[str, Any] = {}
    running = conn.execute(
        sa.select(case_clocks).where(
            case_clocks.c.case_seq == seq, case_clocks.c.status == "running"
        )
    ).first()
    if to in f.pausing:
        new_data["paused_from"] = case.state
        if running is not None and running.due_at is not None:
            minutes = max(0, int((running.due_at - at).total_seconds() // 60))
            conn.execute(
                sa.update(case_clocks)
                .where(case_clocks.c.id == running.id)
                .values(status="paused", remaining_minutes=minutes)
            )
            clock_note = {"paused": running.state, "minutes_left": minutes}
        elif running is not None:
            left = working_days_left(calendar, day, running.due_on)
            conn.execute(
                sa.update(case_clocks)
                .where(case_clocks.c.id == running.id)
                .values(status="paused", remaining_days=left)
            )
            clock_note = {"paused": running.state, "working_days_left": left}
    elif to == RESUME:
        to = new_data.pop("paused_from")
        paused = conn.execute(
            sa.select(case_clocks).where(
                case_clocks.c.case_seq == seq, case_clocks.c.status == "paused"
            )
        ).first()
        if paused is not None and paused.due_at is not None:
            due_at = at + dt.timedelta(minutes=paused.remaining_minutes or 0)
            conn.execute(
                sa.update(case_clocks)
                .where(case_clocks.c.id == paused.id)
                .values(
                    status="running",
                    due_at=due_at,
                    due_on=beijing_day(due_at),
                    remaining_minutes=None,
                )
            )
            clock_note = {"resumed": paused.state, "due_at_utc": due_at}
        elif paused is not None:
            due = calendar.due(day, paused.remaining_days or 0)
            conn.execute(
                sa.update(case_clocks)
                .where(case_clocks.c.id == paused.id)
                .values(
                    status="running",
                    due_on=due.day,
                    provisional=due.provisional,
                    remaining_days=None,
                    counted_from=day,
                    counted_days=paused.remaining_days or 0,
                )
            )
            clock_note = {
                "resumed": paused.state,
                "due_on": due.day,
                "provisional": due.provisional,
            }
    else:
        rule = f.clocks.get(to)
        extra = 0
        if rule is not None and rule.extends:
            extra = _extension_days(case, event, new_data.get("days"), rule)
        if running is not None:
            # clock hours: met to the minute; working days: met on the due day; a clock an
            # extension replaces is "extended" (neither met nor missed)
            met = at <= running.due_at if running.due_at is not None else day <= running.due_on
            status = ("extended" if met else "missed") if extra else ("met" if met else "missed")
            conn.execute(
                sa.update(case_clocks)
                .where(case_clocks.c.id == running.id)
                .values(status=status, closed_on=day)
            )
            clock_note["closed"] = {
                "state": running.state,
                "met": met,
                "status": status,
                "due_on": running.due_on,
            }
        started = _start_clock(
            conn, seq, f, to, at, calendar, new_data.get("urgency"), running, extra
        )
        if started:
            clock_note["started"] = started
    _deliveries_follow(conn, seq, case.state, to)
    changed = conn.execute(
        sa.update(cases)
        .where(
            cases.c.seq == seq,
            cases.c.state == case.state,
            cases.c.version == case.version,
        )
        .values(
            state=to,
            data=new_data,
            updated_at=at,
            closed=to in f.terminal,
            version=case.version + 1,
        )
    )
    if changed.rowcount != 1:
        current = conn.execute(
            sa.select(cases.c.version, cases.c.state).where(cases.c.seq == seq)
        ).one()
        raise StaleVersion(case.ref, case.version, current.version, current.state)
    effect_note = effects(conn, seq, case) if effects else None
    audit.append(
        conn,
        actor=actor.user,
        role=actor.role.value,
        department=actor.department,
        action=f"{case.kind}.{event}",
        subject=ref,
        at=at,
        data={
            "from": case.state,
            "to": to,
            "reason": reason,
            "legal_basis": basis,
            "rule": t.basis,
            "clock": clock_note,
            "version": case.version + 1,
            **({"data": data} if data else {}),
            **({"effects": effect_note} if effect_note else {}),
            **(audit_data or {}),
        },
    )


def _extension_days(case: Case, event: str, days: Any, rule: Any) -> int:
    """The working days an extension adds: a whole number from 1 to the rule's maximum."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= rule.working_days:
        raise CaseError(
            f"{case.ref}: '{event}' extends the deadline by 1 to {rule.working_days} working "
            f"days, not {days!r} ({rule.basis})"
        )
    return days


def _deliveries_follow(conn: sa.Connection, seq: int, before: str, after: str) -> None:
    """A suspended subscription's deliveries are suspended, a revoked one's revoked, a
    reinstated one's active again (GX-Dispatch art. 41, 45)."""
    change = None
    if after == "suspended":
        change = ("active", "suspended")
    elif after == "revoked":
        change = (None, "revoked")
    elif before == "suspended" and after != "revoked":
        change = ("suspended", "active")
    if change is None:
        return
    old, new = change
    q = sa.update(share_deliveries).where(share_deliveries.c.case_seq == seq)
    if old:
        q = q.where(share_deliveries.c.status == old)
    conn.execute(q.values(status=new))
