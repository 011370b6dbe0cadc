"""Provisional due days of running case clocks made final once the calendar knows more.

A working-day clock whose due day falls past the calendar's data was counted with the
provisional rule (weekends and the fixed holidays, ``jutong.workdays``). When the bureau enters
the next year's arrangement (the jurisdiction file), the same count — from ``counted_from``,
``counted_days`` working days (migration 0007) — is made again; a due day that moves, or stops
being provisional, is rewritten in place and audited (``deadline.recompute``, the case's
reference as subject), as tickets' deadlines are (``jutong.governance.deadlines``). Clock-hour
deadlines (特急) do not depend on the calendar; paused clocks are counted again when they
resume. Clocks made before 0007 (no count recorded) are reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from jutong.governance.audit import log as audit
from jutong.governance.db import engine
from jutong.governance.schema import case_clocks, cases
from jutong.settings import Settings
from jutong.workdays import WorkCalendar


@dataclass(frozen=True)
class ClockRecomputed:
    case: str  # the case's reference (SR-000001, OP-…)
    state: str
    was: dt.date
    now: dt.date
    provisional: bool


def recompute_clocks(
    settings: Settings, calendar: WorkCalendar | None = None, *, actor: str = "jutong"
) -> tuple[list[ClockRecomputed], int]:
    """Recompute every running provisional working-day clock; (what changed, how many could
    not be recomputed because the clock predates its recorded count)."""
    calendar = calendar or WorkCalendar.from_catalog(settings)
    changed: list[ClockRecomputed] = []
    unknown = 0
    with engine(settings).begin() as conn:
        rows = conn.execute(
            sa.select(case_clocks, cases.c.ref, cases.c.provider)
            .join(cases, cases.c.seq == case_clocks.c.case_seq)
            .where(
                case_clocks.c.status == "running",
                case_clocks.c.provisional.is_(True),
                case_clocks.c.due_at.is_(None),
                # a ticket's clock is recomputed with its ticket (jutong.governance.deadlines)
                cases.c.kind != "ticket",
            )
            .order_by(case_clocks.c.id)
        ).all()
        for r in rows:
            if r.counted_from is None or r.counted_days is None:
                unknown += 1
                continue
            due = calendar.due(r.counted_from, r.counted_days)
            if due.day == r.due_on and due.provisional:
                continue  # nothing new known
            conn.execute(
                sa.update(case_clocks)
                .where(case_clocks.c.id == r.id)
                .values(due_on=due.day, provisional=due.provisional)
            )
            audit.append(
                conn,
                actor=actor,
                department=r.provider,
                action="deadline.recompute",
                subject=r.ref,
                data={
                    "state": r.state,
                    "from": r.due_on,
                    "to": due.day,
                    "provisional": due.provisional,
                    "counted_from": r.counted_from,
                    "working_days": r.counted_days,
                    "basis": r.basis,
                    "calendar": repr(calendar),
                },
            )
            changed.append(ClockRecomputed(r.ref, r.state, r.due_on, due.day, due.provisional))
    return changed, unknown
