"""Authentication: login with an argon2id-hashed password gives an expiring bearer token,
API keys for systems, logout and revocation, X-Act-As, and `jutong users`."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from jutong.cli import main
from jutong.governance.audit import events
from jutong.governance.db import engine
from jutong.governance.schema import api_tokens, users
from jutong.governance.users import add_user, parse_grant
from tests.web.api.errors import assert_error

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)

PASSWORD = "correct horse battery"


def test_login_me_logout(client, settings):
    add_user(
        settings,
        "wang",
        by="admin",
        password=PASSWORD,
        grants=[parse_grant("bureau_reviewer@dashuju"), parse_grant("auditor@dashuju")],
    )
    with engine(settings).connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored

    r = client.post("/api/v1/auth/login", json={"username": "wang", "password": PASSWORD})
    assert r.status_code == 200, r.text
    tok = r.json()
    assert tok["token"].startswith("jt_") and tok["kind"] == "session"
    expires = dt.datetime.fromisoformat(tok["expires_at"].rstrip("Z"))
    assert dt.timedelta(hours=7.9) < expires - dt.datetime.utcnow() <= dt.timedelta(hours=8)
    with engine(settings).connect() as conn:
        hashes = conn.execute(sa.select(api_tokens.c.token_sha256)).scalars().all()
    assert tok["token"] not in hashes and len(hashes[0]) == 64  # stored hashed only

    h = {"Authorization": f"Bearer {tok['token']}"}
    me = client.get("/api/v1/auth/me", headers=h).json()
    assert me["name"] == "wang" and me["token_kind"] == "session"
    assert me["acting_as"] == ["wang:bureau_reviewer@dashuju", "wang:auditor@dashuju"]
    # X-Act-As narrows to one role; one not held is refused and audited
    me = client.get("/api/v1/auth/me", headers={**h, "X-Act-As": "auditor@dashuju"}).json()
    assert me["acting_as"] == ["wang:auditor@dashuju"]
    r = client.get("/api/v1/auth/me", headers={**h, "X-Act-As": "bureau_admin@dashuju"})
    assert_error(r, 403, "forbidden", "does not hold bureau_admin@dashuju")
    r = client.get("/api/v1/auth/me", headers={**h, "X-Act-As": "boss"})
    assert_error(r, 400, "bad_request", "ROLE@DEPARTMENT")

    assert client.post("/api/v1/auth/logout", headers=h).status_code == 204
    r = client.get("/api/v1/auth/me", headers=h)
    assert_error(r, 401, "unauthenticated", "revoked")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    actions = [e.action for e in events(settings, subject="user:wang")]
    assert actions[:2] == ["user.add", "user.session"] and "user.token_revoke" in actions


def test_bad_login_expired_and_unknown_tokens_are_401(client, settings, make_user):
    add_user(settings, "li", by="admin", password=PASSWORD)
    r = client.post("/api/v1/auth/login", json={"username": "li", "password": "wrong password"})
    assert_error(r, 401, "unauthenticated", "user name or password not accepted")
    r = client.post("/api/v1/auth/login", json={"username": "nobody", "password": PASSWORD})
    assert_error(r, 401, "unauthenticated", "user name or password not accepted")
    failed = [e.subject for e in events(settings, action="user.login_failed")]
    assert failed == ["user:li", "user:nobody"]

    assert_error(client.get("/api/v1/cases"), 401, "unauthenticated", "authentication required")
    r = client.get("/api/v1/cases", headers={"Authorization": "Bearer jt_not-a-real-token"})
    assert_error(r, 401, "unauthenticated", "unknown token")

    h = make_user("system-a", "auditor@dashuju")  # an API key: no password, no expiry
    assert client.get("/api/v1/auth/me", headers=h).json()["token_kind"] == "api_key"
    with engine(settings).begin() as conn:
        conn.execute(
            sa.update(api_tokens).values(expires_at=dt.datetime(2020, 1, 1))  # all of them
        )
    assert_error(client.get("/api/v1/auth/me", headers=h), 401, "unauthenticated", "expired")


def test_a_deactivated_users_tokens_stop_working(client, settings, make_user):
    from jutong.governance.users import set_active

    h = make_user("zhang", "provider_staff@gongan")
    assert client.get("/api/v1/auth/me", headers=h).status_code == 200
    set_active(settings, "zhang", False, by="admin")
    assert_error(client.get("/api/v1/auth/me", headers=h), 401, "unauthenticated", "deactivated")


def test_users_cli(settings, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert (
        main(["users", "add", "li", "--role", "requester_staff@minzheng", "--password-stdin"]) == 0
    )
    assert "user li added (password): requester_staff@minzheng" in capsys.readouterr().out
    assert main(["users", "grant", "li", "auditor@dashuju"]) == 0
    assert main(["users", "grant", "li", "boss@dashuju"]) == 1
    assert "role 'boss' is not one of" in capsys.readouterr().err
    assert main(["users", "grant", "li", "auditor@nowhere"]) == 1
    assert "department 'nowhere' is not in catalog/departments.yaml" in capsys.readouterr().err
    assert main(["users", "add", "li"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "requester_staff@minzheng, auditor@dashuju" in out
    assert main(["users", "token", "li", "--label", "cron", "--days", "30"]) == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert token.startswith("jt_") and "shown once" in captured.err
    assert main(["users", "tokens", "li"]) == 0
    assert token[:11] in capsys.readouterr().out and token not in capsys.readouterr().out
    assert main(["users", "token", "--revoke", token]) == 0
    assert "revoked" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "password", "li", "--password-stdin"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err
