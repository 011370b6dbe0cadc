"""A share request driven end to end through the API as requester, bureau and provider
(GX-Dispatch art. 29), deadlines across the 2026 National Day holiday, optimistic concurrency,
audit events, and a department kept out of another's requests and deliveries."""

from __future__ import annotations

import pytest

from jutong.governance.audit import events, verify
from tests.web.api.errors import assert_error

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)


@pytest.fixture()
def people(make_user):
    return {
        "req": make_user("li", "requester_staff@minzheng"),
        "bureau": make_user("wang", "bureau_reviewer@dashuju"),
        "prov": make_user("zhang", "provider_staff@gongan"),
        "other": make_user("chen", "requester_staff@renshe"),
    }


def _clock(detail: dict, step: str) -> dict:
    return [c for c in detail["clocks"] if c["step"] == step][-1]


def _fire(client, who, ref, event, version, at, **extra):
    r = client.post(
        f"/api/v1/share-requests/{ref}/events",
        headers={**who, "If-Match": f'"{version}"'},
        json={"event": event, "at": at, **extra},
    )
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == f'"{r.json()["version"]}"'
    return r.json()


def test_region_flow_end_to_end_across_national_day(client, people, settings):
    r = client.post(
        "/api/v1/share-requests",
        headers=people["req"],
        json={
            "resource": "gongan.huji",
            "items": ["name", "公民身份号码"],
            "purpose": "低保资格核查",
            "at": "2026-09-29T10:00:00",  # Tue, Beijing time
        },
    )
    assert r.status_code == 201, r.text
    case = r.json()
    ref = case["ref"]
    assert r.headers["Location"] == f"/api/v1/share-requests/{ref}"
    assert (case["state"], case["flow"], case["version"]) == ("submitted", "region", 1)
    # bureau review 2 wd: 09-30, then 10-01..07 National Day, 10-08
    review = _clock(case, "submitted")
    assert (review["due_on"], review["department"], review["basis"]) == (
        "2026-10-08",
        "dashuju",
        "GX-Dispatch art. 29(2)",
    )
    # the requester sees which events exist now and that it may fire only withdraw
    mine = {e["event"]: e["allowed_for_you"] for e in case["events_allowed"]}
    assert mine["withdraw"] and not mine["pass"]

    case = _fire(client, people["bureau"], ref, "pass", 1, "2026-10-08T09:00:00")
    assert case["state"] == "provider_review" and case["version"] == 2
    assert _clock(case, "submitted")["status"] == "met"
    # provider 5 wd from 10-08: 10-09, 10-10 (make-up Saturday), 10-12, 10-13, 10-14
    assert _clock(case, "provider_review")["due_on"] == "2026-10-14"

    case = _fire(client, people["prov"], ref, "approve", 2, "2026-10-13T15:00:00")
    assert case["state"] == "approved"
    # push 2 wd from 10-13: 10-14, 10-15
    assert _clock(case, "approved")["due_on"] == "2026-10-15"
    case = _fire(client, people["bureau"], ref, "push", 3, "2026-10-16T09:00:00")
    assert case["state"] == "granted"
    assert _clock(case, "approved")["status"] == "missed"  # pushed a day late
    case = _fire(client, people["req"], ref, "subscribe", 4, "2026-10-16T10:00:00")
    assert (case["state"], case["version"]) == ("subscribed", 5)

    # every step is in the case's history and in the verified audit chain
    actions = [h["action"] for h in case["history"]]
    assert actions == [
        "share_request.open",
        "share_request.pass",
        "share_request.approve",
        "share_request.push",
        "share_request.subscribe",
    ]
    assert [h["actor"] for h in case["history"]] == ["li", "wang", "zhang", "wang", "li"]
    assert verify(settings).ok

    # the overdue board and the department evaluation see the late push
    ev = client.get(
        "/api/v1/evaluation/departments", headers=people["bureau"], params={"as_of": "2026-10-20"}
    ).json()
    dashuju = next(d for d in ev["departments"] if d["department"] == "dashuju")
    assert (dashuju["steps_closed"], dashuju["steps_met"]) == (2, 1)


def test_refusal_needs_its_legal_basis_and_a_stale_version_is_409(client, people, settings):
    ref = client.post(
        "/api/v1/share-requests",
        headers=people["req"],
        json={"resource": "gongan.huji", "items": ["name"], "purpose": "核查"},
    ).json()["ref"]
    _fire(client, people["bureau"], ref, "pass", 1, None)
    # a refusal without a legal basis is refused, nothing changes
    r = client.post(
        f"/api/v1/share-requests/{ref}/events",
        headers=people["prov"],
        json={"event": "refuse", "reason": "不需要", "version": 2},
    )
    assert_error(r, 409, "refused", "legal basis")
    # someone else acts first; the provider's copy (version 1) is stale
    r = client.post(
        f"/api/v1/share-requests/{ref}/events",
        headers={**people["prov"], "If-Match": '"1"'},
        json={"event": "approve"},
    )
    err = assert_error(r, 409, "stale_version", "version 1", "now version 2")
    assert err["details"]["current_version"] == 2 and r.headers["ETag"] == '"2"'
    assert client.get(f"/api/v1/share-requests/{ref}", headers=people["prov"]).json()["state"] == (
        "provider_review"
    )
    case = _fire(
        client, people["prov"], ref, "refuse", 2, None, basis="《居民身份证法》第六条", reason="x"
    )
    assert case["state"] == "refused"
    [ev] = list(events(settings, subject=ref, action="share_request.refuse"))
    assert ev.data["legal_basis"] == "《居民身份证法》第六条" and ev.data["version"] == 3


def _delivery(settings, ref):
    """A delivery row as ``jutong share deliver`` records it (the build is tested in
    tests/masking; here only what the API shows of it)."""
    import datetime as dt

    import sqlalchemy as sa

    from jutong.governance.db import engine
    from jutong.governance.schema import cases, share_deliveries

    with engine(settings).begin() as conn:
        seq = conn.execute(sa.select(cases.c.seq).where(cases.c.ref == ref)).scalar_one()
        conn.execute(
            sa.insert(share_deliveries).values(
                case_seq=seq,
                version=1,
                status="active",
                rows=3,
                excluded_rows=1,
                source_table="staging.gongan__huji",
                source_snapshot=1,
                share_table="share.sr_000001",
                share_snapshot=2,
                path="lake/share/SR-000001/v1",
                sha256="0" * 64,
                delivered_at=dt.datetime(2026, 11, 2, 3),
                delivered_by="airflow",
            )
        )


def test_another_department_cannot_read_the_case_or_its_deliveries(client, people, settings):
    ref = client.post(
        "/api/v1/share-requests",
        headers=people["req"],
        json={"resource": "gongan.huji", "items": ["name"], "purpose": "核查"},
    ).json()["ref"]
    r = client.get(f"/api/v1/share-requests/{ref}", headers=people["other"])
    assert_error(r, 403, "forbidden", "only renshe's records")
    r = client.get(f"/api/v1/cases/{ref}", headers=people["other"])
    assert_error(r, 403, "forbidden")
    # deliveries: the requester's only (the provider has no delivery.read either)
    assert (
        client.get(f"/api/v1/share-requests/{ref}/deliveries", headers=people["req"]).json()[
            "total"
        ]
        == 0
    )
    r = client.get(f"/api/v1/share-requests/{ref}/deliveries", headers=people["other"])
    assert_error(r, 403, "forbidden")
    r = client.get(f"/api/v1/share-requests/{ref}/deliveries", headers=people["prov"])
    assert_error(r, 403, "forbidden", "delivery.read")
    # firing as another department is refused by the case rules
    r = client.post(
        f"/api/v1/share-requests/{ref}/events", headers=people["other"], json={"event": "withdraw"}
    )
    assert_error(r, 403, "forbidden", "requester (minzheng)")
    denied = list(events(settings, action="access.denied", subject=ref))
    assert [e.department for e in denied] == ["renshe", "renshe", "renshe", "gongan", "renshe"]
    # and the other department's list does not show it
    listed = client.get("/api/v1/share-requests", headers=people["other"]).json()
    assert listed["total"] == 0
    assert client.get("/api/v1/share-requests", headers=people["prov"]).json()["total"] == 1


def test_unconditional_granted_at_once_and_bad_requests_refused(client, people):
    r = client.post(
        "/api/v1/share-requests",
        headers=people["req"],
        json={"resource": "shichang.qiye", "items": ["org_name"], "purpose": "企业核查"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "granted"  # GX-Reg art. 20: no review
    assert r.json()["history"][0]["data"]["unconditional"] is True
    r = client.post(
        "/api/v1/share-requests",
        headers=people["req"],
        json={"resource": "gongan.huji", "items": ["no_such_item"], "purpose": "核查"},
    )
    assert_error(r, 422, "refused", "no data item(s) no_such_item")
    r = client.post(
        "/api/v1/share-requests",
        headers=people["req"],
        json={"resource": "gongan.huji", "items": ["name"], "purpose": ""},
    )
    assert_error(r, 422, "invalid", "purpose")
    # only requester staff ask; a provider's attempt is refused and audited
    r = client.post(
        "/api/v1/share-requests",
        headers=people["prov"],
        json={"resource": "minzheng.hunyin", "items": ["certificate_no"], "purpose": "核查"},
    )
    assert_error(r, 403, "forbidden")


def test_negative_list_entry_is_refused_with_its_legal_basis(client, settings, make_user):
    headers = make_user("li", "requester_staff@minzheng")
    entry = client.get("/api/v1/catalog/entries/renshe.shebao", headers=headers).json()
    assert entry["share"]["type"] == "conditional"
    # the entry goes on the negative list; the running service reads the changed catalog
    path = settings.catalog_dir / "renshe" / "shebao.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  type: conditional", "  type: none", 1), encoding="utf-8")
    r = client.post(
        "/api/v1/share-requests",
        headers=headers,
        json={"resource": "renshe.shebao", "items": ["name"], "purpose": "核查"},
    )
    assert_error(r, 422, "refused", "不予共享", "《中华人民共和国社会保险法》第八十一条")
    [ev] = list(events(settings, action="share_request.refused"))
    assert ev.actor == "li"
