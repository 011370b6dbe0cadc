"""A department's inbox and the case page: a provider approves a share request before its
deadline, a refusal without its legal basis is refused and changes nothing, a stale version,
another department kept out (403 page, audited), anonymous users sent to the login page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from jutong.governance.audit import events
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.engine import fire
from jutong.governance.cases.queries import clocks_of, get_case
from jutong.governance.cases.rules import Role
from jutong.governance.sharing.requests import request_share

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)


@pytest.fixture()
def ref(settings) -> str:
    """A share request the bureau has passed: now waiting on the provider (gongan)."""
    case = request_share(
        settings,
        actor=Actor("li", Role.requester_staff, "minzheng"),
        resource="gongan.huji",
        items=["姓名", "公民身份号码"],
        purpose="低保资格核查",
    )
    fire(settings, case.ref, "pass", actor=Actor("wang", Role.bureau_reviewer, "dashuju"))
    return case.ref


def test_provider_approves_from_its_inbox_before_the_deadline(staff, settings, ref):
    zhang = staff("zhang", "provider_staff@gongan")
    r = zhang.get("/console/inbox", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/console/inbox/gongan")
    page = zhang.get("/console/inbox/gongan")
    assert page.status_code == 200
    assert ref in page.text and "provider decision" in page.text
    due = get_case(settings, ref)
    assert "同意共享 approve" in page.text and "不予共享 refuse" in page.text
    assert 'name="version" value="2"' in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    # the step's clock as of its due day and the day after
    due_on = next(c.due_on for c in clocks_of(settings, ref) if c.state == "provider_review")
    on_the_day = zhang.get(f"/console/inbox/gongan?as_of={due_on}")
    assert f"<td>{due_on}" in on_the_day.text and "今日到期 due today" in on_the_day.text
    late = zhang.get(f"/console/inbox/gongan?as_of={due_on + dt.timedelta(days=1)}")
    assert '<tr class="overdue">' in late.text and "已超期 overdue" in late.text

    r = zhang.post(
        f"/console/cases/{ref}/events",
        {"event": "approve", "version": "2", "back": "/console/inbox/gongan"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/console/inbox/gongan?done=approve&ref={ref}"
    after = zhang.get(r.headers["location"])
    assert f"{ref}: 同意共享 approve" in after.text
    # the confirmation is never free text from the URL
    crafted = zhang.get("/console/inbox/gongan?done=approve&ref=请拨打 110 核实")
    assert "请拨打" not in crafted.text
    case = get_case(settings, ref)
    assert (case.state, case.version) == ("approved", due.version + 1)
    # the provider's step was met before its deadline, and the engine audited who did it
    detail = zhang.get(f"/console/cases/{ref}").text
    assert re.search(r'<tr class="met"><td>provider decision', detail)
    [ev] = [e for e in events(settings, subject=ref) if e.action == "share_request.approve"]
    assert (ev.actor, ev.role, ev.department) == ("zhang", "provider_staff", "gongan")
    # nothing is left for gongan
    assert ref not in zhang.get("/console/inbox/gongan").text


def test_refusal_without_basis_shows_the_engines_message_and_changes_nothing(staff, settings, ref):
    zhang = staff("zhang", "provider_staff@gongan")
    before = len(list(events(settings, subject=ref)))
    r = zhang.post(
        f"/console/cases/{ref}/events",
        {"event": "refuse", "version": "2", "reason": "不符合条件", "basis": "  "},
    )
    assert r.status_code == 409
    assert "未执行 (not done)" in r.text and "basis" in r.text
    assert 'value="不符合条件"' in r.text  # what was typed is kept in the form
    case = get_case(settings, ref)
    assert (case.state, case.version) == ("provider_review", 2)
    assert len(list(events(settings, subject=ref))) == before

    r = zhang.post(
        f"/console/cases/{ref}/events",
        {
            "event": "refuse",
            "version": "2",
            "reason": "不符合条件",
            "basis": "《中华人民共和国居民身份证法》第六条",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert get_case(settings, ref).state == "refused"


def test_a_stale_version_is_refused_with_a_clear_message(staff, settings, ref):
    zhang = staff("zhang", "provider_staff@gongan")
    r = zhang.post(f"/console/cases/{ref}/events", {"event": "approve", "version": "1"})
    assert r.status_code == 409
    assert "此案件已被他人更新" in r.text and "version 1" in r.text and "version 2" in r.text
    assert get_case(settings, ref).state == "provider_review"


def test_csrf_token_missing_or_wrong_is_refused(staff, settings, ref):
    zhang = staff("zhang", "provider_staff@gongan")
    for token in ("", "f" * 64):
        r = zhang.post(
            f"/console/cases/{ref}/events", {"event": "approve", "version": "2"}, csrf=token
        )
        assert r.status_code == 403 and "CSRF" in r.text
    assert get_case(settings, ref).version == 2
    # another session's token does not work either
    other = staff("zhao", "provider_staff@gongan")
    r = zhang.post(
        f"/console/cases/{ref}/events", {"event": "approve", "version": "2"}, csrf=other.csrf
    )
    assert r.status_code == 403
    assert get_case(settings, ref).version == 2


def test_another_department_gets_403_on_inbox_and_case(staff, settings, ref):
    chen = staff("chen", "provider_staff@renshe")
    for url in ("/console/inbox/gongan", f"/console/cases/{ref}"):
        r = chen.get(url)
        assert r.status_code == 403 and "无权访问" in r.text and "permission denied" in r.text
    r = chen.post(f"/console/cases/{ref}/events", {"event": "approve", "version": "2"})
    assert r.status_code == 403
    assert get_case(settings, ref).state == "provider_review"
    denied = [e for e in events(settings, action="access.denied") if e.actor == "chen"]
    assert {e.subject for e in denied} == {"inbox:gongan", ref}
    assert len(denied) == 3


def test_anonymous_users_are_sent_to_login(client, ref):
    for url in ("/console/", "/console/inbox/gongan", f"/console/cases/{ref}"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/console/login?next=")
    r = client.post(f"/console/cases/{ref}/events", data={"event": "approve"})
    assert r.url.path == "/console/login"


def test_requesters_inbox_has_the_steps_only_it_can_take(staff, settings):
    bureau = Actor("wang", Role.bureau_reviewer, "dashuju")
    li_actor = Actor("li", Role.requester_staff, "minzheng")
    asked = request_share(
        settings, actor=li_actor, resource="gongan.huji", items=["姓名"], purpose="核查"
    )
    fire(settings, asked.ref, "ask_info", actor=bureau, reason="请说明核查对象范围")
    li = staff("li", "requester_staff@minzheng")
    page = li.get("/console/inbox/minzheng")
    assert asked.ref in page.text and "待本部门办理 waiting on you" in page.text
    assert "补充材料 supplement" in page.text
    r = li.post(
        f"/console/cases/{asked.ref}/events",
        {"event": "supplement", "version": "2", "back": "/console/inbox/minzheng"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert get_case(settings, asked.ref).state == "submitted"
    # back with the bureau: no longer in the requester's inbox, in the bureau's
    assert asked.ref not in li.get("/console/inbox/minzheng").text
