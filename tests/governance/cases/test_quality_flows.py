"""Correction tickets (GX-Reg art. 18) and clerical review items as cases: every transition
through the engine with its audit event and clock, the illegal ones refused with their
message, permission denials audited, deadlines across National Day 2026 and past the
calendar's data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from jutong.base import review
from jutong.cli import main
from jutong.governance.audit import events, verify
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.engine import fire
from jutong.governance.cases.model import CaseError, PermissionDenied
from jutong.governance.cases.queries import clocks_of, get_case
from jutong.governance.cases.rules import Role, rules_rows
from jutong.governance.db import dispose_all
from jutong.governance.deadlines import recompute_provisional
from jutong.governance.tickets import (
    TicketError,
    extend_ticket,
    get_ticket,
    open_ticket,
    resolve_ticket,
)

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)

D = dt.date
PROVIDER = Actor("张工", Role.provider_staff, "gongan")
BUREAU_QO = Actor("孙质量", Role.quality_owner, "dashuju")


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def _ticket(settings, ref="gate:gongan.huji:b1", at=dt.datetime(2026, 9, 29, 2, 0)):
    """Received Tue 29 Sep 2026, 10:00 Beijing."""
    return open_ticket(
        settings,
        department="gongan",
        kind="blocked_batch",
        subject="gongan.huji batch b1 blocked: 12% invalid 公民身份号码",
        details={"dataset": "gongan.huji"},
        source_ref=ref,
        opened_at=at,
        opened_by="jutong",
    )


def _trail(settings, ref):
    return [
        (e.action, e.actor, e.role, e.department, e.data.get("from"), e.data.get("to"))
        for e in events(settings, subject=ref)
    ]


def test_the_rules_print_the_ticket_and_review_flows(capsys):
    rows = {(r[0], r[1], r[2]): r for r in rules_rows()}
    ext = rows[("ticket", "open", "extend")]
    assert ext[3:9] == (
        "extended",
        "provider|bureau",
        "provider_staff,quality_owner|bureau_admin,quality_owner",
        "reasons",
        "provider +1–5 wd",
        "GX-Reg art. 18",
    )
    assert rows[("ticket", "open", "resolve")][3] == "resolved"
    assert ("ticket", "extended", "extend") not in rows  # one extension only
    assert rows[("review", "pending", "accepted")][3:6] == (
        "merged",
        "bureau|any",
        "quality_owner,bureau_admin|quality_owner",
    )
    assert rows[("review", "pending", "rejected")][3] == "kept_apart"
    assert main(["cases", "rules", "--flow", "ticket"]) == 0
    out = capsys.readouterr().out
    assert "Correction ticket" in out and "GX-Reg art. 18" in out and "+1–5 wd" in out
    assert "opens in open (provider 5 wd, GX-Reg art. 18)" in out


def test_ticket_open_extend_resolve_across_national_day(settings):
    t = _ticket(settings)
    case = get_case(settings, t.id)
    assert (case.ref, case.kind, case.state, case.provider, case.requester) == (
        "T-000001",
        "ticket",
        "open",
        "gongan",
        "dashuju",
    )
    # GX-Reg art. 18: 5 wd: 30 Sep, (1–7 Oct off), 8, 9, Sat 10 (make-up day), Mon 12 Oct
    [k] = clocks_of(settings, t.id)
    assert (k.state, k.status, k.party, k.due_on, k.basis) == (
        "open",
        "running",
        "provider",
        D(2026, 10, 12),
        "GX-Reg art. 18",
    )
    assert t.due_on == k.due_on

    t = extend_ticket(
        settings, t.id, days=3, approved_by="刘科长", reason="数据量大", actor=PROVIDER
    )
    # one extension of 3 wd from the due day: 13, 14, 15 Oct; the ticket row follows the case
    assert (t.due_on, t.extension_days, t.extension_approved_by) == (D(2026, 10, 15), 3, "刘科长")
    case = get_case(settings, t.id)
    assert (case.state, case.version, case.data["days"]) == ("extended", 2, 3)
    first, second = clocks_of(settings, t.id)
    # recorded today, after 12 Oct 2026: the first clock was missed (an extension in time
    # would leave it "extended", neither met nor missed: see the migration test)
    assert (first.status, second.state, second.status, second.due_on) == (
        "missed",
        "extended",
        "running",
        D(2026, 10, 15),
    )

    t = resolve_ticket(settings, t.id, note="已核实更正", resolved_by="张工", actor=PROVIDER)
    assert t.status == "resolved"
    case = get_case(settings, t.id)
    assert (case.state, case.closed, case.version) == ("resolved", True, 3)
    assert clocks_of(settings, t.id)[-1].status in ("met", "missed")

    # one audit event per transition, naming who (role, department) and the states
    assert _trail(settings, t.id) == [
        ("ticket.open", "jutong", "quality_owner", "dashuju", None, None),
        ("ticket.extend", "刘科长", "provider_staff", "gongan", "open", "extended"),
        ("ticket.resolve", "张工", "provider_staff", "gongan", "extended", "resolved"),
    ]
    ext = next(e for e in events(settings, subject=t.id) if e.action == "ticket.extend")
    assert ext.data["clock"]["started"]["due_on"] == "2026-10-15"
    assert ext.data["recorded_by"] == "张工:provider_staff@gongan"
    assert ext.data["rule"] == "GX-Reg art. 18"
    assert verify(settings).ok


def test_ticket_resolved_directly_by_the_bureau_quality_owner(settings):
    t = _ticket(settings)
    t = resolve_ticket(settings, t.id, note="源头已更正", resolved_by="孙质量", actor=BUREAU_QO)
    assert t.status == "resolved" and get_case(settings, t.id).state == "resolved"
    [k] = clocks_of(settings, t.id)
    assert k.status == "missed"  # resolved today, long after 12 Oct 2026


def test_illegal_ticket_transitions_are_refused_with_their_message(settings):
    t = _ticket(settings)
    extend_ticket(settings, t.id, days=1, approved_by="刘科长", reason="r", actor=PROVIDER)
    # a second extension: not in the table (GX-Reg art. 18 allows one)
    with pytest.raises(CaseError, match=r"'extend' is not allowed while the case is extended"):
        fire(settings, t.id, "extend", actor=PROVIDER, reason="again", data={"days": 1})
    with pytest.raises(TicketError, match="already extended once"):
        extend_ticket(settings, t.id, days=1, approved_by="x", reason="again", actor=PROVIDER)
    resolve_ticket(settings, t.id, note="done", resolved_by="张工", actor=PROVIDER)
    with pytest.raises(CaseError, match=r"T-000001: closed \(resolved\); nothing more"):
        fire(settings, t.id, "resolve", actor=PROVIDER, reason="again")
    # the engine checks the extension's span itself
    other = _ticket(settings, "gate:gongan.huji:b2")
    with pytest.raises(CaseError, match="extends the deadline by 1 to 5 working days, not 6"):
        fire(settings, other.id, "extend", actor=PROVIDER, reason="r", data={"days": 6})
    with pytest.raises(CaseError, match="needs its reasons"):
        fire(settings, other.id, "resolve", actor=PROVIDER)
    assert get_case(settings, other.id).state == "open"


def test_ticket_permission_denials_are_audited(settings):
    t = _ticket(settings)
    for who in (
        Actor("陈", Role.provider_staff, "minzheng"),  # another department
        Actor("王", Role.bureau_reviewer, "dashuju"),  # the bureau, but not a role that may
    ):
        with pytest.raises(PermissionDenied, match="is for the provider \\(gongan\\)"):
            resolve_ticket(settings, t.id, note="x", resolved_by=who.user, actor=who)
    denied = [e for e in events(settings, subject=t.id) if e.action == "access.denied"]
    assert [(e.actor, e.department) for e in denied] == [("陈", "minzheng"), ("王", "dashuju")]
    assert get_ticket(settings, t.id).status == "open"


def test_provisional_ticket_deadline_and_its_recomputation_move_the_case_clock(settings):
    """Received Mon 28 Dec 2026: 5 wd reach past the calendar's data (2026-12-31): provisional
    on the ticket and its case clock; the 2027 arrangement entered makes both final."""
    t = _ticket(settings, at=dt.datetime(2026, 12, 28, 2, 0))
    [k] = clocks_of(settings, t.id)
    assert t.due_provisional and k.provisional and k.due_on == t.due_on == D(2027, 1, 5)
    path = settings.catalog_dir / "jurisdiction.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["calendar"] = {
        "extra_holidays": ["2027-01-01", "2027-01-04"],
        "extra_workdays": ["2027-01-09"],
        "covered_through": "2027-12-31",
    }
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    [r] = recompute_provisional(settings, actor="王科长")
    assert (r.now, r.provisional) == (D(2027, 1, 6), False)
    [k] = clocks_of(settings, t.id)
    assert (k.due_on, k.provisional) == (D(2027, 1, 6), False)
    # one recomputation, one audit event (the sweep's case-clock pass leaves tickets alone)
    from jutong.governance.cases.recompute import recompute_clocks

    assert recompute_clocks(settings)[0] == []
    assert len(list(events(settings, action="deadline.recompute"))) == 1


def test_cases_show_and_overdue_see_tickets(settings, capsys):
    t = _ticket(settings)
    assert main(["cases", "overdue", "--as-of", "2026-10-13", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["case"], row["step"], row["owed_by"], row["state"]) == (
        t.id,
        "open",
        "gongan",
        "overdue",
    )
    assert main(["cases", "show", t.id.lower(), "--as-of", "2026-10-09"]) == 0
    out = capsys.readouterr().out
    assert "T-000001" in out and "kind       ticket" in out and "state      open" in out
    assert "due 2026-10-12" in out and "GX-Reg art. 18" in out and "open" in out
    rc = main(
        [
            "tickets",
            "resolve",
            t.id,
            "--note",
            "已更正",
            "--as",
            "张工:requester_staff@gongan",
        ]
    )
    err = capsys.readouterr().err
    assert rc == 1 and "permission denied" in err and "provider_staff" in err
    assert (
        main(["tickets", "resolve", t.id, "--note", "已更正", "--as", "张工:quality_owner@gongan"])
        == 0
    )
    capsys.readouterr()
    assert main(["cases", "show", t.id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["state"] == "resolved"
    assert [h["action"] for h in shown["history"]] == [
        "ticket.open",
        "access.denied",
        "ticket.resolve",
    ]


def _pair(subject="g:abc", entity="P0000000007", p=0.8):
    return {
        "mention_id": subject,
        "entity_id": entity,
        "match_probability": p,
        "details": {"mentions": [f"renshe.shebao|b1|{subject[-1]}|person"]},
    }


def test_review_items_open_cases_and_decisions_fire_them(settings):
    review.sync_pending(settings, "population", [_pair(), _pair("g:def", "P0000000008")])
    first, second = review.list_items(settings)
    assert [get_case(settings, f"review:{i.id}").state for i in (first, second)] == [
        "pending",
        "pending",
    ]
    # the build's opening is one audit event for the batch
    [opened] = list(events(settings, action="review.open"))
    assert opened.subject == "review-queue:population"
    assert opened.data["cases"] == [f"review:{first.id}", f"review:{second.id}"]

    item = review.decide(
        settings,
        first.id,
        "accepted",
        by="孙质量",
        note="同一人",
        role="quality_owner",
        department="dashuju",
    )
    assert item.status == "accepted" and get_case(settings, f"review:{first.id}").state == "merged"
    review.decide(settings, second.id, "rejected", by="孙质量", note="不同人")
    case = get_case(settings, f"review:{second.id}")
    assert (case.state, case.closed) == ("kept_apart", True)
    [ev] = list(events(settings, action="review.rejected"))
    # who decided: the command line's default is the bureau's administrator
    assert (ev.actor, ev.role, ev.department, ev.data["from"], ev.data["to"]) == (
        "孙质量",
        "bureau_admin",
        "dashuju",
        "pending",
        "kept_apart",
    )
    assert ev.data["reason"] == "不同人" and ev.data["entity_id"] == "P0000000008"
    # decisions are applied by the next build exactly as before
    assert review.decisions(settings, "population") == {
        ("g:abc", "P0000000007"): "accepted",
        ("g:def", "P0000000008"): "rejected",
    }
    with pytest.raises(CaseError, match=r"review:1: closed \(merged\)"):
        fire(settings, f"review:{first.id}", "rejected", actor=BUREAU_QO)
    with pytest.raises(review.ReviewError, match="already accepted by 孙质量"):
        review.decide(settings, first.id, "rejected", by="x")


def test_review_decision_by_a_role_the_rules_do_not_name_is_denied_and_audited(settings):
    review.sync_pending(settings, "population", [_pair(), _pair("g:def", "P0000000008")])
    first, second = review.list_items(settings)
    with pytest.raises(PermissionDenied, match=r"is for the bureau \(dashuju\) as quality_owner"):
        review.decide(
            settings, first.id, "accepted", by="张工", role="provider_staff", department="gongan"
        )
    [ev] = list(events(settings, action="access.denied"))
    assert ev.subject == f"review:{first.id}" and ev.department == "gongan"
    assert review.list_items(settings)[0].status == "pending"
    # an item belongs to no department: a quality owner of any department decides it, as
    # before (catalog/roles.yaml review.decide; the demo's 陈质量 is renshe's)
    item = review.decide(
        settings, second.id, "rejected", by="陈质量", role="quality_owner", department="renshe"
    )
    assert item.status == "rejected" and get_case(settings, f"review:{second.id}").closed


def test_a_pair_no_longer_proposed_is_superseded_and_its_id_never_reused(settings):
    review.sync_pending(settings, "population", [_pair(), _pair("g:def", "P0000000008")])
    _, second = review.list_items(settings)
    review.sync_pending(settings, "population", [_pair()])  # g:def found a key
    assert [i.mention_id for i in review.list_items(settings)] == ["g:abc"]
    gone = get_case(settings, f"review:{second.id}")
    assert (gone.state, gone.closed) == ("superseded", True)
    [ev] = list(events(settings, action="review.supersede"))
    assert ev.subject == f"review:{second.id}" and ev.actor == "jutong-base-build"
    # proposed again later: a new item, a new case; the superseded one keeps its history
    review.sync_pending(settings, "population", [_pair(), _pair("g:def", "P0000000008")])
    again = review.list_items(settings)[-1]
    assert again.id > second.id and get_case(settings, f"review:{again.id}").state == "pending"
    assert verify(settings).ok


def test_an_extension_in_time_leaves_the_first_clock_extended(settings):
    from jutong.governance.db import utcnow

    t = _ticket(settings, "gate:gongan.huji:today", at=utcnow())
    extend_ticket(settings, t.id, days=5, approved_by="刘科长", reason="r", actor=PROVIDER)
    first, second = clocks_of(settings, t.id)
    assert (first.status, second.status) == ("extended", "running")
    assert second.due_on > first.due_on and second.started_on == first.closed_on


def test_the_sla_sweep_reminds_the_provider_and_escalates_an_overdue_ticket(settings):
    from jutong.governance.sla import sweep

    t = _ticket(settings)
    cn = dt.timezone(dt.timedelta(hours=8))
    due_day = sweep(settings, now=dt.datetime(2026, 10, 12, 9, 0, tzinfo=cn), checkpoint=False)
    assert f"{t.id} open" in due_day.reminders
    late = sweep(settings, now=dt.datetime(2026, 10, 13, 9, 0, tzinfo=cn), checkpoint=False)
    assert late.escalations == [f"{t.id} open"]
    [ev] = list(events(settings, action="sla.escalate"))
    assert (ev.subject, ev.department, ev.data["owed_by"]) == (t.id, "dashuju", "gongan")
    again = sweep(settings, now=dt.datetime(2026, 10, 13, 9, 15, tzinfo=cn), checkpoint=False)
    assert again.escalations == []  # idempotent
