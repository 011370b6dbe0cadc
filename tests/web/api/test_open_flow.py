"""Opening driven through the REST API as a citizen, the information centre, a provider and the
bureau (GX-Open art. 20): a 特急 request filed on a Friday evening across the weekend and a 加急
one filed before the 2026 National Day holiday, every deadline the API reports checked; the
agreement, delivery by API key, the data served with the key (401/403/451 from
``keys.check_key``), the rating; stale versions refused with 409; accounts kept apart."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from jutong.governance import releases
from jutong.governance.audit import events, verify
from tests.web.api.errors import assert_error

PARCELS = "ziranziyuan.zongdi"  # 有条件开放 in the catalog
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
CSV = "parcel_code,land_use\n450102001,住宅\n450102002,商业\n"


@pytest.fixture()
def staff(make_user):
    return {
        "centre": make_user("liu", "bureau_reviewer@xinxi"),
        "prov": make_user("chen", "provider_staff@ziranziyuan"),
        "other_prov": make_user("he", "provider_staff@gongan"),
        "bureau": make_user("wang", "bureau_reviewer@dashuju"),
        "open": make_user("zhao", "open_data_staff@dashuju"),
    }


@pytest.fixture()
def parcel_release(settings):
    """A built version of a release of the conditional entry (the build itself is masking's:
    here a tiny CSV written where the build would put it)."""
    folder = Path(settings.catalog_dir) / "releases"
    (folder / f"{PARCEL_RELEASE}.yaml").write_text(RELEASE_YAML, encoding="utf-8")
    path = Path(settings.lake_root) / "releases" / PARCEL_RELEASE / "v1"
    path.mkdir(parents=True)
    (path / "data.csv").write_text(CSV, encoding="utf-8")
    releases.record_build(
        settings,
        PARCEL_RELEASE,
        version=1,
        path=path,
        rows=2,
        data_sha256="0" * 64,
        built_at=dt.datetime(2026, 9, 1, 2, 0),
        actor="builder",
        as_of=dt.date(2026, 9, 1),
        previous=None,
    )
    return PARCEL_RELEASE


def register(client, account: str, password: str = "correct-horse-9", **extra) -> dict:
    body = {"account": account, "kind": "person", "name": "张三", "password": password, **extra}
    r = client.post("/api/v1/accounts", json=body)
    assert r.status_code == 201, r.text
    login = client.post(
        "/api/v1/auth/login", json={"username": body.get("username", account), "password": password}
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def clock(detail: dict, step: str) -> dict:
    return [c for c in detail["clocks"] if c["step"] == step][-1]


def fire(client, who, ref, event, version, at, **extra) -> dict:
    r = client.post(
        f"/api/v1/open-requests/{ref}/events",
        headers={**who, "If-Match": f'"{version}"'},
        json={"event": event, **({"at": at} if at else {}), **extra},
    )
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == f'"{r.json()["version"]}"'
    return r.json()


def test_most_urgent_request_across_a_weekend_to_data_by_key(
    client, staff, settings, parcel_release
):
    citizen = register(client, "zhangsan")
    me = client.get("/api/v1/accounts/me", headers=citizen).json()
    assert me["accounts"][0]["id"] == "zhangsan" and me["accounts"][0]["kind"] == "person"

    r = client.post(
        "/api/v1/open-requests",
        headers=citizen,
        json={
            "resource": PARCELS,
            "items": ["parcel_code", "土地用途"],
            "purpose": "应急测绘",
            "until": "2027-06-30",
            "urgency": "特急",
            "at": "2026-11-27T20:00:00",  # Friday 20:00 Beijing
        },
    )
    assert r.status_code == 201, r.text
    case = r.json()
    ref = case["ref"]
    assert r.headers["Location"] == f"/api/v1/open-requests/{ref}"
    assert (case["state"], case["data"]["urgency"], case["requester"]) == (
        "submitted",
        "most_urgent",
        "zhangsan",
    )
    # GX-Open art. 20(2): 特急 12 clock hours — Saturday 08:00 Beijing, 00:00 UTC
    review = clock(case, "submitted")
    assert (review["due_on"], review["due_at"], review["department"], review["basis"]) == (
        "2026-11-28",
        "2026-11-28T00:00:00Z",
        "xinxi",
        "GX-Open art. 20(2)",
    )
    assert review["state"] == "overdue"  # judged to the minute, now (after 2026-11-28 08:00)
    as_of = client.get(
        f"/api/v1/open-requests/{ref}", headers=citizen, params={"as_of": "2026-11-27"}
    )
    assert clock(as_of.json(), "submitted")["state"] == "due_soon"

    # the citizen cannot review its own request; the provider cannot either (not its step)
    denied = client.post(
        f"/api/v1/open-requests/{ref}/events", headers=citizen, json={"event": "pass"}
    )
    assert_error(denied, 403, "forbidden")

    case = fire(client, staff["centre"], ref, "pass", 1, "2026-11-28T07:30:00")  # Sat, in time
    assert clock(case, "submitted")["status"] == "met"
    # provider: 特急 1 wd counted from Saturday -> Monday 11-30, a day deadline (no instant)
    prov = clock(case, "provider_review")
    assert (prov["due_on"], prov["due_at"], prov["department"], prov["basis"]) == (
        "2026-11-30",
        None,
        "ziranziyuan",
        "GX-Open art. 20(3)",
    )
    # a stale version is refused with the current one
    stale = client.post(
        f"/api/v1/open-requests/{ref}/events",
        headers={**staff["prov"], "If-Match": '"1"'},
        json={"event": "approve"},
    )
    body = assert_error(stale, 409, "stale_version")
    assert body["details"]["current_version"] == case["version"]
    assert stale.headers["ETag"] == f'"{case["version"]}"'
    # a refusal without a basis is refused (GX-Open art. 20(3))
    nobasis = client.post(
        f"/api/v1/open-requests/{ref}/events",
        headers=staff["prov"],
        json={"event": "refuse", "reason": "不提供"},
    )
    assert_error(nobasis, 409, "refused")
    # another department's staff never see it
    assert_error(
        client.get(f"/api/v1/open-requests/{ref}", headers=staff["other_prov"]), 403, "forbidden"
    )

    case = fire(client, staff["prov"], ref, "approve", case["version"], "2026-11-30T16:00:00")
    # the bureau approves within 2 wd whatever the urgency (GX-Open art. 20(4))
    appr = clock(case, "answer_granted")
    assert (appr["due_on"], appr["department"], appr["basis"]) == (
        "2026-12-02",
        "dashuju",
        "GX-Open art. 20(4)",
    )
    case = fire(client, staff["bureau"], ref, "approve", case["version"], "2026-12-01T10:00:00")
    assert case["state"] == "agreement"
    assert [c["status"] for c in case["clocks"]] == ["met", "met", "met"]

    # the agreement (GX-Open art. 20(5)): read, then accepted with its version
    text = client.get("/api/v1/open-requests/agreement").json()
    assert text["version"] and len(text["sha256"]) == 64 and text["text"]
    wrong = client.post(
        f"/api/v1/open-requests/{ref}/agreement", headers=citizen, json={"version": "data_use_v0"}
    )
    assert_error(wrong, 409, "refused", "not the one in force")
    r = client.post(
        f"/api/v1/open-requests/{ref}/agreement",
        headers={**citizen, "If-Match": f'"{case["version"]}"'},
        json={"version": text["version"], "sha256": text["sha256"], "at": "2026-12-01T11:00:00"},
    )
    assert r.status_code == 200, r.text
    case = r.json()
    assert case["state"] == "agreed" and case["agreements"][0]["text_sha256"] == text["sha256"]

    # delivery by API key, shown once
    assert_error(
        client.post(
            f"/api/v1/open-requests/{ref}/delivery", headers=citizen, json={"method": "api"}
        ),
        403,
        "forbidden",
    )
    r = client.post(
        f"/api/v1/open-requests/{ref}/delivery",
        headers=staff["prov"],
        json={"method": "api", "release": parcel_release, "at": "2026-12-01T15:00:00"},
    )
    assert r.status_code == 201, r.text
    delivery = r.json()["delivery"]
    key = delivery["api_key"]
    assert key.startswith("jtk_") and delivery["valid_until"] == "2027-06-30"
    assert r.json()["case"]["state"] == "delivered"
    assert key not in client.get(f"/api/v1/open-requests/{ref}", headers=citizen).text

    # the data, with the key (Bearer or X-Api-Key)
    got = client.get(f"/api/v1/open-data/{PARCELS}", headers={"Authorization": f"Bearer {key}"})
    assert got.status_code == 200, got.text
    assert got.text == CSV and got.headers["content-type"].startswith("text/csv")
    assert client.get(f"/api/v1/open-data/{parcel_release}", headers={"X-Api-Key": key}).text == CSV
    assert_error(client.get(f"/api/v1/open-data/{PARCELS}"), 401, "unauthenticated")
    assert_error(
        client.get(f"/api/v1/open-data/{PARCELS}", headers={"X-Api-Key": key[:-2] + "xx"}),
        401,
        "unauthenticated",
        "unknown API key",
    )
    assert_error(
        client.get("/api/v1/open-data/gongan.huji", headers={"X-Api-Key": key}),
        403,
        "forbidden",
        "approved dataset only",
    )

    # the citizen revokes its key (lost it); the provider issues a new one, shown once
    key_id = key.split("_")[1]
    r = client.post(
        f"/api/v1/open-requests/{ref}/keys/{key_id}/revoke",
        headers=citizen,
        json={"reason": "密钥遗失"},
    )
    assert r.status_code == 200, r.text
    err = assert_error(
        client.get(f"/api/v1/open-data/{PARCELS}", headers={"X-Api-Key": key}), 403, "forbidden"
    )
    assert "密钥遗失" in err["message"]
    assert_error(
        client.post(f"/api/v1/open-requests/{ref}/keys", headers=citizen), 403, "forbidden"
    )
    r = client.post(f"/api/v1/open-requests/{ref}/keys", headers=staff["prov"])
    assert r.status_code == 201, r.text
    key = r.json()["api_key"]
    assert client.get(f"/api/v1/open-data/{PARCELS}", headers={"X-Api-Key": key}).text == CSV

    # rating of the six dimensions, once (GX-Open art. 20(7))
    scores = dict(
        conformity=5, completeness=4, accuracy=5, consistency=4, timeliness=5, usability=4
    )
    r = client.post(f"/api/v1/open-requests/{ref}/rating", headers=citizen, json=scores)
    assert r.status_code == 201, r.text
    assert r.json()["accuracy"] == 5 and r.json()["provider"] == "ziranziyuan"
    again = client.post(f"/api/v1/open-requests/{ref}/rating", headers=citizen, json=scores)
    assert_error(again, 409, "refused", "already rated")
    bad = client.post(
        f"/api/v1/open-requests/{ref}/rating", headers=citizen, json={**scores, "usability": 6}
    )
    assert_error(bad, 422, "invalid")

    # a complaint suspends the release within the request: the key answers 451 at once
    r = client.post(
        "/api/v1/complaints",
        headers=citizen,
        json={"release": parcel_release, "grounds": "privacy", "evidence": "含自然人权利人姓名"},
    )
    assert r.status_code == 201, r.text
    complaint = r.json()
    assert (complaint["state"], complaint["release_status"]) == ("suspended", "suspended")
    blocked = client.get(f"/api/v1/open-data/{PARCELS}", headers={"X-Api-Key": key})
    err = assert_error(blocked, 451, "unavailable_for_legal_reasons", complaint["ref"])
    assert err["details"]["case"] == ref
    # open-data staff verify, then restore: the key serves again
    cref = complaint["ref"]
    assert_error(
        client.post(
            f"/api/v1/complaints/{cref}/events",
            headers=staff["prov"],
            json={"event": "verify", "reason": "x"},
        ),
        403,
        "forbidden",
    )
    c = client.post(
        f"/api/v1/complaints/{cref}/events",
        headers={**staff["open"], "If-Match": '"1"'},
        json={"event": "verify", "reason": "已核实，需研判"},
    ).json()
    c = client.post(
        f"/api/v1/complaints/{cref}/events",
        headers={**staff["open"], "If-Match": f'"{c["version"]}"'},
        json={"event": "restore", "reason": "不涉及自然人"},
    ).json()
    assert (c["state"], c["release_status"]) == ("restored", "published")
    assert client.get(f"/api/v1/open-data/{PARCELS}", headers={"X-Api-Key": key}).status_code == 200

    # revoking the case revokes its key (403 with the reason)
    r = client.post(
        f"/api/v1/open-requests/{ref}/events",
        headers=staff["prov"],
        json={"event": "revoke", "basis": "《测绘法》第三十四条"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "revoked"
    assert [k["status"] for k in r.json()["keys"]] == ["revoked", "revoked"]
    assert_error(
        client.get(f"/api/v1/open-data/{PARCELS}", headers={"X-Api-Key": key}), 403, "forbidden"
    )

    # every step audited, the chain intact
    actions = [e.action for e in events(settings, subject=ref)]
    assert "open_request.rate" in actions and len(actions) >= 7
    assert verify(settings).ok


def test_urgent_request_across_national_day(client, staff):
    org = register(
        client,
        "nanning_geo",
        kind="organisation",
        name="某地理信息有限公司",
        uscc="91350100M000100Y43",
        username="nn_geo",
    )
    r = client.post(
        "/api/v1/open-requests",
        headers=org,
        json={
            "resource": PARCELS,
            "items": ["parcel_code"],
            "purpose": "城市规划研究",
            "until": "2027-06-30",
            "urgency": "加急",
            "at": "2026-09-29T10:00:00",  # Tuesday
        },
    )
    assert r.status_code == 201, r.text
    case = r.json()
    ref = case["ref"]
    # 加急 review 1 wd: 09-30 (a day deadline: no instant)
    assert (clock(case, "submitted")["due_on"], clock(case, "submitted")["due_at"]) == (
        "2026-09-30",
        None,
    )
    case = fire(client, staff["centre"], ref, "pass", 1, "2026-09-30T17:00:00")
    # 加急 provider 2 wd: 10-01..10-07 National Day off -> 10-08, 10-09
    assert clock(case, "provider_review")["due_on"] == "2026-10-09"
    case = fire(client, staff["prov"], ref, "approve", case["version"], "2026-10-09T10:00:00")
    # bureau 2 wd: 10-10 (make-up Saturday, 调休) and 10-12
    assert clock(case, "answer_granted")["due_on"] == "2026-10-12"
    case = fire(client, staff["bureau"], ref, "approve", case["version"], "2026-10-12T10:00:00")
    assert [(c["step"], c["status"]) for c in case["clocks"]] == [
        ("submitted", "met"),
        ("provider_review", "met"),
        ("answer_granted", "met"),
    ]
    # the history the API reports: who did what
    assert [e["action"].split(".")[-1] for e in case["history"]][:4] == [
        "open",
        "pass",
        "approve",
        "approve",
    ]


def test_accounts_lists_and_on_request_opening(client, staff, settings):
    a = register(client, "zhangsan")
    b = register(client, "lisi", name="李四")
    # registering again, a weak password, a department's id: refused loudly, nothing made
    dup = client.post(
        "/api/v1/accounts",
        json={
            "account": "zhangsan",
            "kind": "person",
            "name": "x",
            "password": "long-enough-1",
            "username": "z2",
        },
    )
    assert_error(dup, 409, "conflict", "already exists")
    weak = client.post(
        "/api/v1/accounts",
        json={"account": "wu", "kind": "person", "name": "吴", "password": "short"},
    )
    assert_error(weak, 422, "invalid", "password")
    dept = client.post(
        "/api/v1/accounts",
        json={"account": "gongan", "kind": "person", "name": "x", "password": "long-enough-1"},
    )
    assert_error(dept, 422, "invalid", "department")
    org = client.post(
        "/api/v1/accounts",
        json={
            "account": "acme",
            "kind": "organisation",
            "name": "Acme",
            "uscc": "123",
            "password": "long-enough-1",
        },
    )
    assert_error(org, 422, "invalid", "GB 32100")
    # staff never file open requests
    staff_try = client.post(
        "/api/v1/open-requests",
        headers=staff["prov"],
        json={"resource": PARCELS, "items": ["parcel_code"], "purpose": "x", "until": "2027-06-30"},
    )
    assert_error(staff_try, 403, "forbidden", "public")
    denied = [e for e in events(settings, action="access.denied") if e.actor == "chen"]
    assert denied and denied[-1].data["needs"] == "public@*"
    # an unconditional entry needs no request; unknown urgency refused
    uncond = client.post(
        "/api/v1/open-requests",
        headers=a,
        json={"resource": "shichang.qiye", "items": ["x"], "purpose": "x", "until": "2027-06-30"},
    )
    assert_error(uncond, 409, "refused", "无条件开放")
    asap = client.post(
        "/api/v1/open-requests",
        headers=a,
        json={
            "resource": PARCELS,
            "items": ["parcel_code"],
            "purpose": "x",
            "until": "2027-06-30",
            "urgency": "asap",
        },
    )
    assert_error(asap, 409, "refused", "urgency 'asap'")

    # on-request opening (GX-Dispatch art. 33): provider reviews within 3 wd, opens within 5 wd
    r = client.post(
        "/api/v1/open-requests",
        headers=a,
        json={
            "resource": PARCELS,
            "items": ["parcel_code"],
            "purpose": "课题研究",
            "until": "2027-06-30",
            "kind": "on_request",
            "at": "2026-11-27T10:00:00",
        },
    )
    assert r.status_code == 201, r.text
    od = r.json()
    assert od["ref"].startswith("OD-") and clock(od, "submitted")["due_on"] == "2026-12-02"
    od = fire(client, staff["prov"], od["ref"], "approve", 1, "2026-12-01T10:00:00")
    assert clock(od, "opening")["due_on"] == "2026-12-08"

    r2 = client.post(
        "/api/v1/open-requests",
        headers=b,
        json={"resource": PARCELS, "items": ["parcel_code"], "purpose": "y", "until": "2027-06-30"},
    )
    assert r2.status_code == 201
    # lists: a public account sees its own; the provider and the centre see both, in pages
    own = client.get("/api/v1/open-requests", headers=b).json()
    assert [c["ref"] for c in own["items"]] == [r2.json()["ref"]]
    assert_error(client.get(f"/api/v1/open-requests/{od['ref']}", headers=b), 403, "forbidden")
    page = client.get("/api/v1/open-requests", headers=staff["prov"], params={"limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and "offset=1" in page["next"]
    assert client.get("/api/v1/open-requests", headers=staff["other_prov"]).json()["total"] == 0
    assert (
        client.get(
            "/api/v1/open-requests", headers=staff["centre"], params={"kind": "on_request"}
        ).json()["total"]
        == 1
    )


def test_conditional_release_downloads_only_to_an_approved_account(client, staff, parcel_release):
    """The portal (in the same application) serves the data files of a conditionally open
    release only to an account whose request was delivered by download (GX-Open art. 20(5));
    its checksums stay public; a complaint makes it 451 for that account too."""
    url = f"/releases/{parcel_release}/v1/data.csv"
    page = client.get(f"/releases/{parcel_release}", headers={"Accept": "text/html"}).text
    assert 'id="conditional-note"' in page
    assert_error(client.get(url), 401, "unauthenticated", "有条件开放")
    assert client.get(f"/releases/{parcel_release}/v1/metadata.json").status_code != 401
    # sign up on the portal's form (a session cookie), then file the request over the API
    form = client.get("/account/signup").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = client.post(
        "/account/signup",
        data={
            "account": "zhangsan",
            "kind": "person",
            "name": "张三",
            "password": "pw-long-enough",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert_error(client.get(url), 403, "forbidden", "no active delivery")
    login = client.post(
        "/api/v1/auth/login", json={"username": "zhangsan", "password": "pw-long-enough"}
    )
    citizen = {"Authorization": f"Bearer {login.json()['token']}"}
    case = client.post(
        "/api/v1/open-requests",
        headers=citizen,
        json={
            "resource": PARCELS,
            "items": ["parcel_code"],
            "purpose": "研究",
            "until": "2099-01-01",
        },
    ).json()
    ref = case["ref"]
    case = fire(client, staff["centre"], ref, "pass", 1, None)
    case = fire(client, staff["prov"], ref, "approve", case["version"], None)
    case = fire(client, staff["bureau"], ref, "approve", case["version"], None)
    text = client.get("/api/v1/open-requests/agreement").json()
    assert (
        client.post(
            f"/api/v1/open-requests/{ref}/agreement",
            headers=citizen,
            json={"version": text["version"]},
        ).status_code
        == 200
    )
    r = client.post(
        f"/api/v1/open-requests/{ref}/delivery",
        headers=staff["prov"],
        json={"method": "download", "release": parcel_release},
    )
    assert r.status_code == 201 and r.json()["delivery"]["api_key"] is None
    got = client.get(url)
    assert got.status_code == 200 and got.text == CSV
    # a complaint: 451 for the approved account too
    r = client.post(
        "/api/v1/complaints",
        headers=citizen,
        json={"release": parcel_release, "grounds": "privacy", "evidence": "含姓名"},
    )
    assert r.status_code == 201
    assert client.get(url).status_code == 451
