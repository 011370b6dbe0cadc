"""The catalog's lifecycle through the API (GX-Open art. 15; GX-Dispatch art. 21–22): a change
of law reported and its update deadline, a catalog entry taken offline with its reply deadline
and the public notice, which ``GET /api/v1/notices`` (no login) shows for its whole period."""

from __future__ import annotations

from tests.web.api.errors import assert_error


def test_change_offline_and_notices(client, make_user):
    prov = make_user("sun", "provider_staff@shichang")
    other = make_user("he", "provider_staff@gongan")
    bureau = make_user("wang", "bureau_reviewer@dashuju")
    citizen = make_user("zs", "public@zhangsan")  # a public role: no lifecycle steps

    r = client.post(
        "/api/v1/catalog-lifecycle/changes",
        headers=prov,
        json={
            "resource": "shichang.qiye",
            "change": "《公司法》修订",
            "changed_on": "2026-09-25",
            "at": "2026-09-28T10:00:00",
        },
    )
    assert r.status_code == 201, r.text
    upd = r.json()
    (clock,) = upd["clocks"]
    # GX-Open art. 15: 10 wd from the change (Fri 09-25), across National Day: 10-15
    assert (clock["basis"], clock["due_on"], upd["flow"]) == (
        "GX-Open art. 15",
        "2026-10-15",
        "catalog_update_open",
    )
    assert_error(
        client.post(
            "/api/v1/catalog-lifecycle/changes",
            headers=citizen,
            json={"resource": "shichang.qiye", "change": "x"},
        ),
        403,
        "forbidden",
    )

    # another department cannot apply to take shichang's entry offline
    denied = client.post(
        "/api/v1/catalog-lifecycle/offline",
        headers=other,
        json={"what": "catalog", "resource": "shichang.qiye", "reason": "职能变更"},
    )
    assert_error(denied, 403, "forbidden", "provider_staff@shichang")
    r = client.post(
        "/api/v1/catalog-lifecycle/offline",
        headers=prov,
        json={
            "what": "catalog",
            "resource": "shichang.qiye",
            "reason": "职能变更",
            "at": "2026-11-02T10:00:00",
        },
    )
    assert r.status_code == 201, r.text
    off = r.json()
    assert off["kind"] == "catalog_offline" and off["state"] == "submitted"
    (reply,) = off["clocks"]
    assert (reply["due_on"], reply["department"]) == ("2026-11-05", "dashuju")  # 3 wd
    # the provider cannot approve its own application; the bureau can, with the version
    assert_error(
        client.post(
            f"/api/v1/catalog-lifecycle/{off['ref']}/events",
            headers=prov,
            json={"event": "approve"},
        ),
        403,
        "forbidden",
    )
    r = client.post(
        f"/api/v1/catalog-lifecycle/{off['ref']}/events",
        headers={**bureau, "If-Match": '"1"'},
        json={"event": "approve", "at": "2026-11-03T10:00:00"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "notice" and r.json()["data"]["notice_until"] == "2026-12-03"

    # the notice: public, no login, for its whole period (GX-Dispatch art. 22: 30 days)
    n = client.get("/api/v1/notices", params={"as_of": "2026-11-10"}).json()
    assert n["total"] == 1
    (notice,) = n["items"]
    assert (notice["resource"], notice["ends_on"], notice["basis"]) == (
        "shichang.qiye",
        "2026-12-03",
        "GX-Dispatch art. 22",
    )
    assert client.get("/api/v1/notices", params={"as_of": "2026-12-03"}).json()["total"] == 1
    assert client.get("/api/v1/notices", params={"as_of": "2026-12-04"}).json()["total"] == 0
    assert client.get("/api/v1/notices", params={"as_of": "2026-11-02"}).json()["total"] == 0

    # lists by role: the bureau sees both cases, the other provider none
    assert client.get("/api/v1/catalog-lifecycle", headers=bureau).json()["total"] == 2
    assert client.get("/api/v1/catalog-lifecycle", headers=other).json()["total"] == 0
