"""One error shape for 401/403/404/409/422, and pagination with total and next."""

from __future__ import annotations

import pytest

from jutong.governance.audit import events
from tests.web.api.errors import assert_error


@pytest.fixture()
def req(make_user):
    return make_user("li", "requester_staff@minzheng")


def _ask(client, headers, n):
    for i in range(n):
        r = client.post(
            "/api/v1/share-requests",
            headers=headers,
            json={"resource": "gongan.huji", "items": ["name"], "purpose": f"核查 {i}"},
        )
        assert r.status_code == 201, r.text


def test_error_shapes(client, req, make_user, settings):
    assert_error(client.get("/api/v1/share-requests"), 401, "unauthenticated")
    assert_error(client.get("/api/v1/share-requests/SR-999999", headers=req), 404, "not_found")
    assert_error(client.get("/api/v1/no-such-path", headers=req), 404, "not_found")
    r = client.get("/api/v1/share-requests", headers=req, params={"limit": 0})
    err = assert_error(r, 422, "invalid", "limit")
    assert err["details"][0]["field"] == "query.limit"
    r = client.post("/api/v1/share-requests", headers=req, json={"items": "name"})
    err = assert_error(r, 422, "invalid")
    assert {d["field"] for d in err["details"]} >= {"body.resource", "body.items", "body.purpose"}
    _ask(client, req, 1)
    r = client.post(
        "/api/v1/share-requests/SR-000001/events", headers=req, json={"event": "subscribe"}
    )
    assert_error(r, 409, "refused", "'subscribe' is not allowed while the case is submitted")
    r = client.post(
        "/api/v1/share-requests/SR-000001/events",
        headers={**req, "If-Match": "abc"},
        json={"event": "withdraw"},
    )
    assert_error(r, 400, "bad_request", "If-Match")
    analyst = make_user("zhao", "analyst@dashuju")
    r = client.get("/api/v1/audit/events", headers=analyst)
    assert_error(r, 403, "forbidden", "analyst has no 'audit.read' permission")
    [ev] = list(events(settings, action="access.denied", subject="audit log"))
    assert (ev.actor, ev.role) == ("zhao", "analyst")
    nobody = make_user("nobody")
    assert_error(client.get("/api/v1/cases", headers=nobody), 403, "forbidden", "holds no role")


def test_pagination_total_and_next(client, req):
    _ask(client, req, 5)
    page = client.get("/api/v1/share-requests", headers=req, params={"limit": 2}).json()
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 0)
    refs = [c["ref"] for c in page["items"]]
    while page["next"]:
        page = client.get(page["next"], headers=req).json()
        refs += [c["ref"] for c in page["items"]]
    assert refs == [f"SR-00000{i}" for i in range(1, 6)]
    assert page["offset"] == 4 and page["next"] is None
    # filters keep the page's total honest
    page = client.get("/api/v1/cases", headers=req, params={"state": "granted"}).json()
    assert page == {"items": [], "total": 0, "limit": 50, "offset": 0, "next": None}


def test_a_broken_policy_file_is_a_500_in_the_same_shape(_app, settings, req):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from web.context import Context

    _app.state.context = Context(settings)
    (settings.catalog_dir / "roles.yaml").write_text("roles:\n  boss: {scope: all}\n")
    with TestClient(_app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/cases", headers=req)
    err = assert_error(r, 500, "misconfigured", "roles.boss: unknown role")
    assert "Traceback" not in err["message"]
    from jutong.governance.db import dispose_all

    dispose_all()
