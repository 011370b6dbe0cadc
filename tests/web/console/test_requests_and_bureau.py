"""A requester's new request, requests and deliveries; the bureau's overdue board and
department evaluation with their charts; every page free of outside URLs."""

from __future__ import annotations

import datetime as dt
import re

from jutong.governance.cases.actors import Actor
from jutong.governance.cases.queries import list_cases
from jutong.governance.cases.rules import Role
from jutong.governance.sharing.requests import request_share
from jutong.workdays import CHINA_TZ


def test_requester_makes_a_request_and_follows_it(staff, settings):
    li = staff("li", "requester_staff@minzheng")
    form = li.get("/console/requests/new")
    assert form.status_code == 200 and 'value="gongan.huji"' in form.text
    assert 'value="minzheng.hunyin"' not in form.text  # not its own department's entry
    form = li.get("/console/requests/new?resource=gongan.huji")
    assert 'name="items" value="' in form.text and "有条件共享" in form.text
    assert "法律依据 Legal basis" in form.text

    data = {"resource": "gongan.huji", "purpose": "低保资格核查"}
    r = li.post("/console/requests/new", data)  # no item chosen
    assert r.status_code == 422 and "items" in r.text and "低保资格核查" in r.text
    r = li.post("/console/requests/new", {**data, "items": ["姓名"], "until": "someday"})
    assert r.status_code == 422 and "until" in r.text
    assert list_cases(settings) == []

    r = li.post(
        "/console/requests/new",
        {**data, "items": ["姓名", "公民身份号码"], "until": "2027-12-31"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    [case] = list_cases(settings)
    assert r.headers["location"] == f"/console/cases/{case.ref}"
    assert (case.requester, case.provider, case.state) == ("minzheng", "gongan", "submitted")
    page = li.get(r.headers["location"])
    assert "撤回 withdraw" in page.text and "normative review" in page.text
    mine = li.get("/console/requests")
    assert case.ref in mine.text and "normative review" in mine.text
    assert li.get(f"/console/requests/{case.ref}/deliveries").status_code == 200

    # another requester department sees neither the case nor its deliveries
    chen = staff("chen", "requester_staff@renshe")
    assert case.ref not in chen.get("/console/requests").text
    assert chen.get(f"/console/requests/{case.ref}/deliveries").status_code == 403
    assert chen.get(f"/console/cases/{case.ref}").status_code == 403
    # a provider has no requester pages
    zhang = staff("zhang", "provider_staff@gongan")
    assert zhang.get("/console/requests").status_code == 403


def test_requester_asks_for_a_theme_mart_of_the_bureau(staff, settings):
    li = staff("li", "requester_staff@minzheng")
    form = li.get("/console/requests/new")
    assert 'value="base.population"' in form.text and "共享目录 Share list" in form.text
    form = li.get("/console/requests/new?resource=theme.ss_insurance_coverage")
    assert "主题库 theme database" in form.text and 'value="age_band"' in form.text
    assert "敏感级 None" not in form.text
    r = li.post(
        "/console/requests/new",
        {
            "resource": "theme.ss_insurance_coverage",
            "purpose": "参保扩面分析",
            "items": ["age_band", "insured_persons"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    [case] = list_cases(settings)
    assert (case.provider, case.state) == ("dashuju", "granted")  # unconditional: at once
    page = li.get(r.headers["location"])
    assert "年龄段" in page.text  # items by their share-list labels
    assert li.get("/console/requests/new?resource=theme.nope").status_code == 404


def test_overdue_board_and_evaluation_with_charts(staff, settings):
    li = Actor("li", Role.requester_staff, "minzheng")
    late = request_share(
        settings,
        actor=li,
        resource="gongan.huji",
        items=["姓名"],
        purpose="低保资格核查",
        at=dt.datetime(2026, 9, 1, 10, 0, tzinfo=CHINA_TZ),
    )
    wang = staff("wang", "bureau_reviewer@dashuju")
    board = wang.get("/console/overdue")
    assert board.status_code == 200
    assert late.ref in board.text and "已超期 overdue" in board.text
    assert '<svg class="chart"' in board.text and "大数据" in board.text
    board = wang.get("/console/overdue?as_of=2026-09-02")
    assert late.ref in board.text and "即将到期 due soon" in board.text

    ev = wang.get("/console/evaluation")
    assert ev.status_code == 200
    assert ev.text.count('<svg class="chart"') == 3
    assert "steps overdue now, per department" in ev.text
    # the nav offers the bureau pages to the bureau only
    assert 'href="/console/overdue"' in ev.text
    sun = staff("sun", "quality_owner@dashuju")
    assert 'href="/console/overdue"' not in sun.get("/console/").text
    assert sun.get("/console/evaluation").status_code == 403


_LINK = re.compile(r'(?:href|src|action)="([^"]*)"')


def test_pages_contain_no_outside_urls(staff, settings):
    request_share(
        settings,
        actor=Actor("li", Role.requester_staff, "minzheng"),
        resource="gongan.huji",
        items=["姓名"],
        purpose="低保资格核查",
    )
    admin = staff(
        "root", "bureau_admin@dashuju", "requester_staff@minzheng", "open_data_staff@dashuju"
    )
    home = admin.get("/console/")
    nav = re.findall(r'<a href="(/console/[a-z]+)"', home.text)
    assert len(nav) >= 7
    pages = [
        *nav,
        "/console/inbox/dashuju",
        "/console/cases/SR-000001",
        "/console/requests/new?resource=gongan.huji",
        "/console/login",
    ]
    for url in pages:
        r = admin.get(url)
        assert r.status_code == 200, url
        assert not re.search(r"https?:|//[a-z]", r.text, re.I), url
        for link in _LINK.findall(r.text):
            assert link.startswith("/console/") or link.startswith("/console?"), (url, link)
    css = admin.get("/console/static/console.css")
    assert css.status_code == 200 and "url(" not in css.text and "@import" not in css.text
    assert css.headers["content-type"].startswith("text/css")
    assert admin.client.head("/console/static/console.css").status_code == 200
