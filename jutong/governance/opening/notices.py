"""Public notices (公示) with their publication period, shown on the portal while in force.

A notice runs from its publication day for a period in calendar days (GX-Dispatch art. 22: 30
days before a catalog entry is removed) or working days (art. 27(3): 30 wd before data goes
offline; LZ-Rules art. 21(3): 10 wd), the publication day not counted. A period counted past the
working-day calendar's data is provisional (``jutong.workdays.Due``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from jutong.governance.audit import log as audit
from jutong.governance.cases.model import beijing_day, utc_naive
from jutong.governance.db import engine
from jutong.governance.schema import notices
from jutong.settings import Settings
from jutong.workdays import WorkCalendar


@dataclass(frozen=True)
class Notice:
    id: int
    kind: str
    case_seq: int | None
    resource: str
    department: str
    title: str
    body: str
    basis: str
    period: str
    starts_on: dt.date
    ends_on: dt.date
    provisional: bool
    published_at: dt.datetime
    published_by: str
    withdrawn_at: dt.datetime | None

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        for k, v in out.items():
            if isinstance(v, dt.date | dt.datetime):
                out[k] = v.isoformat()
        return out


def period_end(
    calendar: WorkCalendar, start: dt.date, *, days: int = 0, working_days: int = 0
) -> tuple[dt.date, bool, str]:
    """The last day of a notice period starting on ``start`` (not counted)."""
    if working_days:
        due = calendar.due(start, working_days)
        return due.day, due.provisional, f"{working_days} wd"
    return start + dt.timedelta(days=days), False, f"{days} days"


def publish_in(
    conn: sa.Connection,
    *,
    kind: str,
    case_seq: int | None,
    resource: str,
    department: str,
    title: str,
    body: str,
    basis: str,
    calendar: WorkCalendar,
    at: dt.datetime,
    by: str,
    days: int = 0,
    working_days: int = 0,
) -> Notice:
    """Publish a notice in ``conn``'s transaction (with the case step that decides it)."""
    if bool(days) == bool(working_days):
        raise ValueError("a notice period is either days or working_days")
    at = utc_naive(at)
    start = beijing_day(at)
    end, provisional, period = period_end(calendar, start, days=days, working_days=working_days)
    nid = conn.execute(
        notices.insert()
        .values(
            kind=kind,
            case_seq=case_seq,
            resource=resource,
            department=department,
            title=title,
            body=body,
            basis=basis,
            period=period,
            starts_on=start,
            ends_on=end,
            provisional=provisional,
            published_at=at,
            published_by=by,
        )
        .returning(notices.c.id)
    ).scalar_one()
    audit.append(
        conn,
        actor=by,
        department=department,
        action="notice.publish",
        subject=f"notice:{nid}",
        at=at,
        data={"kind": kind, "resource": resource, "from": start, "until": end, "basis": basis},
    )
    return _row(conn.execute(sa.select(notices).where(notices.c.id == nid)).one())


def withdraw_in(conn: sa.Connection, case_seq: int, *, at: dt.datetime, by: str) -> int:
    """Withdraw the notices of a case (the application was withdrawn)."""
    res = conn.execute(
        notices.update()
        .where(notices.c.case_seq == case_seq, notices.c.withdrawn_at.is_(None))
        .values(withdrawn_at=utc_naive(at))
    )
    return res.rowcount


def _row(row: sa.Row) -> Notice:
    m = row._mapping
    return Notice(**{k: m[k] for k in Notice.__dataclass_fields__})


def notices_in_force(settings: Settings, as_of: dt.date) -> list[Notice]:
    """Notices whose period includes ``as_of`` (publication day to last day), not withdrawn,
    newest first: what the portal shows."""
    with engine(settings).connect() as conn:
        rows = conn.execute(
            sa.select(notices)
            .where(
                notices.c.starts_on <= as_of,
                notices.c.ends_on >= as_of,
                notices.c.withdrawn_at.is_(None),
            )
            .order_by(notices.c.published_at.desc(), notices.c.id.desc())
        ).all()
    return [_row(r) for r in rows]


def all_notices(settings: Settings) -> list[Notice]:
    with engine(settings).connect() as conn:
        return [_row(r) for r in conn.execute(sa.select(notices).order_by(notices.c.id))]


def recompute_provisional(
    settings: Settings, calendar: WorkCalendar, *, actor: str = "jutong"
) -> list[tuple[int, dt.date, dt.date, bool]]:
    """Recompute the last day of every provisional working-day notice still running, once the
    calendar knows more (the next year's arrangement entered in the jurisdiction file); the
    case's ``notice_until`` follows. Each change is audited (``notice.recompute``)."""
    from jutong.governance.schema import cases

    changed = []
    with engine(settings).begin() as conn:
        rows = conn.execute(
            sa.select(notices).where(
                notices.c.provisional.is_(True), notices.c.withdrawn_at.is_(None)
            )
        ).all()
        for r in rows:
            if not r.period.endswith(" wd"):
                continue
            due = calendar.due(r.starts_on, int(r.period.split()[0]))
            if due.day == r.ends_on and due.provisional:
                continue
            conn.execute(
                notices.update()
                .where(notices.c.id == r.id)
                .values(ends_on=due.day, provisional=due.provisional)
            )
            if r.case_seq is not None:
                data = conn.execute(
                    sa.select(cases.c.data).where(cases.c.seq == r.case_seq)
                ).scalar_one()
                if (data or {}).get("notice_until"):
                    conn.execute(
                        cases.update()
                        .where(cases.c.seq == r.case_seq)
                        .values(data={**data, "notice_until": due.day.isoformat()})
                    )
            audit.append(
                conn,
                actor=actor,
                department=r.department,
                action="notice.recompute",
                subject=f"notice:{r.id}",
                data={
                    "from": r.ends_on,
                    "to": due.day,
                    "provisional": due.provisional,
                    "calendar": repr(calendar),
                    "basis": r.basis,
                },
            )
            changed.append((r.id, r.ends_on, due.day, due.provisional))
    return changed
