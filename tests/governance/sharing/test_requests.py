"""Share requests through the case engine (GX-Dispatch art. 29): every step, its deadline in
working days across the 2026 National Day holiday, pauses, refusals, permissions and the
audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from jutong.governance.audit import events, verify
from jutong.governance.cases.actors import parse_actor
from jutong.governance.cases.clocks import clock_state
from jutong.governance.cases.engine import fire
from jutong.governance.cases.model import CaseError, PermissionDenied
from jutong.governance.cases.queries import clocks_of, get_case, list_cases, open_clocks
from jutong.governance.db import dispose_all
from jutong.governance.sharing.requests import request_share, share_flow
from jutong.workdays import CHINA_TZ, WorkCalendar

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)

D = dt.date
REQ = parse_actor("李科员:requester_staff@minzheng")
BUREAU = parse_actor("王审核:bureau_reviewer@dashuju")
PROV = parse_actor("张警官:provider_staff@gongan")


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def at(day: str, hour: int = 10) -> dt.datetime:
    d = D.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=CHINA_TZ)


def _request(settings, day="2026-09-29", resource="gongan.huji", **kw):
    return request_share(
        settings,
        actor=kw.pop("actor", REQ),
        resource=resource,
        items=kw.pop("items", ["name", "公民身份号码"]),
        purpose=kw.pop("purpose", "低保资格核查"),
        at=at(day),
        **kw,
    )


def _clock(settings, ref, state):
    return [c for c in clocks_of(settings, ref) if c.state == state][-1]


def test_a_doubt_opens_a_correction_ticket_for_the_provider_and_the_fix_resolves_it(settings):
    from jutong.governance.tickets import get_ticket, list_tickets

    case = _request(settings, day="2026-11-02")
    for ev, who, day in (
        ("pass", BUREAU, "2026-11-02"),
        ("approve", PROV, "2026-11-03"),
        ("push", BUREAU, "2026-11-03"),
        ("subscribe", REQ, "2026-11-04"),
    ):
        fire(settings, case.ref, ev, actor=who, at=at(day))
    assert list_tickets(settings) == []
    fire(settings, case.ref, "doubt", actor=REQ, reason="部分身份证号缺失", at=at("2026-11-05"))
    (t,) = list_tickets(settings)
    assert (t.department, t.kind, t.status) == ("gongan", "reported_error", "open")
    assert t.source_ref == f"{case.ref}:doubt:1" and case.ref in t.subject
    assert t.details["share_request"] == case.ref and t.details["requester"] == "minzheng"
    assert t.due_on == D(2026, 11, 12)  # GX-Reg art. 18: 5 working days
    # the ticket is a case of its own; the share transition's audit event names it
    assert get_case(settings, t.id).state == "open"
    (doubt,) = [e for e in events(settings, subject=case.ref) if e.action.endswith(".doubt")]
    assert doubt.data["effects"]["ticket"] == t.id

    fire(settings, case.ref, "fix", actor=PROV, reason="已补齐", at=at("2026-11-06"))
    t = get_ticket(settings, t.id)
    assert (t.status, t.resolved_by) == ("resolved", "张警官")
    assert get_case(settings, t.id).state == "resolved"
    # a second doubt: a second ticket, the first stays resolved
    fire(settings, case.ref, "doubt", actor=REQ, reason="地址字段为空", at=at("2026-11-09"))
    refs = sorted(x.source_ref for x in list_tickets(settings, status=None))
    assert refs == [f"{case.ref}:doubt:1", f"{case.ref}:doubt:2"]
    assert verify(settings).ok


def test_region_flow_across_national_day(settings):
    case = _request(settings)  # Tue 2026-09-29
    assert (case.ref, case.state, case.flow) == ("SR-000001", "submitted", "region")
    assert case.data["items"] == ["name", "id_number"] and case.provider == "gongan"
    # bureau review 2 wd: 09-30, (10-01..07 National Day) 10-08
    assert _clock(settings, case.ref, "submitted").due_on == D(2026, 10, 8)

    fire(settings, case.ref, "pass", actor=BUREAU, at=at("2026-10-08"))
    assert _clock(settings, case.ref, "submitted").status == "met"
    # provider 5 wd: 10-09, 10-10 (make-up Saturday), 10-12, 10-13, 10-14
    assert _clock(settings, case.ref, "provider_review").due_on == D(2026, 10, 14)

    # the provider asks for more information: its clock pauses with 4 working days left
    fire(settings, case.ref, "ask_info", actor=PROV, reason="请说明核查范围", at=at("2026-10-09"))
    c = _clock(settings, case.ref, "provider_review")
    assert (c.status, c.remaining_days) == ("paused", 4)
    assert get_case(settings, case.ref).state == "needs_info"
    fire(settings, case.ref, "supplement", actor=REQ, at=at("2026-10-13"))
    assert get_case(settings, case.ref).state == "provider_review"
    c = _clock(settings, case.ref, "provider_review")
    assert (c.status, c.due_on) == ("running", D(2026, 10, 19))  # 10-14, 15, 16, 19

    fire(settings, case.ref, "approve", actor=PROV, at=at("2026-10-15"))
    assert _clock(settings, case.ref, "approved").due_on == D(2026, 10, 19)  # bureau push 2 wd
    fire(settings, case.ref, "push", actor=BUREAU, at=at("2026-10-16"))
    fire(settings, case.ref, "subscribe", actor=REQ, at=at("2026-10-19"))
    fire(settings, case.ref, "doubt", actor=REQ, reason="部分身份证号缺失", at=at("2026-10-20"))
    assert _clock(settings, case.ref, "doubt").due_on == D(2026, 10, 23)  # provider 3 wd
    done = fire(settings, case.ref, "fix", actor=PROV, reason="已补齐", at=at("2026-10-26"))
    assert done.state == "subscribed"
    assert _clock(settings, case.ref, "doubt").status == "missed"  # fixed a day late

    actions = [e.action for e in events(settings, subject=case.ref)]
    assert actions == [
        "share_request.open",
        "share_request.pass",
        "share_request.ask_info",
        "share_request.supplement",
        "share_request.approve",
        "share_request.push",
        "share_request.subscribe",
        "share_request.doubt",
        "share_request.fix",
    ]
    assert verify(settings).ok


def test_refusal_needs_a_legal_basis_and_never_a_paper_application(settings):
    case = _request(settings)
    fire(settings, case.ref, "pass", actor=BUREAU, at=at("2026-09-30"))
    with pytest.raises(CaseError, match="legal basis"):
        fire(settings, case.ref, "refuse", actor=PROV, reason="不同意")
    with pytest.raises(CaseError, match="paper application"):
        fire(settings, case.ref, "refuse", actor=PROV, basis="请提交纸质申请材料")
    refused = fire(
        settings,
        case.ref,
        "refuse",
        actor=PROV,
        basis="《居民身份证法》第六条",
        at=at("2026-10-08"),
    )
    assert refused.state == "refused"
    fire(settings, case.ref, "push", actor=BUREAU, at=at("2026-10-09"))
    appealed = fire(settings, case.ref, "appeal", actor=REQ, reason="用途合法", at=at("2026-10-10"))
    assert appealed.state == "appealed"
    granted = fire(settings, case.ref, "grant", actor=BUREAU, reason="协调同意")
    assert granted.state == "granted"
    [ev] = [e for e in events(settings, subject=case.ref) if e.action.endswith(".refuse")]
    assert (
        ev.data["legal_basis"] == "《居民身份证法》第六条"
        and ev.data["rule"] == "GX-Dispatch art. 29(3)"
    )


def test_illegal_transition_and_denials_are_refused_and_denials_audited(settings):
    case = _request(settings)
    with pytest.raises(CaseError, match="'approve' is not allowed while the case is submitted"):
        fire(settings, case.ref, "approve", actor=PROV)
    with pytest.raises(PermissionDenied, match="for the bureau"):
        fire(settings, case.ref, "pass", actor=REQ)
    other = parse_actor("赵某:bureau_reviewer@renshe")  # a reviewer role, wrong department
    with pytest.raises(PermissionDenied):
        fire(settings, case.ref, "pass", actor=other)
    denied = list(events(settings, action="access.denied"))
    assert [(e.actor, e.data["event"]) for e in denied] == [("李科员", "pass"), ("赵某", "pass")]
    assert get_case(settings, case.ref).state == "submitted"


def test_unconditional_is_granted_at_once_and_negative_list_refused(settings):
    case = _request(settings, resource="shichang.qiye", items=["uscc", "企业名称"])
    assert case.state == "granted" and clocks_of(settings, case.ref) == []
    [ev] = list(events(settings, subject=case.ref))
    assert ev.data["unconditional"] is True

    path = settings.catalog_dir / "renshe" / "shebao.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["share"] = {"type": "none", "legal_basis": "《社会保险法》第八十一条"}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CaseError, match="negative list.*社会保险法"):
        _request(settings, resource="renshe.shebao", items=["name"])
    assert [e.action for e in events(settings, action="share_request.refused")] == [
        "share_request.refused"
    ]
    assert len(list_cases(settings)) == 1


def test_bad_requests_are_refused_with_the_reason(settings):
    with pytest.raises(CaseError, match="no data item"):
        _request(settings, items=["salary"])
    with pytest.raises(CaseError, match="purpose"):
        _request(settings, purpose=" ")
    with pytest.raises(CaseError, match="own data"):
        _request(settings, actor=parse_actor("a:requester_staff@gongan"))
    with pytest.raises(CaseError, match="not on the share list"):
        _request(settings, resource="gongan.nothing")


def test_deadline_past_the_calendar_is_provisional(settings):
    case = _request(settings, day="2026-12-30")  # bureau 2 wd: 12-31, then 2027 (no data)
    c = _clock(settings, case.ref, "submitted")
    assert c.provisional and c.due_on == D(2027, 1, 4)  # Jan 1 off, weekend off


def test_provisional_clocks_are_recomputed_when_the_year_is_entered(settings):
    """The bureau enters a (made-up) 2027 arrangement with Jan 4 off: the running provisional
    clock becomes final on Jan 5, audited; a resumed clock counts from its resume day; the SLA
    sweep does the same; nothing changes twice."""
    from jutong.governance.cases.recompute import recompute_clocks
    from jutong.governance.sla import sweep

    case = _request(settings, day="2026-12-30")
    other = _request(settings, day="2026-12-30", resource="gongan.huji")
    fire(settings, other.ref, "pass", actor=BUREAU, at=at("2026-12-30", 11))
    # provider 5 wd from 12-30: 12-31, (Jan 1 off), 1-4 … 1-7, provisional; paused the same day
    # with 5 working days left, resumed on 12-31: 1-4 … 1-8, provisional
    paused = fire(
        settings, other.ref, "ask_info", actor=PROV, at=at("2026-12-30", 12), reason="缺少用途说明"
    )
    assert paused.state == "needs_info"
    fire(settings, other.ref, "supplement", actor=REQ, at=at("2026-12-31", 9))
    before = _clock(settings, other.ref, "provider_review")
    assert before.provisional and before.due_on == D(2027, 1, 8)
    assert recompute_clocks(settings) == ([], 0)  # nothing new known: no change, no event
    path = settings.catalog_dir / "jurisdiction.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["calendar"] = {
        "extra_holidays": ["2027-01-01", "2027-01-04"],
        "covered_through": "2027-12-31",
    }
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    changed, unknown = recompute_clocks(settings, actor="王科长")
    assert unknown == 0
    got = {(r.case, r.state): (r.was, r.now, r.provisional) for r in changed}
    assert got == {
        (case.ref, "submitted"): (D(2027, 1, 4), D(2027, 1, 5), False),
        # counted again from the resume day: 1-5 … 1-8, then 1-11 (Jan 4 off, a weekend)
        (other.ref, "provider_review"): (D(2027, 1, 8), D(2027, 1, 11), False),
    }
    c = _clock(settings, case.ref, "submitted")
    assert c.due_on == D(2027, 1, 5) and not c.provisional
    evs = [e for e in events(settings, action="deadline.recompute") if e.subject == case.ref]
    assert len(evs) == 1 and evs[0].actor == "王科长" and evs[0].data["to"] == "2027-01-05"
    assert recompute_clocks(settings) == ([], 0)  # idempotent
    assert sweep(settings, now=at("2027-01-02"), checkpoint=False).recomputed == 0
    assert verify(settings).ok


def test_due_soon_and_overdue(settings):
    case = _request(settings, day="2026-11-02")  # Mon: bureau due Wed 11-04
    cal = WorkCalendar.from_catalog(settings)
    c = _clock(settings, case.ref, "submitted")
    assert clock_state(cal, status=c.status, due_on=c.due_on, as_of=D(2026, 11, 2)) == "running"
    assert clock_state(cal, status=c.status, due_on=c.due_on, as_of=D(2026, 11, 3)) == "due_soon"
    assert clock_state(cal, status=c.status, due_on=c.due_on, as_of=D(2026, 11, 4)) == "due"
    assert clock_state(cal, status=c.status, due_on=c.due_on, as_of=D(2026, 11, 5)) == "overdue"
    [(got, clock)] = open_clocks(settings)
    assert got.ref == case.ref and clock.state == "submitted"


def test_suspension_and_revocation(settings):
    case = _request(settings)
    for ev, who in (("pass", BUREAU), ("approve", PROV), ("push", BUREAU), ("subscribe", REQ)):
        fire(settings, case.ref, ev, actor=who)
    assert (
        fire(settings, case.ref, "suspend", actor=BUREAU, reason="超范围使用").state == "suspended"
    )
    with pytest.raises(CaseError, match="legal basis"):
        fire(settings, case.ref, "revoke", actor=PROV)
    gone = fire(settings, case.ref, "revoke", actor=PROV, basis="GX-Dispatch art. 41")
    assert gone.state == "revoked" and gone.closed
    with pytest.raises(CaseError, match="closed \\(revoked\\)"):
        fire(settings, case.ref, "reinstate", actor=BUREAU, reason="x")


def test_flow_comes_from_the_jurisdiction(settings):
    from jutong.catalog.loader import load_catalog

    cat = load_catalog(settings.catalog_dir)
    assert share_flow(cat) == "region"
    cat.jurisdiction["jurisdiction"] = {"level": "city", "division_code": "450200"}
    assert share_flow(cat) == "liuzhou"
    cat.jurisdiction["jurisdiction"] = {"level": "city", "division_code": "450300"}
    assert share_flow(cat) == "city"
    cat.jurisdiction["sharing"] = {"flow": "region"}
    assert share_flow(cat) == "region"
