"""Provisional deadlines made final: recomputed when the working-day calendar learns more.

A deadline that counts days past the calendar's data is provisional (``jutong.workdays.Due``).
When the bureau enters the next year's arrangement in ``catalog/jurisdiction.yaml``, every open
provisional deadline is recomputed from its receipt day (and its approved extension), and each
change is an audit event (``deadline.recompute``). Commands that show deadlines call
``recompute_provisional`` first, so nothing waits for a manual step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from jutong.governance.audit import log as audit
from jutong.governance.db import engine
from jutong.governance.schema import case_clocks, cases
from jutong.governance.schema import tickets as tickets_table
from jutong.governance.tickets.model import VERIFY_WORKING_DAYS, format_id
from jutong.settings import Settings
from jutong.workdays import WorkCalendar


@dataclass(frozen=True)
class Recomputed:
    subject: str
    department: str
    was: dt.date | None
    now: dt.date
    provisional: bool


def recompute_provisional(
    settings: Settings, calendar: WorkCalendar | None = None, *, actor: str = "jutong"
) -> list[Recomputed]:
    """Recompute every open provisional ticket deadline; return what changed."""
    calendar = calendar or WorkCalendar.from_catalog(settings)
    tt = tickets_table
    changed: list[Recomputed] = []
    with engine(settings).begin() as conn:
        rows = conn.execute(
            sa.select(
                tt.c.seq,
                tt.c.department,
                tt.c.received_on,
                tt.c.due_on,
                tt.c.extension_days,
            ).where(
                tt.c.status == "open",
                sa.or_(tt.c.due_provisional.is_(True), tt.c.due_on.is_(None)),
            )
        ).all()
        for seq, dept, received, due_on, ext in rows:
            original = calendar.due(received, VERIFY_WORKING_DAYS)
            due = calendar.due(original.day, ext) if ext else original
            provisional = original.provisional or due.provisional
            if due.day == due_on and provisional:
                continue  # still provisional, same day
            conn.execute(
                sa.update(tt)
                .where(tt.c.seq == seq)
                .values(
                    original_due_on=original.day,
                    due_on=due.day,
                    due_provisional=provisional,
                    due_note=due.note or original.note,
                )
            )
            # the ticket's case clock counts the same days (received + 5 + extension): it
            # follows in this transaction, under this one audit event
            _follow_case_clock(conn, format_id(seq), due.day, provisional)
            audit.append(
                conn,
                actor=actor,
                department=dept,
                action="deadline.recompute",
                subject=format_id(seq),
                data={
                    "from": due_on,
                    "to": due.day,
                    "provisional": provisional,
                    "calendar": repr(calendar),
                    "basis": "GX-Reg art. 18",
                },
            )
            changed.append(Recomputed(format_id(seq), dept, due_on, due.day, provisional))
    return changed


def _follow_case_clock(conn: sa.Connection, ref: str, due_on: dt.date, provisional: bool) -> None:
    seq = conn.execute(sa.select(cases.c.seq).where(cases.c.ref == ref)).scalar()
    if seq is None:
        return
    conn.execute(
        sa.update(case_clocks)
        .where(case_clocks.c.case_seq == seq, case_clocks.c.status == "running")
        .values(due_on=due_on, provisional=provisional)
    )


def provisional_count(settings: Settings) -> int:
    """Open deadlines that are still provisional (the bureau is warned while any remain)."""
    tt = tickets_table
    with engine(settings).connect() as conn:
        return conn.execute(
            sa.select(sa.func.count())
            .select_from(tt)
            .where(tt.c.status == "open", tt.c.due_provisional.is_(True))
        ).scalar_one()
