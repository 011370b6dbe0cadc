"""The bureau administrator manages users, roles and API keys over the API; others may not."""

from __future__ import annotations

import pytest

from jutong.governance.audit import events
from tests.web.api.errors import assert_error

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)


def test_admin_manages_users_roles_and_api_keys(client, settings, make_user):
    admin = make_user("root", "bureau_admin@dashuju")
    req = make_user("li", "requester_staff@minzheng")
    assert_error(client.get("/api/v1/users", headers=req), 403, "forbidden", "users.manage")

    r = client.post(
        "/api/v1/users",
        headers=admin,
        json={"name": "exchange", "display_name": "交换平台", "roles": ["requester_staff@renshe"]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["roles"] == [{"role": "requester_staff", "department": "renshe"}]
    assert_error(
        client.post("/api/v1/users", headers=admin, json={"name": "exchange"}),
        409,
        "conflict",
        "already exists",
    )
    r = client.post("/api/v1/users", headers=admin, json={"name": "x", "roles": ["boss@renshe"]})
    assert_error(r, 422, "invalid", "role 'boss'")
    r = client.post("/api/v1/users", headers=admin, json={"name": "y", "password": "short"})
    assert_error(r, 422, "invalid", "at least 10 characters")

    key = client.post(
        "/api/v1/users/exchange/api-keys", headers=admin, json={"label": "nightly", "days": 30}
    ).json()
    h = {"Authorization": f"Bearer {key['token']}"}
    me = client.get("/api/v1/auth/me", headers=h).json()
    assert me["acting_as"] == ["exchange:requester_staff@renshe"] and me["token_kind"] == "api_key"

    r = client.post("/api/v1/users/exchange/roles", headers=admin, json={"role": "auditor@dashuju"})
    assert [x["role"] for x in r.json()["roles"]] == ["requester_staff", "auditor"]
    assert client.get("/api/v1/audit/verify", headers=h).json()["ok"]
    r = client.delete("/api/v1/users/exchange/roles/auditor@dashuju", headers=admin)
    assert r.status_code == 200 and len(r.json()["roles"]) == 1
    assert_error(client.get("/api/v1/audit/verify", headers=h), 403, "forbidden")

    detail = client.get("/api/v1/users/exchange", headers=admin).json()
    assert [t["prefix"] for t in detail["tokens"]] == [key["prefix"]]
    assert key["token"] not in str(detail)
    r = client.delete(f"/api/v1/users/exchange/api-keys/{key['prefix']}", headers=admin)
    assert r.status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers=h), 401, "unauthenticated", "revoked")
    assert_error(client.get("/api/v1/users/nobody", headers=admin), 404, "not_found")

    actions = [e.action for e in events(settings, subject="user:exchange")]
    assert actions == [
        "user.add",
        "user.api_key",
        "user.grant",
        "user.revoke",
        "user.token_revoke",
    ]
    assert {e.actor for e in events(settings, subject="user:exchange")} == {"root"}
