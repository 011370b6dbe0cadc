"""Correction tickets, the clerical review queue and release complaints through the API:
roles decide, every change is audited."""

from __future__ import annotations

import datetime as dt

from jutong.base.review import sync_pending
from jutong.governance import releases as rel
from jutong.governance.audit import events, verify
from jutong.governance.tickets import open_ticket
from tests.web.api.errors import assert_error


def _ticket(settings, department="gongan", ref="test:1"):
    return open_ticket(
        settings,
        department=department,
        kind="reported_error",
        subject=f"{department}: reported error",
        source_ref=ref,
        opened_at=dt.datetime(2026, 9, 29, 2, 0),  # 10:00 Beijing, Tue
        opened_by="tester",
    )


def test_tickets_list_get_resolve_extend(client, settings, make_user):
    t1 = _ticket(settings)
    _ticket(settings, "minzheng", "test:2")
    prov = make_user("zhang", "provider_staff@gongan")
    other = make_user("chen", "provider_staff@minzheng")
    bureau = make_user("wang", "bureau_reviewer@dashuju")
    # a provider sees its own department's tickets only
    page = client.get("/api/v1/tickets", headers=prov).json()
    assert [t["id"] for t in page["items"]] == [t1.id]
    assert client.get("/api/v1/tickets", headers=bureau).json()["total"] == 2
    got = client.get(f"/api/v1/tickets/{t1.id}", headers=prov).json()
    # GX-Reg art. 18: 5 wd from Tue 29 Sep 2026 across National Day: 30 Sep, 8, 9, 10, 12 Oct
    assert got["due_on"] == "2026-10-12" and got["history"][0]["event"] == "open"
    assert_error(client.get(f"/api/v1/tickets/{t1.id}", headers=other), 403, "forbidden")
    assert_error(client.get("/api/v1/tickets/T-999999", headers=prov), 404, "not_found")

    r = client.post(f"/api/v1/tickets/{t1.id}/resolve", headers=other, json={"note": "x"})
    assert_error(r, 403, "forbidden")
    r = client.post(f"/api/v1/tickets/{t1.id}/resolve", headers=bureau, json={"note": "x"})
    assert_error(r, 403, "forbidden", "tickets.manage")
    r = client.post(
        f"/api/v1/tickets/{t1.id}/extend",
        headers=prov,
        json={"days": 6, "approved_by": "科长", "reason": "数据量大"},
    )
    assert_error(r, 422, "invalid", "days")
    r = client.post(
        f"/api/v1/tickets/{t1.id}/extend",
        headers=prov,
        json={"days": 3, "approved_by": "刘科长", "reason": "数据量大"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["due_on"] == "2026-10-15" and r.json()["extension_days"] == 3
    r = client.post(
        f"/api/v1/tickets/{t1.id}/extend",
        headers=prov,
        json={"days": 1, "approved_by": "刘科长", "reason": "again"},
    )
    assert_error(r, 409, "refused", "already extended once")
    r = client.post(f"/api/v1/tickets/{t1.id}/resolve", headers=prov, json={"note": "已核实更正"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert r.json()["resolved_by"] == "zhang"
    assert_error(
        client.post(f"/api/v1/tickets/{t1.id}/resolve", headers=prov, json={"note": "again"}),
        409,
        "refused",
        "already resolved",
    )
    trail = [(e.action, e.actor) for e in events(settings, subject=t1.id)]
    assert [a for a in trail if a[0] != "access.denied"] == [
        ("ticket.open", "tester"),
        ("ticket.extend", "刘科长"),
        ("ticket.resolve", "zhang"),
    ]
    # the three refusals above (read, resolve by another department, by a reviewer) too
    assert [a for a in trail if a[0] == "access.denied"] == [
        ("access.denied", "chen"),
        ("access.denied", "chen"),
        ("access.denied", "wang"),
    ]


def test_review_queue_read_and_decide(client, settings, make_user):
    sync_pending(
        settings,
        "population",
        [
            {
                "mention_id": "g:abc",
                "entity_id": "P-1",
                "match_probability": 0.71,
                "details": {
                    "left": {"name": "李四"},
                    "right": {"name": "李 四"},
                    "mentions": ["m1"],
                },
            }
        ],
    )
    qo = make_user("sun", "quality_owner@dashuju")
    req = make_user("li", "requester_staff@minzheng")
    page = client.get("/api/v1/review-items", headers=qo).json()
    [item] = page["items"]
    assert item["details"]["left"]["name"] == "李四" and item["status"] == "pending"
    assert_error(client.get("/api/v1/review-items", headers=req), 403, "forbidden")
    r = client.post(
        f"/api/v1/review-items/{item['id']}/decision", headers=qo, json={"decision": "maybe"}
    )
    assert_error(r, 422, "invalid", "decision")
    r = client.post(
        f"/api/v1/review-items/{item['id']}/decision",
        headers=qo,
        json={"decision": "accepted", "note": "同一人"},
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert r.json()["decided_by"] == "sun"
    r = client.post(
        f"/api/v1/review-items/{item['id']}/decision", headers=qo, json={"decision": "rejected"}
    )
    assert_error(r, 409, "refused", "already accepted")
    assert_error(
        client.post("/api/v1/review-items/999/decision", headers=qo, json={"decision": "rejected"}),
        404,
        "not_found",
    )
    [ev] = list(events(settings, action="review.accepted"))
    assert (ev.actor, ev.role, ev.data["entity_id"]) == ("sun", "quality_owner", "P-1")


def test_release_suspend_withdraw_restore_by_open_data_staff(client, settings, make_user, tmp_path):
    rel.record_build(
        settings,
        "qiye_registrations",
        version=1,
        path=tmp_path / "v1",
        rows=10,
        data_sha256="0" * 64,
        built_at=dt.datetime(2026, 11, 1),
        actor="builder",
        as_of=dt.date(2026, 11, 1),
        previous=None,
    )
    staff = make_user("zhou", "open_data_staff@dashuju")
    req = make_user("li", "requester_staff@minzheng")
    listed = client.get("/api/v1/releases", headers=req).json()
    by_id = {r["id"]: r for r in listed["items"]}
    assert by_id["qiye_registrations"]["status"] == "published"
    assert by_id["population_by_county_sex_age"]["status"] == "unpublished"
    r = client.post(
        "/api/v1/releases/qiye_registrations/suspend", headers=req, json={"reason": "投诉"}
    )
    assert_error(r, 403, "forbidden", "release.manage")
    r = client.post(
        "/api/v1/releases/qiye_registrations/suspend",
        headers=staff,
        json={"reason": "投诉：含个人信息"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "suspended" and r.json()["served"] is False
    assert not rel.is_served(settings, "qiye_registrations")
    r = client.post(
        "/api/v1/releases/qiye_registrations/suspend", headers=staff, json={"reason": "again"}
    )
    assert_error(r, 409, "refused", "it is suspended")
    r = client.post(
        "/api/v1/releases/qiye_registrations/restore", headers=staff, json={"reason": "核实无误"}
    )
    assert r.json()["status"] == "published"
    assert_error(
        client.post("/api/v1/releases/nope/withdraw", headers=staff, json={"reason": "x"}),
        404,
        "not_found",
    )
    assert_error(
        client.post("/api/v1/releases/qiye_registrations/withdraw", headers=staff, json={}),
        422,
        "invalid",
        "reason",
    )
    actions = [e.action for e in events(settings, subject="release:qiye_registrations")]
    assert actions == ["access.denied", "release.suspend", "release.restore"]
    assert verify(settings).ok
