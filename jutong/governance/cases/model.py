"""A case and its clocks as records, the errors of the case engine, and their conversions."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jutong.governance.cases.clocks import clock_state
from jutong.governance.cases.rules import ANY_DEPARTMENT, Party
from jutong.governance.db import utcnow
from jutong.workdays import CHINA_TZ, WorkCalendar


class CaseError(ValueError):
    """A refused case operation; the message says why and what is allowed."""


class PermissionDenied(CaseError):
    """The actor's role or department may not fire this event (the denial is audited)."""


class StaleVersion(CaseError):
    """The case changed since the version the caller read (optimistic concurrency)."""

    def __init__(self, ref: str, expected: int, current: int, state: str):
        self.ref, self.expected, self.current, self.state = ref, expected, current, state
        super().__init__(
            f"{ref}: changed since version {expected}; it is now version {current} "
            f"({state}): look again and retry"
        )


@dataclass(frozen=True)
class Case:
    ref: str
    kind: str
    flow: str
    state: str
    requester: str
    provider: str
    bureau: str
    resource: str
    title: str
    data: dict
    opened_at: dt.datetime
    opened_by: str
    updated_at: dt.datetime
    closed: bool
    version: int = 1  # bumped by every transition (optimistic concurrency)

    def party_department(self, party: Party) -> str:
        """Who owes a step: the requester (a department or a public account), the provider,
        the information centre (``data["centre"]``, else the bureau) or the bureau."""
        if party is Party.centre:
            return self.data.get("centre") or self.bureau
        if party is Party.any:
            return ANY_DEPARTMENT
        return {Party.requester: self.requester, Party.provider: self.provider}.get(
            party, self.bureau
        )

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for k in ("opened_at", "updated_at"):
            out[k] = out[k].isoformat()
        return out


@dataclass(frozen=True)
class CaseClock:
    id: int
    state: str
    party: str
    label: str
    basis: str
    started_on: dt.date
    due_on: dt.date
    provisional: bool
    status: str  # running | paused | met | missed
    remaining_days: int | None
    closed_on: dt.date | None
    reminded_on: dt.date | None = None
    escalated_on: dt.date | None = None
    due_at: dt.datetime | None = None  # clock-hour deadlines: the instant (naive UTC)
    remaining_minutes: int | None = None  # a paused clock-hour deadline

    def shown(self, calendar: WorkCalendar, as_of: dt.date, now: dt.datetime | None = None) -> str:
        st = clock_state(
            calendar,
            status=self.status,
            due_on=self.due_on,
            as_of=as_of,
            due_at=self.due_at,
            now=now,
        )
        if self.due_at is not None:
            local = self.due_at.replace(tzinfo=dt.UTC).astimezone(CHINA_TZ)
            return f"{st} · due {local:%Y-%m-%d %H:%M} Beijing"
        due = f"{self.due_on}{' (provisional 暂定)' if self.provisional else ''}"
        return f"{st} · due {due}"


def beijing_day(at: dt.datetime) -> dt.date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(CHINA_TZ).date()


def utc_naive(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return utcnow()
    if at.tzinfo is not None:
        return at.astimezone(dt.UTC).replace(tzinfo=None)
    return at


def row_case(row: sa.Row) -> Case:
    m = row._mapping
    return Case(
        ref=m["ref"],
        kind=m["kind"],
        flow=m["flow"],
        state=m["state"],
        requester=m["requester"],
        provider=m["provider"],
        bureau=m["bureau"],
        resource=m["resource"],
        title=m["title"],
        data=dict(m["data"] or {}),
        opened_at=m["opened_at"],
        opened_by=m["opened_by"],
        updated_at=m["updated_at"],
        closed=bool(m["closed"]),
        version=int(m["version"] or 1),
    )


def row_clock(row: sa.Row) -> CaseClock:
    m = row._mapping
    return CaseClock(
        *(
            m[c]
            for c in (
                "id",
                "state",
                "party",
                "label",
                "basis",
                "started_on",
                "due_on",
                "provisional",
                "status",
                "remaining_days",
                "closed_on",
                "reminded_on",
                "escalated_on",
                "due_at",
                "remaining_minutes",
            )
        )
    )


def json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=json_default)
