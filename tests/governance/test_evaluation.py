"""Department evaluation from the share cases' clocks (LZ-Rules art. 34)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jutong.cli import main
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.engine import fire
from jutong.governance.db import dispose_all
from jutong.governance.evaluation import evaluate_departments
from jutong.governance.sharing.requests import request_share
from jutong.workdays import CHINA_TZ

REQ = parse_actor("李科员:requester_staff@minzheng")
BUREAU = parse_actor("王审核:bureau_reviewer@dashuju")
PROV = parse_actor("张警官:provider_staff@gongan")


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def at(day: str) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, 10, tzinfo=CHINA_TZ)


def test_scores_per_department(settings, capsys):
    a = request_share(
        settings,
        actor=REQ,
        resource="gongan.huji",
        items=["姓名"],
        purpose="核查",
        at=at("2026-11-02"),
    ).ref  # Mon; review due Wed 11-04
    fire(settings, a, "pass", actor=BUREAU, at=at("2026-11-03"))  # 1 wd, met
    fire(
        settings, a, "refuse", actor=PROV, basis="《居民身份证法》第六条", at=at("2026-11-12")
    )  # provider due 11-10: missed, 7 wd
    b = request_share(
        settings,
        actor=REQ,
        resource="gongan.huji",
        items=["姓名"],
        purpose="核查",
        at=at("2026-11-02"),
    ).ref
    fire(settings, b, "pass", actor=BUREAU, at=at("2026-11-04"))  # 2 wd, met
    scores = {s.department: s for s in evaluate_departments(settings, as_of=dt.date(2026, 11, 20))}
    bureau, gongan = scores["dashuju"], scores["gongan"]
    assert (bureau.steps_closed, bureau.steps_met, bureau.median_answer_days) == (2, 2, 1.5)
    # gongan: one step missed (7 wd), one still open and overdue (b's decision due 11-11)
    assert (gongan.steps_closed, gongan.steps_met, gongan.median_answer_days) == (1, 0, 7)
    assert (gongan.open_steps, gongan.overdue_now, gongan.refusals_with_basis) == (1, 1, 1)
    assert gongan.met_rate == 0.0
    # the refused request's push is the bureau's, still open
    assert bureau.open_steps == 1

    html = settings.home / "eval.html"
    assert main(["evaluate", "departments", "--as-of", "2026-11-20", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert "gongan" in out and "0%" in out
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "http://" not in page and "https://" not in page
    assert main(["evaluate", "departments", "--as-of", "2026-11-20", "--json"]) == 0
    doc = {d["department"]: d for d in json.loads(capsys.readouterr().out)}
    assert doc["gongan"]["overdue_now"] == 1


def test_the_trend_counts_deadlines_met_per_month(settings):
    from jutong.charts import sparkline
    from jutong.governance.evaluation import last_months, write_html

    # October: met (passed on receipt + 1 wd); November: missed (passed 6 wd late)
    a = request_share(
        settings,
        actor=REQ,
        resource="gongan.huji",
        items=["姓名"],
        purpose="核查",
        at=at("2026-10-12"),
    ).ref
    fire(settings, a, "pass", actor=BUREAU, at=at("2026-10-13"))
    b = request_share(
        settings,
        actor=REQ,
        resource="gongan.huji",
        items=["姓名"],
        purpose="核查",
        at=at("2026-11-02"),
    ).ref
    fire(settings, b, "pass", actor=BUREAU, at=at("2026-11-12"))
    as_of = dt.date(2026, 11, 20)
    scores = {s.department: s for s in evaluate_departments(settings, as_of=as_of)}
    bureau = scores["dashuju"]
    assert bureau.monthly == {"2026-10": [1, 1], "2026-11": [1, 0]}
    months = last_months(as_of)
    assert (len(months), months[0], months[-1]) == (12, "2025-12", "2026-11")
    assert bureau.trend(months)[-2:] == [100.0, 0.0] and bureau.trend(months)[0] is None
    assert bureau.to_dict()["trend"]["2026-11"] == {"closed": 1, "met": 0, "met_rate": 0.0}
    page = write_html(list(scores.values()), settings.home / "e.html", as_of=as_of).read_text(
        encoding="utf-8"
    )
    assert "Trend" in page and "2026-10: 1/1 met" in page and "2026-11: 0/1 met" in page
    # a month with no closed step breaks the line: two points, no polyline between gaps
    line = sparkline([None, 50.0, None, 80.0])
    assert line.count("<circle") == 2 and "<polyline" not in line
    assert sparkline([None, None]) == ""
