"""Deadlines of conditional-open requests (GX-Open art. 20) per urgency, across a weekend and
the 2026 National Day holiday; clock hours for 特急; on-request opening (GX-Dispatch art. 33)."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.governance.cases.clocks import clock_state
from jutong.governance.cases.model import CaseError
from jutong.governance.cases.queries import clocks_of
from jutong.governance.opening.requests import act, request_on_demand, request_open
from jutong.workdays import WorkCalendar

from .conftest import BUREAU, CENTRE, ORG, PARCELS, PROV, PUB, at

D = dt.date
UNTIL = D(2027, 6, 30)


def _req(settings, when, urgency, actor=PUB):
    return request_open(
        settings,
        actor=actor,
        resource=PARCELS,
        items=["parcel_code", "土地用途"],
        purpose="城市规划研究",
        until=UNTIL,
        urgency=urgency,
        at=when,
    )


def _clock(settings, ref, state):
    return [c for c in clocks_of(settings, ref) if c.state == state][-1]


def test_most_urgent_filed_friday_evening_counts_clock_hours_then_working_days(accounts):
    settings = accounts
    case = _req(settings, at("2026-11-27", 20), "特急")  # Friday 20:00 Beijing
    assert (case.ref, case.state, case.data["urgency"]) == ("OR-000001", "submitted", "most_urgent")
    review = _clock(settings, case.ref, "submitted")
    # GX-Open art. 20(2): 特急 12 clock hours — Saturday 08:00 Beijing (00:00 UTC)
    assert review.due_at == dt.datetime(2026, 11, 28, 0, 0)
    assert (review.due_on, review.party, review.basis) == (
        D(2026, 11, 28),
        "centre",
        "GX-Open art. 20(2)",
    )
    cal = WorkCalendar.from_catalog(settings)

    def state(now):
        return clock_state(
            cal,
            status="running",
            due_on=review.due_on,
            as_of=now.date(),
            due_at=review.due_at,
            now=now,
        )

    assert state(at("2026-11-27", 21)) == "running"
    assert state(at("2026-11-28", 5)) == "due_soon"
    assert state(at("2026-11-28", 8, 1)) == "overdue"
    assert "2026-11-28 08:00 Beijing" in review.shown(cal, D(2026, 11, 28))

    act(settings, case.ref, "pass", actor=CENTRE, at=at("2026-11-28", 7, 30))  # Sat, in time
    assert _clock(settings, case.ref, "submitted").status == "met"
    # provider: 特急 1 wd from Saturday -> Monday 11-30 (GX-Open art. 20(3))
    prov = _clock(settings, case.ref, "provider_review")
    assert (prov.due_on, prov.due_at, prov.basis) == (D(2026, 11, 30), None, "GX-Open art. 20(3)")
    act(settings, case.ref, "approve", actor=PROV, at=at("2026-11-30", 16))
    # the bureau approves within 2 wd whatever the urgency (GX-Open art. 20(4))
    assert _clock(settings, case.ref, "answer_granted").due_on == D(2026, 12, 2)


def test_most_urgent_review_an_hour_late_is_missed(accounts):
    settings = accounts
    case = _req(settings, at("2026-11-27", 20), "most-urgent")
    act(settings, case.ref, "pass", actor=CENTRE, at=at("2026-11-28", 9))
    assert _clock(settings, case.ref, "submitted").status == "missed"


def test_urgent_request_before_national_day(accounts):
    settings = accounts
    case = _req(settings, at("2026-09-29"), "加急", actor=ORG)  # Tuesday
    # 加急 review 1 wd: 09-30
    assert _clock(settings, case.ref, "submitted").due_on == D(2026, 9, 30)
    act(settings, case.ref, "pass", actor=CENTRE, at=at("2026-09-30", 17))
    # 加急 provider 2 wd: 10-01..10-07 National Day off -> 10-08, 10-09
    assert _clock(settings, case.ref, "provider_review").due_on == D(2026, 10, 9)
    act(settings, case.ref, "approve", actor=PROV, at=at("2026-10-09"))
    # bureau 2 wd: 10-10 (a make-up Saturday, 调休) and 10-12
    assert _clock(settings, case.ref, "answer_granted").due_on == D(2026, 10, 12)
    act(settings, case.ref, "approve", actor=BUREAU, at=at("2026-10-12"))
    assert [c.status for c in clocks_of(settings, case.ref)] == ["met", "met", "met"]


def test_normal_request_before_national_day(accounts):
    settings = accounts
    case = _req(settings, at("2026-09-29"), "normal")
    assert _clock(settings, case.ref, "submitted").due_on == D(2026, 10, 8)  # 2 wd
    act(settings, case.ref, "pass", actor=CENTRE, at=at("2026-10-08"))
    # 5 wd: 10-09, 10-10 (make-up Saturday), 10-12, 10-13, 10-14
    assert _clock(settings, case.ref, "provider_review").due_on == D(2026, 10, 14)


def test_pause_of_a_clock_hour_deadline_keeps_the_minutes_left(accounts):
    settings = accounts
    case = _req(settings, at("2026-11-27", 20), "特急")
    act(
        settings,
        case.ref,
        "ask_info",
        actor=CENTRE,
        reason="请补充用途说明",
        at=at("2026-11-27", 22),
    )
    c = _clock(settings, case.ref, "submitted")
    assert (c.status, c.remaining_minutes) == ("paused", 600)
    act(settings, case.ref, "supplement", actor=PUB, at=at("2026-11-30", 9))
    c = _clock(settings, case.ref, "submitted")
    assert (c.status, c.due_at) == ("running", dt.datetime(2026, 11, 30, 11, 0))  # 19:00 Beijing


def test_unknown_urgency_is_refused(accounts):
    with pytest.raises(CaseError, match="urgency 'asap'"):
        _req(accounts, at("2026-11-27"), "asap")


def test_on_request_opening_review_3_and_open_5_working_days(accounts):
    settings = accounts
    case = request_on_demand(
        settings,
        actor=PUB,
        resource=PARCELS,
        items=["parcel_code"],
        purpose="课题研究",
        until=UNTIL,
        at=at("2026-09-29"),
    )
    assert case.ref == "OD-000001"
    c = _clock(settings, case.ref, "submitted")
    # GX-Dispatch art. 33: review within 3 wd: 09-30, 10-08, 10-09
    assert (c.due_on, c.basis, c.party) == (D(2026, 10, 9), "GX-Dispatch art. 33", "provider")
    act(settings, case.ref, "approve", actor=PROV, at=at("2026-10-09"))
    # open within 5 wd: 10-10, 10-12, 10-13, 10-14, 10-15
    assert _clock(settings, case.ref, "opening").due_on == D(2026, 10, 15)


def test_sla_sweep_reminds_and_escalates_a_clock_hour_deadline_to_the_minute(accounts):
    from jutong.governance.sla import sweep

    settings = accounts
    case = _req(settings, at("2026-11-27", 20), "特急")
    assert sweep(settings, now=at("2026-11-27", 21), checkpoint=False).reminders == []
    res = sweep(settings, now=at("2026-11-28", 5), checkpoint=False)  # 3 hours left
    assert res.reminders == [f"{case.ref} submitted"] and res.escalations == []
    res = sweep(settings, now=at("2026-11-28", 8, 5), checkpoint=False)  # 5 minutes late
    assert res.escalations == [f"{case.ref} submitted"]
    # the overdue report names the information centre, which owes the review
    assert res.reports and res.reports[0].stem == "xinxi"
