"""Opening in the console: the information centre passes a 特急 request from its opening inbox
and the provider sees it next with its deadline; a refusal without its basis and a stale
version are refused with their messages; open-data staff verify a complaint and withdraw its
release from the complaints page; notices; catalog lifecycle cases; other departments kept
out (403 page); no outside URLs (GX-Open art. 15, 20, 22; GX-Dispatch art. 33–34)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from jutong.governance import releases
from jutong.governance.audit import events
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.queries import clocks_of, get_case, list_cases
from jutong.governance.opening import complaints, keys, lifecycle
from jutong.governance.opening.accounts import register_account
from jutong.governance.opening.agreements import accept, agreement_text
from jutong.governance.opening.requests import act, request_on_demand, request_open
from jutong.workdays import CHINA_TZ

PUB = parse_actor("张三:public@zhangsan")
PROV = parse_actor("陈科长:provider_staff@ziranziyuan")
PARCELS = "ziranziyuan.zongdi"  # 有条件开放 in the catalog
QIYE = "qiye_registrations"  # an unconditional release of shichang.qiye
OUTSIDE = re.compile(r"""(?:src|href|action)=["'](?:https?:)?//""", re.I)


@pytest.fixture()
def citizen(settings):
    register_account(settings, "zhangsan", kind="person", name="张三")
    return PUB


@pytest.fixture()
def urgent(settings, citizen) -> str:
    """A 特急 conditional-open request filed now: the centre's review owes 12 clock hours."""
    case = request_open(
        settings,
        actor=citizen,
        resource=PARCELS,
        items=["parcel_code"],
        purpose="应急测绘",
        until=dt.date(2027, 6, 30),
        urgency="特急",
    )
    return case.ref


def beijing(instant: dt.datetime) -> str:
    """A stored UTC instant as the console shows it."""
    return instant.replace(tzinfo=dt.UTC).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def no_outside_urls(html: str) -> None:
    assert not OUTSIDE.search(html), OUTSIDE.search(html).group(0)


def test_centre_passes_a_most_urgent_request_and_the_provider_sees_it_next(staff, settings, urgent):
    liu = staff("liu", "bureau_reviewer@xinxi")
    r = liu.get("/console/opening", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/console/opening/xinxi")
    inbox = liu.get("/console/opening/xinxi")
    assert inbox.status_code == 200, inbox.text
    no_outside_urls(inbox.text)
    assert urgent in inbox.text and "特急 most urgent" in inbox.text
    # the clock-hour deadline (GX-Open art. 20(2)) as an instant in Beijing time
    (review,) = clocks_of(settings, urgent)
    assert review.due_at is not None
    assert f"<strong>{beijing(review.due_at)}</strong> <small>北京时间 Beijing" in inbox.text
    assert "GX-Open art. 20(2)" in inbox.text
    assert "通过审核 pass" in inbox.text and 'name="version" value="1"' in inbox.text
    assert f'action="/console/opening/cases/{urgent}/events"' in inbox.text
    # the next step's deadline at this urgency: the provider's 1 wd, not the normal 5
    assert "下一步时限 next step 1 工作日 wd" in inbox.text and "next step 5" not in inbox.text
    assert "开放待办 Opening" in inbox.text  # in the menu

    r = liu.post(
        f"/console/opening/cases/{urgent}/events",
        {"event": "pass", "version": "1", "back": "/console/opening/xinxi"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/console/opening/xinxi?done=pass&ref={urgent}"
    after = liu.get(r.headers["location"])
    assert f"{urgent}: 通过审核 pass" in after.text
    assert f'href="/console/opening/cases/{urgent}"' not in after.text  # nothing left for xinxi
    case = get_case(settings, urgent)
    assert (case.state, case.version) == ("provider_review", 2)
    [ev] = [e for e in events(settings, subject=urgent) if e.action.endswith(".pass")]
    assert (ev.actor, ev.role, ev.department) == ("liu", "bureau_reviewer", "xinxi")

    # the provider's inbox has it next, with its day deadline (1 wd for 特急, art. 20(3))
    chen = staff("chen", "provider_staff@ziranziyuan")
    prov = next(c for c in clocks_of(settings, urgent) if c.state == "provider_review")
    assert prov.due_at is None
    page = chen.get("/console/opening/ziranziyuan")
    assert page.status_code == 200
    assert urgent in page.text and f"<td>{prov.due_on}" in page.text
    assert "GX-Open art. 20(3)" in page.text
    assert "同意开放 approve" in page.text and "不予开放 refuse" in page.text
    late = chen.get(f"/console/opening/ziranziyuan?as_of={prov.due_on + dt.timedelta(days=1)}")
    assert '<tr class="overdue">' in late.text and "已超期 overdue" in late.text
    # the case page: details, both clocks (the centre's met), the history
    detail = chen.get(f"/console/opening/cases/{urgent}")
    assert detail.status_code == 200
    no_outside_urls(detail.text)
    assert re.search(r'<tr class="met"><td>[^<]*</td><td>[^<]*</td>', detail.text)
    assert "特急 most urgent" in detail.text and "liu" in detail.text


def test_refusal_without_basis_and_stale_version_are_refused(staff, settings, urgent):
    liu = staff("liu", "bureau_reviewer@xinxi")
    assert (
        liu.post(
            f"/console/opening/cases/{urgent}/events", {"event": "pass", "version": "1"}
        ).status_code
        == 200
    )  # followed to the case page
    chen = staff("chen", "provider_staff@ziranziyuan")
    before = len(list(events(settings, subject=urgent)))
    r = chen.post(
        f"/console/opening/cases/{urgent}/events",
        {"event": "refuse", "version": "2", "reason": "涉及个人信息", "basis": " "},
    )
    assert r.status_code == 409
    assert "未执行 (not done)" in r.text and "basis" in r.text
    assert 'value="涉及个人信息"' in r.text  # what was typed is kept
    stale = chen.post(
        f"/console/opening/cases/{urgent}/events", {"event": "approve", "version": "1"}
    )
    assert stale.status_code == 409
    assert "此案件已被他人更新" in stale.text and "version 1" in stale.text
    case = get_case(settings, urgent)
    assert (case.state, case.version) == ("provider_review", 2)
    assert len(list(events(settings, subject=urgent))) == before

    r = chen.post(
        f"/console/opening/cases/{urgent}/events",
        {
            "event": "refuse",
            "version": "2",
            "reason": "涉及个人信息",
            "basis": "《个人信息保护法》第十三条",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert get_case(settings, urgent).state == "answer_refused"


def test_other_departments_get_the_403_page(staff, settings, urgent):
    he = staff("he", "provider_staff@gongan")
    for url in (
        f"/console/opening/cases/{urgent}",
        "/console/opening/xinxi",
        "/console/complaints",
    ):
        r = he.get(url)
        assert r.status_code == 403 and "无权访问" in r.text, url
    r = he.post(f"/console/opening/cases/{urgent}/events", {"event": "pass", "version": "1"})
    assert r.status_code == 403
    assert get_case(settings, urgent).state == "submitted"
    denied = {e.subject for e in events(settings, action="access.denied") if e.actor == "he"}
    assert urgent in denied and "opening:xinxi" in denied
    # the menu: gongan's provider may use its own opening inbox, not the complaints
    home = he.get("/console/").text
    assert "开放待办 Opening" in home and "异议 Complaints" not in home
    assert he.get("/console/opening/gongan").status_code == 200
    # a requester department has no opening pages at all
    li = staff("li", "requester_staff@minzheng")
    assert "开放待办 Opening" not in li.get("/console/").text
    assert li.get("/console/opening").status_code == 403
    assert li.get(f"/console/opening/cases/{urgent}").status_code == 403


@pytest.fixture()
def complaint(settings, citizen) -> str:
    releases.record_build(
        settings,
        QIYE,
        version=1,
        path=Path(settings.lake_root) / "releases" / QIYE / "v1",
        rows=3,
        data_sha256="0" * 64,
        built_at=dt.datetime(2026, 10, 20, 2, 0),
        actor="builder",
        as_of=dt.date(2026, 10, 20),
        previous=None,
    )
    case = complaints.file_complaint(
        settings,
        actor=citizen,
        release_id=QIYE,
        grounds="privacy",
        evidence="第12行含有本人手机号码",
    )
    assert releases.status(settings, QIYE) is releases.Status.suspended
    return case.ref


def test_open_data_staff_verify_and_withdraw_from_the_complaints_page(staff, settings, complaint):
    zhao = staff("zhao", "open_data_staff@dashuju")
    page = zhao.get("/console/complaints")
    assert page.status_code == 200, page.text
    no_outside_urls(page.text)
    assert complaint in page.text and QIYE in page.text and "已暂停 suspended" in page.text
    assert "个人隐私 privacy" in page.text and "GX-Open art. 22" in page.text
    assert "核实 verify" in page.text and "撤回 withdraw" not in page.text  # not yet
    (clock,) = clocks_of(settings, complaint)
    assert f"<td>{clock.due_on}" in page.text

    # a reason is needed: refused with the rule's message, nothing changes
    r = zhao.post(
        f"/console/opening/cases/{complaint}/events",
        {"event": "verify", "version": "1", "back": "/console/complaints"},
    )
    assert r.status_code == 409 and "未执行 (not done)" in r.text
    assert get_case(settings, complaint).state == "suspended"

    r = zhao.post(
        f"/console/opening/cases/{complaint}/events",
        {"event": "verify", "version": "1", "reason": "核实属实", "back": "/console/complaints"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/console/complaints?done=verify&ref={complaint}"
    page = zhao.get(r.headers["location"])
    assert f"{complaint}: 核实 verify" in page.text
    assert "撤回 withdraw" in page.text and "恢复开放 restore" in page.text
    r = zhao.post(
        f"/console/opening/cases/{complaint}/events",
        {
            "event": "withdraw",
            "version": "2",
            "reason": "含个人信息，撤回",
            "back": "/console/complaints",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert releases.status(settings, QIYE) is releases.Status.withdrawn
    assert get_case(settings, complaint).state == "withdrawn"
    [ev] = [e for e in events(settings, subject=complaint) if e.action.endswith(".withdraw")]
    assert (ev.actor, ev.role) == ("zhao", "open_data_staff")
    # closed: gone from the open list, on the list of all with the release withdrawn
    assert complaint not in zhao.get("/console/complaints").text
    every = zhao.get("/console/complaints?all=true").text
    assert complaint in every and "已撤回 withdrawn" in every


def test_lifecycle_cases_and_notices(staff, settings):
    case = lifecycle.report_change(
        settings,
        actor=PROV,
        resource=PARCELS,
        change="《不动产登记暂行条例》修订",
        changed_on=dt.date.today(),
    )
    chen = staff("chen", "provider_staff@ziranziyuan")
    inbox = chen.get("/console/opening/ziranziyuan").text
    (clock,) = clocks_of(settings, case.ref)
    assert case.ref in inbox and f"<td>{clock.due_on}" in inbox and clock.basis in inbox
    assert "已更新目录 update" in inbox
    listed = chen.get("/console/lifecycle")
    assert listed.status_code == 200 and case.ref in listed.text
    no_outside_urls(listed.text)
    r = chen.post(
        f"/console/opening/cases/{case.ref}/events",
        {
            "event": "update",
            "version": "1",
            "reason": "目录已按新条例更新",
            "back": "/console/lifecycle",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert get_case(settings, case.ref).state == "updated"
    assert case.ref not in chen.get("/console/lifecycle").text
    assert case.ref in chen.get("/console/lifecycle?all=true").text

    # taking the entry offline: the bureau approves from its opening inbox, the notice is in force
    # the provider applies from the lifecycle page; no reason: refused, nothing filed
    page = chen.get("/console/lifecycle").text
    assert 'action="/console/lifecycle/offline"' in page and f'<option value="{PARCELS}"' in page
    assert 'value="gongan.huji"' not in page.split("申请下线")[1]  # only its own entries
    form = {"what": "catalog", "resource": PARCELS, "reason": " "}
    r = chen.post("/console/lifecycle/offline", form)
    assert r.status_code == 422 and "reason" in r.text
    assert list_cases(settings, kind="catalog_offline") == []
    r = chen.post(
        "/console/lifecycle/offline",
        {**form, "reason": "职能调整，目录不再维护"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    [offline] = list_cases(settings, kind="catalog_offline")
    assert r.headers["location"] == (
        f"/console/opening/cases/{offline.ref}?done=applied&ref={offline.ref}"
    )
    assert (offline.provider, offline.state) == ("ziranziyuan", "submitted")
    assert f"{offline.ref}: 已提交下线申请 offline applied" in chen.get(r.headers["location"]).text
    # another department's provider may not apply for this entry (403 page, nothing filed)
    he = staff("he", "provider_staff@gongan")
    assert he.post("/console/lifecycle/offline", {**form, "reason": "x"}).status_code == 403
    assert len(list_cases(settings, kind="catalog_offline")) == 1
    wang = staff("wang", "bureau_reviewer@dashuju")
    inbox = wang.get("/console/opening/dashuju").text
    assert offline.ref in inbox and "同意 approve" in inbox and "驳回 reject" in inbox
    r = wang.post(
        f"/console/opening/cases/{offline.ref}/events",
        {"event": "approve", "version": "1", "back": "/console/opening/dashuju"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert f"{offline.ref}: 同意 approve ✓" in wang.get(r.headers["location"]).text
    # the generic case address of an opening case leads to its own page
    r = wang.get(f"/console/cases/{offline.ref}", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (307, f"/console/opening/cases/{offline.ref}")

    zhao = staff("zhao", "open_data_staff@dashuju")
    notices = zhao.get("/console/notices")
    assert notices.status_code == 200 and "公示中 In force" in notices.text
    no_outside_urls(notices.text)
    in_force = notices.text.split("往期 Past")[0]
    assert "待下线目录公示：目录下线 宗地基础信息" in in_force
    assert "<td>GX-Dispatch art. 22</td>" in in_force and "<small>30 days</small>" in in_force
    assert chen.get("/console/notices").status_code == 403
    # the provider withdraws its application during the notice: the notice moves to the past
    version = get_case(settings, offline.ref).version
    r = chen.post(
        f"/console/opening/cases/{offline.ref}/events",
        {"event": "withdraw", "version": str(version)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    notices = zhao.get("/console/notices").text
    in_force, past = notices.split("往期 Past")
    assert "宗地基础信息" not in in_force and "暂无 None in force" in in_force
    assert "待下线目录公示：目录下线 宗地基础信息" in past and "已撤回 withdrawn" in past


PARCEL_RELEASE = "parcels_by_use"
RELEASE_YAML = f"""id: {PARCEL_RELEASE}
title: 宗地（按用途）
catalog_entry: {PARCELS}
source: {{zone: base, table: spatial}}
kind: records
open_type: conditional
open_conditions: 权利人为自然人的不开放名称和证件号码。
columns:
  - {{name: parcel_code}}
  - {{name: land_use}}
"""


def test_provider_delivers_by_api_key_shown_once(staff, settings, urgent):
    """After the centre, the provider and the bureau agreed and the citizen signed the
    agreement, the provider delivers from the case page: the key is on that page once."""
    (Path(settings.catalog_dir) / "releases" / f"{PARCEL_RELEASE}.yaml").write_text(
        RELEASE_YAML, encoding="utf-8"
    )
    releases.record_build(
        settings,
        PARCEL_RELEASE,
        version=1,
        path=Path(settings.lake_root) / "releases" / PARCEL_RELEASE / "v1",
        rows=2,
        data_sha256="0" * 64,
        built_at=dt.datetime(2026, 9, 1, 2, 0),
        actor="builder",
        as_of=dt.date(2026, 9, 1),
        previous=None,
    )
    act(settings, urgent, "pass", actor=parse_actor("刘审查:bureau_reviewer@xinxi"))
    act(settings, urgent, "approve", actor=PROV)
    act(settings, urgent, "approve", actor=parse_actor("王审批:bureau_reviewer@dashuju"))
    accept(settings, urgent, actor=PUB, version=agreement_text(settings).version)
    case = get_case(settings, urgent)
    assert case.state == "agreed"

    chen = staff("chen", "provider_staff@ziranziyuan")
    inbox = chen.get("/console/opening/ziranziyuan").text
    assert urgent in inbox and "交付 deliver →" in inbox
    page = chen.get(f"/console/opening/cases/{urgent}").text
    assert f'action="/console/opening/cases/{urgent}/delivery"' in page
    wrong = chen.post(
        f"/console/opening/cases/{urgent}/delivery", {"method": "fax", "version": case.version}
    )
    assert wrong.status_code == 422 and "交付方式有误" in wrong.text
    r = chen.post(
        f"/console/opening/cases/{urgent}/delivery",
        {"method": "api", "version": str(case.version), "release": PARCEL_RELEASE},
    )
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store"
    key = re.search(r"仅显示一次 shown once\): <code>([^<]+)</code>", r.text)
    assert key, r.text
    assert get_case(settings, urgent).state == "delivered"
    again = chen.get(f"/console/opening/cases/{urgent}").text
    assert key.group(1) not in again and "交付 deliver" not in again.split("<h2>时限")[0]
    # the key listed (never its secret) and revoked with a reason
    assert keys.check_key(settings, key.group(1), dataset=PARCEL_RELEASE).status == 200
    [row] = keys.keys_of(settings, urgent)
    assert row["status"] == "active" and f"<code>{row['key_id']}</code>" in again
    revoke = f"/console/opening/cases/{urgent}/keys/{row['key_id']}/revoke"
    assert chen.post(revoke, {"reason": ""}).status_code == 422
    assert keys.keys_of(settings, urgent)[0]["status"] == "active"
    r = chen.post(revoke, {"reason": "合同终止"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert "密钥已吊销 key revoked" in chen.get(r.headers["location"]).text
    assert keys.keys_of(settings, urgent)[0]["status"] == "revoked"
    assert keys.check_key(settings, key.group(1), dataset=PARCEL_RELEASE).status == 403


def test_on_request_opening_reviewed_and_opened_from_the_providers_inbox(staff, settings, citizen):
    """依申请开放 (GX-Dispatch art. 33): the provider reviews within 3 wd, then opens within 5."""
    case = request_on_demand(
        settings,
        actor=citizen,
        resource=PARCELS,
        items=["parcel_code"],
        purpose="课题研究",
        until=dt.date(2027, 1, 31),
    )
    chen = staff("chen", "provider_staff@ziranziyuan")
    (review,) = clocks_of(settings, case.ref)
    inbox = chen.get("/console/opening/ziranziyuan").text
    assert case.ref in inbox and "依申请开放 on-request opening" in inbox
    assert f"<td>{review.due_on}" in inbox and review.basis in inbox
    r = chen.post(
        f"/console/opening/cases/{case.ref}/events",
        {"event": "approve", "version": "1", "back": "/console/opening/ziranziyuan"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    opening = next(c for c in clocks_of(settings, case.ref) if c.state == "opening")
    inbox = chen.get("/console/opening/ziranziyuan").text
    assert f"<td>{opening.due_on}" in inbox and "交付 deliver →" in inbox
    r = chen.post(
        f"/console/opening/cases/{case.ref}/delivery", {"method": "download", "version": "2"}
    )
    assert r.status_code == 200, r.text
    assert "已交付 Delivered (download)" in r.text and "接口密钥 API key (" not in r.text
    assert get_case(settings, case.ref).state == "opened"
    assert case.ref not in chen.get("/console/opening/ziranziyuan").text  # nothing owed now


def test_a_reprocessed_complaint_is_reopened_with_a_reason(staff, settings, complaint):
    staff_actor = parse_actor("赵开放:open_data_staff@dashuju")
    complaints.decide(settings, complaint, "verify", actor=staff_actor, reason="部分属实")
    complaints.decide(settings, complaint, "reprocess", actor=staff_actor, reason="删除手机号列")
    zhao = staff("zhao", "open_data_staff@dashuju")
    page = zhao.get("/console/complaints").text
    assert "重新开放 reopen" in page and 'placeholder="可选 optional"' in page
    form = {"event": "reopen", "version": "3", "reason": "已重新处理并发布"}
    # not before a new build of the processed data: the rule's message, nothing changes
    r = zhao.post(f"/console/opening/cases/{complaint}/events", form)
    assert r.status_code == 409 and "rebuild it after processing" in r.text
    assert get_case(settings, complaint).state == "reprocessing"
    releases.record_build(
        settings,
        QIYE,
        version=2,
        path=Path(settings.lake_root) / "releases" / QIYE / "v2",
        rows=2,
        data_sha256="1" * 64,
        built_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        actor="builder",
        as_of=dt.date.today(),
        previous=releases.status(settings, QIYE),
    )
    r = zhao.post(
        f"/console/opening/cases/{complaint}/events",
        {**form, "back": "/console/complaints"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert get_case(settings, complaint).state == "reopened"
    [ev] = [e for e in events(settings, subject=complaint) if e.action.endswith(".reopen")]
    assert ev.actor == "zhao" and "已重新处理并发布" in str(ev.data)
