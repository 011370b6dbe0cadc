"""The SLA sweep: reminders before a deadline, escalations after it, daily overdue reports.

Run every 15 minutes by the ``govern__sla_sweep`` DAG (and ``jutong cases sweep``); idempotent —
each clock gets at most one reminder (when it is due soon or due today) and one escalation to
the bureau (when it is overdue), each an audit event; the day's overdue report per department
is rewritten in place. The sweep also makes provisional deadlines final once the calendar
knows their days (tickets: ``jutong.governance.deadlines``; notices; case clocks:
``jutong.governance.cases.recompute``) and signs a checkpoint of the audit chain's
head, so a truncated log is detectable (GX-Dispatch art. 42). Overdue steps count against the
owing department in its evaluation (LZ-Rules art. 34; GX-Dispatch art. 9(3)).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from jutong.governance.audit import log as audit
from jutong.governance.audit.checkpoint import write_checkpoint
from jutong.governance.cases.clocks import clock_state
from jutong.governance.cases.model import beijing_day
from jutong.governance.cases.queries import open_clocks
from jutong.governance.cases.rules import Party
from jutong.governance.db import engine
from jutong.governance.deadlines import recompute_provisional
from jutong.governance.schema import case_clocks
from jutong.settings import Settings
from jutong.workdays import WorkCalendar


@dataclass
class SweepResult:
    as_of: dt.date
    open_clocks: int = 0
    reminders: list[str] = field(default_factory=list)  # "SR-000001 provider_review"
    escalations: list[str] = field(default_factory=list)
    recomputed: int = 0
    reports: list[Path] = field(default_factory=list)
    checkpoint: Path | None = None

    def summary(self) -> str:
        return (
            f"SLA sweep {self.as_of}: {self.open_clocks} open step(s), "
            f"{len(self.reminders)} reminder(s), {len(self.escalations)} escalation(s), "
            f"{self.recomputed} provisional deadline(s) recomputed, "
            f"{len(self.reports)} overdue report(s)"
        )


def report_dir(settings: Settings, day: dt.date) -> Path:
    return Path(settings.lake_root) / "reports" / "overdue" / day.isoformat()


def sweep(
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    checkpoint: bool = True,
) -> SweepResult:
    calendar = calendar or WorkCalendar.from_catalog(settings)
    now = now or dt.datetime.now(dt.UTC)
    today = beijing_day(now)
    res = SweepResult(today)
    res.recomputed = len(recompute_provisional(settings, calendar, actor="sla-sweep"))
    from jutong.governance.opening.notices import recompute_provisional as notices_recompute

    res.recomputed += len(notices_recompute(settings, calendar, actor="sla-sweep"))
    from jutong.governance.cases.recompute import recompute_clocks

    clocks_changed, _ = recompute_clocks(settings, calendar, actor="sla-sweep")
    res.recomputed += len(clocks_changed)
    overdue_by_dept: dict[str, list[dict]] = {}
    found = open_clocks(settings)
    res.open_clocks = len(found)
    with engine(settings).begin() as conn:
        for case, clock in found:
            st = clock_state(
                calendar,
                status=clock.status,
                due_on=clock.due_on,
                as_of=today,
                due_at=clock.due_at,  # clock hours (特急): judged to the minute
                now=now,
            )
            owed = case.party_department(Party(clock.party))
            what = {
                "step": clock.state,
                "label": clock.label,
                "owed_by": owed,
                "due_on": clock.due_on,
                "provisional": clock.provisional,
                "basis": clock.basis,
            }
            if st in ("due_soon", "due") and clock.reminded_on is None:
                conn.execute(
                    sa.update(case_clocks)
                    .where(case_clocks.c.id == clock.id)
                    .values(reminded_on=today)
                )
                audit.append(
                    conn,
                    actor="sla-sweep",
                    department=owed,
                    action="sla.reminder",
                    subject=case.ref,
                    at=now.replace(tzinfo=None),
                    data=what,
                )
                res.reminders.append(f"{case.ref} {clock.state}")
            if st == "overdue":
                if clock.escalated_on is None:
                    conn.execute(
                        sa.update(case_clocks)
                        .where(case_clocks.c.id == clock.id)
                        .values(escalated_on=today)
                    )
                    audit.append(
                        conn,
                        actor="sla-sweep",
                        department=case.bureau,
                        action="sla.escalate",
                        subject=case.ref,
                        at=now.replace(tzinfo=None),
                        data=what,
                    )
                    res.escalations.append(f"{case.ref} {clock.state}")
                days_late = (today - clock.due_on).days
                overdue_by_dept.setdefault(owed, []).append(
                    {"case": case.ref, "resource": case.resource, **what, "days_late": days_late}
                )
    res.reports = _write_reports(settings, today, overdue_by_dept)
    if checkpoint:
        res.checkpoint = write_checkpoint(settings).path
    return res


def _write_reports(settings: Settings, day: dt.date, by_dept: dict[str, list[dict]]) -> list[Path]:
    folder = report_dir(settings, day)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for old in folder.glob("*.csv"):  # rewritten in place: a step answered since drops out
        if old.stem not in by_dept:
            old.unlink()
    for dept, rows in sorted(by_dept.items()):
        path = folder / f"{dept}.csv"
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        tmp.replace(path)
        written.append(path)
    summary = {d: len(r) for d, r in sorted(by_dept.items())}
    (folder / "summary.json").write_text(
        json.dumps(
            {"as_of": day.isoformat(), "overdue_steps": summary}, ensure_ascii=False, indent=2
        )
        + "\n",
        encoding="utf-8",
    )
    return written
