"""The read endpoints: generic cases (filters, overdue), the overdue board, case rules, the
catalog, quality gate runs and the scorecard, the audit log and its verification."""

from __future__ import annotations

import datetime as dt

from jutong.quality.store import GateRun, record
from tests.web.api.errors import assert_error


def _ask(client, headers, day):
    r = client.post(
        "/api/v1/share-requests",
        headers=headers,
        json={"resource": "gongan.huji", "items": ["name"], "purpose": "核查", "at": day},
    )
    assert r.status_code == 201, r.text
    return r.json()["ref"]


def test_cases_overdue_board_and_generic_fire(client, make_user):
    req = make_user("li", "requester_staff@minzheng")
    bureau = make_user("wang", "bureau_admin@dashuju")
    other = make_user("chen", "requester_staff@renshe")
    late = _ask(client, req, "2026-09-29T10:00:00")  # review due 2026-10-08
    fresh = _ask(client, req, "2026-10-09T10:00:00")  # review due 10-12 (10-10 make-up Sat)
    q = {"as_of": "2026-10-12", "overdue": True}
    page = client.get("/api/v1/cases", headers=bureau, params=q).json()
    assert [c["ref"] for c in page["items"]] == [late]
    board = client.get("/api/v1/cases/overdue", headers=bureau, params={"as_of": "2026-10-12"})
    rows = {r["case"]: r for r in board.json()["items"]}
    assert rows[late]["state"] == "overdue" and rows[late]["owed_by"] == "dashuju"
    assert rows[fresh]["state"] == "due" and rows[fresh]["due_on"] == "2026-10-12"
    soon = client.get("/api/v1/cases/overdue", headers=bureau, params={"as_of": "2026-10-10"})
    assert {r["case"]: r["state"] for r in soon.json()["items"]} == {
        late: "overdue",
        fresh: "due_soon",
    }
    only = client.get(
        "/api/v1/cases/overdue",
        headers=bureau,
        params={"as_of": "2026-10-10", "overdue_only": True, "department": "dashuju"},
    ).json()
    assert [r["case"] for r in only["items"]] == [late]
    # own scope: another department sees none of it, and may not ask for minzheng's
    assert client.get("/api/v1/cases/overdue", headers=other).json()["total"] == 0
    r = client.get("/api/v1/cases", headers=other, params={"department": "minzheng"})
    assert_error(r, 403, "forbidden", "only renshe's records")

    detail = client.get(f"/api/v1/cases/{late}", headers=bureau, params={"as_of": "2026-10-12"})
    assert detail.headers["ETag"] == '"1"'
    assert detail.json()["clocks"][0]["state"] == "overdue"
    allowed = client.get(f"/api/v1/cases/{late}/events", headers=bureau).json()
    assert {e["event"] for e in allowed if e["allowed_for_you"]} == {"pass", "reject", "ask_info"}
    r = client.post(
        f"/api/v1/cases/{late}/events",
        headers=bureau,
        json={"event": "ask-info", "reason": "请补充用途说明", "version": 1},
    )
    assert r.status_code == 200, r.text
    paused = r.json()
    assert paused["state"] == "needs_info" and paused["clocks"][0]["status"] == "paused"
    r = client.post(
        f"/api/v1/cases/{late}/events",
        headers={**bureau, "If-Match": '"2"'},
        json={"event": "pass", "version": 1},
    )
    assert_error(r, 400, "bad_request", "differ")


def test_rules_catalog_quality_and_audit(client, settings, make_user):
    req = make_user("li", "requester_staff@minzheng")
    prov = make_user("zhang", "provider_staff@gongan")
    auditor = make_user("shen", "auditor@dashuju")
    rules = client.get("/api/v1/cases/rules", headers=req, params={"flow": "region"}).json()
    [region] = rules
    assert region["clocks"]["provider_review"] == {
        "owed_by": "provider",
        "working_days": 5,
        "label": "provider decision",
        "basis": "GX-Dispatch art. 29(3)",
    }
    refuse = next(t for t in region["transitions"] if t["event"] == "refuse")
    assert refuse["needs_basis"] and refuse["roles"] == ["provider_staff"]
    assert_error(
        client.get("/api/v1/cases/rules", headers=req, params={"flow": "x"}), 404, "not_found"
    )

    entries = client.get("/api/v1/catalog/entries", headers=req, params={"department": "gongan"})
    assert [e["id"] for e in entries.json()["items"]] == ["gongan.huji"]
    entry = client.get("/api/v1/catalog/entries/gongan.huji", headers=req).json()
    assert entry["share"]["type"] == "conditional" and entry["items"][0]["name"]
    assert_error(client.get("/api/v1/catalog/entries/x.y", headers=req), 404, "not_found")
    shared = client.get("/api/v1/catalog/share-list", headers=req, params={"kind": "base"}).json()[
        "items"
    ]
    assert {r["id"] for r in shared} == {"base.population", "base.legal_entity"}
    assert all(r["provider"] == "dashuju" for r in shared)
    one = client.get("/api/v1/catalog/share-list/theme.ss_insurance_coverage", headers=req)
    assert one.json()["kind"] == "theme" and one.json()["share"]["type"] == "unconditional"
    assert (
        client.get("/api/v1/catalog/share-list/gongan.huji", headers=req).json()["source_table"]
        == "staging.gongan__huji"
    )
    assert_error(client.get("/api/v1/catalog/share-list/base.x", headers=req), 404, "not_found")
    depts = {d["id"] for d in client.get("/api/v1/catalog/departments", headers=req).json()}
    assert {"gongan", "minzheng", "dashuju"} <= depts

    for dataset, dept, status in (
        ("gongan.huji", "gongan", "passed"),
        ("renshe.shebao", "renshe", "blocked"),
    ):
        record(
            settings,
            GateRun(
                dataset=dataset,
                department=dept,
                batch_id="b1",
                status=status,
                rows_in=10,
                published=10 if status == "passed" else 0,
                quarantined=0,
                evaluated=4,
                failures=[],
                outcomes=[],
                scores={"completeness": 1.0},
                ticket=None,
                as_of=dt.date(2026, 11, 1),
                gated_at=dt.datetime(2026, 11, 1, 3),
            ),
        )
    runs = client.get("/api/v1/quality/gate-runs", headers=prov).json()
    assert [r["dataset"] for r in runs["items"]] == ["gongan.huji"]  # own department only
    card = client.get("/api/v1/quality/scorecard", headers=auditor).json()
    assert [(c["dataset"], c["status"]) for c in card] == [
        ("gongan.huji", "passed"),
        ("renshe.shebao", "blocked"),
    ]
    blocked = client.get(
        "/api/v1/quality/gate-runs", headers=auditor, params={"status": "blocked"}
    ).json()
    assert blocked["total"] == 1
    assert_error(client.get("/api/v1/quality/gate-runs", headers=req), 403, "forbidden")

    _ask(client, req, "2026-11-02T10:00:00")
    log = client.get(
        "/api/v1/audit/events", headers=auditor, params={"subject": "SR-000001"}
    ).json()
    assert log["total"] == 1 and log["items"][0]["action"] == "share_request.open"
    newest = client.get(
        "/api/v1/audit/events", headers=auditor, params={"limit": 1, "newest_first": True}
    ).json()
    assert newest["next"] and newest["items"][0]["seq"] == newest["total"]
    report = client.get("/api/v1/audit/verify", headers=auditor).json()
    assert report["ok"] and report["events"] == newest["total"]
    assert_error(client.get("/api/v1/audit/verify", headers=req), 403, "forbidden")
    assert_error(client.get("/api/v1/evaluation/departments", headers=req), 403, "forbidden")
