"""A quality owner's tickets, gate runs and review queue; open-data staff's releases — each
action through the console's forms, audited by the core, refused loudly when incomplete."""

from __future__ import annotations

import datetime as dt

from jutong.base.review import list_items, sync_pending
from jutong.governance import releases as rel
from jutong.governance.audit import events
from jutong.governance.tickets import get_ticket, open_ticket
from jutong.quality.store import GateRun, record


def _pair(settings):
    sync_pending(
        settings,
        "population",
        [
            {
                "mention_id": "g:abc",
                "entity_id": "P-1",
                "match_probability": 0.71,
                "details": {
                    "mention": {"name": "李四", "birth_date": "1990-01-02"},
                    "entity": {"name": "李 四", "birth_date": "1990-01-02"},
                    "mentions": ["m1", "m2"],
                },
            }
        ],
    )
    return list_items(settings)[0].id


def test_quality_owner_accepts_a_review_pair_side_by_side(staff, settings):
    item = _pair(settings)
    sun = staff("sun", "quality_owner@dashuju")
    queue = sun.get("/console/review")
    assert queue.status_code == 200 and f'href="/console/review/{item}"' in queue.text
    page = sun.get(f"/console/review/{item}")
    assert page.status_code == 200
    # the two records side by side, the differing field marked
    assert '<td class="differs">李四</td><td class="differs">李 四</td>' in page.text
    assert "<td>1990-01-02</td><td>1990-01-02</td>" in page.text
    assert "m1, m2" in page.text

    r = sun.post(f"/console/review/{item}", {"decision": "maybe"})
    assert r.status_code == 422 and list_items(settings)[0].status == "pending"
    r = sun.post(
        f"/console/review/{item}",
        {"decision": "accepted", "note": "同一人，空格差异"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/console/review?done=accepted&id={item}"
    assert "pair accepted" in sun.get(r.headers["location"]).text
    [decided] = list_items(settings, status="accepted")
    assert (decided.decided_by, decided.note) == ("sun", "同一人，空格差异")
    [ev] = [e for e in events(settings, action="review.accepted")]
    assert (ev.actor, ev.role, ev.department) == ("sun", "quality_owner", "dashuju")
    # deciding twice is refused with the core's message
    r = sun.post(f"/console/review/{item}", {"decision": "rejected"})
    assert r.status_code == 409 and "already accepted" in r.text


def test_tickets_resolve_and_extend_as_the_cli_does(staff, settings):
    t = open_ticket(
        settings,
        department="gongan",
        kind="reported_error",
        subject="gongan: reported error",
        source_ref="test:1",
        opened_at=dt.datetime(2026, 9, 29, 2, 0),
        opened_by="tester",
    )
    open_ticket(
        settings,
        department="minzheng",
        kind="reported_error",
        subject="minzheng: reported error",
        source_ref="test:2",
        opened_at=dt.datetime(2026, 9, 29, 2, 0),
        opened_by="tester",
    )
    zhang = staff("zhang", "provider_staff@gongan")
    page = zhang.get("/console/tickets")
    assert t.id in page.text and "minzheng: reported error" not in page.text
    assert "已超期 overdue" in page.text  # due 2026-10-12, long past
    r = zhang.post(
        f"/console/tickets/{t.id}/extend", {"days": "9", "approved_by": "刘科长", "reason": "x"}
    )
    assert r.status_code == 422 and "days" in r.text
    assert get_ticket(settings, t.id).extension_days is None
    r = zhang.post(
        f"/console/tickets/{t.id}/extend",
        {"days": "3", "approved_by": "刘科长", "reason": "数据量大"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert get_ticket(settings, t.id).due_on == dt.date(2026, 10, 15)
    r = zhang.post(f"/console/tickets/{t.id}/resolve", {"note": " "})
    assert r.status_code == 422 and get_ticket(settings, t.id).status == "open"
    r = zhang.post(f"/console/tickets/{t.id}/resolve", {"note": "已更正"}, follow_redirects=False)
    assert r.status_code == 303
    done = get_ticket(settings, t.id)
    assert (done.status, done.resolved_by) == ("resolved", "zhang")


def test_a_ticket_has_its_case_page_with_state_clock_and_history(staff, settings):
    t = open_ticket(
        settings,
        department="gongan",
        kind="reported_error",
        subject="gongan: reported error",
        source_ref="SR-000001:doubt:1",
        opened_at=dt.datetime(2026, 9, 29, 2, 0),
        opened_by="tester",
    )
    zhang = staff("zhang", "provider_staff@gongan")
    listing = zhang.get("/console/tickets")
    assert f'href="/console/cases/{t.id}"' in listing.text  # each ticket links to its case
    page = zhang.get(f"/console/cases/{t.id}")
    assert page.status_code == 200
    text = page.text
    assert "承办部门 Department responsible" in text and "工单类型 Ticket kind" in text
    assert "使用部门 Requester" not in text  # a ticket has no requester
    assert "2026-10-12" in text and "已超期 overdue" in text  # the clock, GX-Reg art. 18
    assert "ticket.open" in text and "SR-000001:doubt:1" in text  # the history
    # the ticket's own forms: an extension needs its days and who approved it
    assert f'action="/console/tickets/{t.id}/extend"' in text and 'name="approved_by"' in text
    back = f"/console/cases/{t.id}"
    r = zhang.post(f"/console/tickets/{t.id}/extend", {"days": "9", "back": back})
    assert r.status_code == 422 and "承办部门" in r.text  # the case page again, nothing done
    assert get_ticket(settings, t.id).extension_days is None
    r = zhang.post(
        f"/console/tickets/{t.id}/extend",
        {"days": "2", "approved_by": "刘科长", "reason": "数据量大", "back": back},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(back + "?done=extend")
    page = zhang.get(r.headers["location"]).text
    assert "延期 extend ✓" in page and "2026-10-14" in page and "ticket.extend" in page
    assert f'action="/console/tickets/{t.id}/extend"' not in page  # extended once only
    r = zhang.post(
        f"/console/tickets/{t.id}/resolve",
        {"note": "已更正", "back": back},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = zhang.get(r.headers["location"]).text
    assert "办结 resolve ✓" in page and "resolved" in page
    assert "Nothing you may do on this case now" in page
    # another department's staff may not read it
    li = staff("li", "provider_staff@minzheng")
    assert li.get(back).status_code == 403


def test_gate_runs_with_their_scores_and_charts(staff, settings):
    for batch, acc in (("b1", 80.0), ("b2", 95.5)):
        record(
            settings,
            GateRun(
                dataset="gongan.huji",
                department="gongan",
                batch_id=batch,
                status="passed",
                rows_in=10,
                published=10,
                quarantined=0,
                evaluated=10,
                failures=[],
                outcomes=[],
                scores={
                    "conformity": 100.0,
                    "completeness": 90.0,
                    "accuracy": acc,
                    "consistency": 100.0,
                    "timeliness": 100.0,
                    "usability": 100.0,
                },
                ticket=None,
                as_of=dt.date(2026, 11, 30),
                gated_at=dt.datetime(2026, 11, 30, 1, 0),
            ),
        )
    zhang = staff("zhang", "provider_staff@gongan")
    page = zhang.get("/console/quality")
    assert page.status_code == 200
    assert page.text.count('<svg class="chart"') == 2  # the latest run's bars, the trend line
    assert "<title>gongan.huji: six-dimension scores of batch b2</title>" in page.text
    assert "<td>95.5</td>" in page.text and "<td>80.0</td>" in page.text
    assert "准确性" in page.text


def test_open_data_staff_suspend_and_restore_a_release_with_a_reason(staff, settings):
    rel.record_build(
        settings,
        "test-release",
        version=1,
        path=settings.lake_root / "releases" / "test-release" / "v1",
        rows=3,
        data_sha256="0" * 64,
        built_at=dt.datetime(2026, 11, 30, 1, 0),
        actor="tester",
        as_of=dt.date(2026, 11, 30),
        previous=None,
    )
    zhou = staff("zhou", "open_data_staff@dashuju")
    page = zhou.get("/console/releases")
    assert "test-release" in page.text and "开放中 published" in page.text
    assert "/console/releases/test-release/suspend" in page.text
    assert "/console/releases/test-release/restore" not in page.text
    r = zhou.post("/console/releases/test-release/suspend", {"reason": ""})
    assert r.status_code == 422 and "GX-Open art. 22" in r.text
    assert rel.status(settings, "test-release") is rel.Status.published
    r = zhou.post(
        "/console/releases/test-release/suspend",
        {"reason": "投诉：含个人信息"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert rel.status(settings, "test-release") is rel.Status.suspended
    page = zhou.get(r.headers["location"])
    assert "已暂停 suspended" in page.text and "投诉：含个人信息" in page.text
    r = zhou.post("/console/releases/test-release/suspend", {"reason": "again"})
    assert r.status_code == 409 and "allowed from" in r.text
    r = zhou.post(
        "/console/releases/test-release/restore", {"reason": "核实无误"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert rel.status(settings, "test-release") is rel.Status.published
    actions = [e.action for e in events(settings) if e.subject == "release:test-release"]
    assert actions[-2:] == ["release.suspend", "release.restore"]


def test_long_lists_come_a_page_at_a_time_and_unknown_pages_are_404(staff, settings):
    sync_pending(
        settings,
        "population",
        [
            {"mention_id": f"g:{i:03}", "entity_id": "P-1", "match_probability": 0.7}
            for i in range(101)
        ],
    )
    sun = staff("sun", "quality_owner@dashuju")
    first = sun.get("/console/review")
    assert "rows 1–100 of 101" in first.text and first.text.count("<code>g:") == 100
    assert 'href="/console/review?offset=100"' in first.text
    second = sun.get("/console/review?offset=100")
    assert "<code>g:100</code>" in second.text and "<code>g:000</code>" not in second.text
    assert 'href="/console/review?offset=0"' in second.text
    assert sun.get("/console/review?offset=-1").status_code == 400
    missing = sun.get("/console/no-such-page")
    assert missing.status_code == 404 and "没有这个页面" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
