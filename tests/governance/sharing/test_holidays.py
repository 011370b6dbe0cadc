"""Share-request deadlines across the 2026 Spring Festival with its make-up Saturdays
(2026-02-14 and 2026-02-28 are working days; 15–23 February are off)."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.engine import fire
from jutong.governance.cases.queries import clocks_of
from jutong.governance.db import dispose_all
from jutong.governance.sharing.requests import request_share
from jutong.workdays import CHINA_TZ

REQ = parse_actor("李科员:requester_staff@minzheng")
BUREAU = parse_actor("王审核:bureau_reviewer@dashuju")
PROV = parse_actor("张警官:provider_staff@gongan")
D = dt.date


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def at(day: str, hour: int = 10) -> dt.datetime:
    d = D.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=CHINA_TZ)


def due(settings, ref, state):
    return [c for c in clocks_of(settings, ref) if c.state == state][-1].due_on


def test_spring_festival_and_make_up_days(settings):
    ref = request_share(
        settings,
        actor=REQ,
        resource="gongan.huji",
        items=["姓名"],
        purpose="核查",
        at=at("2026-02-13"),
    ).ref  # Friday
    assert due(settings, ref, "submitted") == D(2026, 2, 24)  # Sat 14 (make-up), Tue 24
    fire(settings, ref, "pass", actor=BUREAU, at=at("2026-02-27"))  # late, on a Friday
    # Sat 28 (make-up), Mon 2, Tue 3, Wed 4, Thu 5 March
    assert due(settings, ref, "provider_review") == D(2026, 3, 5)
    assert [c.status for c in clocks_of(settings, ref)][0] == "missed"


def test_receipt_late_at_night_counts_as_that_beijing_day(settings):
    # 23:30 Beijing on Thu 2026-02-12 is still the 12th: review due Sat 14 (make-up day)...
    ref = request_share(
        settings,
        actor=REQ,
        resource="gongan.huji",
        items=["姓名"],
        purpose="核查",
        at=at("2026-02-12", 23),
    ).ref
    assert due(settings, ref, "submitted") == D(2026, 2, 14)
    # ...and 00:30 on Fri 13 is the 13th
    ref2 = request_share(
        settings,
        actor=REQ,
        resource="gongan.huji",
        items=["姓名"],
        purpose="核查",
        at=dt.datetime(2026, 2, 13, 0, 30, tzinfo=CHINA_TZ),
    ).ref
    assert due(settings, ref2, "submitted") == D(2026, 2, 24)
