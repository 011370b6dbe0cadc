"""The SLA sweep: one reminder per step due soon, one escalation per overdue step, the day's
overdue report per department, provisional deadlines recomputed, a signed checkpoint."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from jutong.governance.audit import events, verify
from jutong.governance.cases.actors import parse_actor
from jutong.governance.db import dispose_all
from jutong.governance.sharing.requests import request_share
from jutong.governance.sla import report_dir, sweep
from jutong.workdays import CHINA_TZ

REQ = parse_actor("李科员:requester_staff@minzheng")


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def at(day: str, hour: int = 10) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=CHINA_TZ)


def _ask(settings, day):
    return request_share(
        settings, actor=REQ, resource="gongan.huji", items=["姓名"], purpose="核查", at=at(day)
    ).ref


def test_reminder_then_escalation_once_each_and_reports(settings):
    a = _ask(settings, "2026-11-02")  # bureau review due Wed 11-04
    b = _ask(settings, "2026-11-03")  # due Thu 11-05
    r1 = sweep(settings, now=at("2026-11-03"))
    assert r1.reminders == [f"{a} submitted"] and r1.escalations == []
    assert sweep(settings, now=at("2026-11-03", 11)).reminders == []  # idempotent
    r2 = sweep(settings, now=at("2026-11-05"))
    assert r2.escalations == [f"{a} submitted"] and r2.reminders == [f"{b} submitted"]
    [report] = r2.reports
    assert report == report_dir(settings, dt.date(2026, 11, 5)) / "dashuju.csv"
    rows = list(csv.DictReader(report.open(encoding="utf-8-sig")))
    assert [(r["case"], r["owed_by"], r["days_late"]) for r in rows] == [(a, "dashuju", "1")]
    r3 = sweep(settings, now=at("2026-11-06"))
    assert r3.escalations == [f"{b} submitted"]  # a's was escalated once already
    acts = [(e.action, e.subject) for e in events(settings) if e.action.startswith("sla.")]
    assert acts == [
        ("sla.reminder", a),
        ("sla.escalate", a),
        ("sla.reminder", b),
        ("sla.escalate", b),
    ]
    assert r3.checkpoint is not None and verify(settings).ok


def test_cli_sweep(settings, capsys):
    from jutong.cli import main

    _ask(settings, "2026-11-02")
    assert main(["cases", "sweep", "--at", "2026-11-09"]) == 0
    out = capsys.readouterr().out
    assert "1 escalation(s)" in out and "escalated  SR-000001 submitted" in out
