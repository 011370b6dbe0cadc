"""Cases, clocks and audit events as JSON for the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jutong.governance.audit import AuditEvent
from jutong.governance.cases.clocks import clock_state
from jutong.governance.cases.model import Case, CaseClock
from jutong.governance.cases.rules import Party
from jutong.workdays import WorkCalendar


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat() + ("Z" if value.tzinfo is None else "")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def clock_json(
    case: Case,
    c: CaseClock,
    calendar: WorkCalendar,
    as_of: dt.date,
    now: dt.datetime | None = None,
) -> dict:
    """A clock; a clock-hour deadline is judged to the minute when ``now`` is given."""
    return {
        "step": c.state,
        "label": c.label,
        "owed_by": c.party,
        "department": case.party_department(Party(c.party)),
        "basis": c.basis,
        "received_on": c.started_on.isoformat(),
        "due_on": c.due_on.isoformat(),
        # a clock-hour deadline (特急, GX-Open art. 20(2)): the instant, UTC
        "due_at": jsonable(c.due_at) if c.due_at else None,
        "provisional": bool(c.provisional),
        "status": c.status,
        "state": clock_state(
            calendar, status=c.status, due_on=c.due_on, as_of=as_of, due_at=c.due_at, now=now
        ),
        "working_days_left_when_paused": c.remaining_days,
        "minutes_left_when_paused": c.remaining_minutes,
        "closed_on": c.closed_on.isoformat() if c.closed_on else None,
    }


def case_json(case: Case) -> dict:
    """A case as stored (times UTC, marked Z)."""
    out = jsonable(dict(case.__dict__))
    return out


def event_json(e: AuditEvent) -> dict:
    return {
        "seq": e.seq,
        "at": jsonable(e.at),
        "actor": e.actor,
        "role": e.role,
        "department": e.department,
        "action": e.action,
        "subject": e.subject,
        "data": e.data,
        "hash": e.hash,
    }
