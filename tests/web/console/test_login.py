"""Signing in and out: the session cookie (HttpOnly, SameSite=Lax) holds a session token of
the users store; the login form has its own CSRF check; logging out revokes the token."""

from __future__ import annotations

import pytest

from jutong.governance.audit import events
from jutong.governance.users import add_user, parse_grant, set_active
from tests.web.console.conftest import PASSWORD, csrf_of

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)


def _user(settings, name="li"):
    add_user(
        settings,
        name,
        by="test-admin",
        password=PASSWORD,
        grants=[parse_grant("requester_staff@minzheng")],
    )


def _login(client, name, password, next_url="/console/requests"):
    form = client.get(f"/console/login?next={next_url}")
    assert f'name="next" value="{next_url}"' in form.text
    return client.post(
        "/console/login",
        data={
            "username": name,
            "password": password,
            "csrf_token": csrf_of(form.text),
            "next": next_url,
        },
        follow_redirects=False,
    )


def test_login_sets_a_session_cookie_and_logout_revokes_it(client, settings):
    _user(settings)
    r = _login(client, "li", PASSWORD)
    assert (r.status_code, r.headers["location"]) == (303, "/console/requests")
    cookie = [c for c in r.headers.get_list("set-cookie") if c.startswith("jutong_console=")]
    assert cookie and "HttpOnly" in cookie[0] and "SameSite=lax" in cookie[0]
    assert "Path=/console" in cookie[0]
    assert any(e.action == "user.session" for e in events(settings, subject="user:li"))
    page = client.get("/console/requests")
    assert page.status_code == 200 and "我的申请" in page.text
    r = client.get("/console/login?next=/console/requests", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/console/requests")

    r = client.post("/console/logout", data={"csrf_token": csrf_of(page.text)})
    assert r.url.path == "/console/login"
    assert any(e.action == "user.token_revoke" for e in events(settings, subject="user:li"))
    r = client.get("/console/requests", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login")
    # a stale cookie still in a browser: the login form says why
    client.cookies.set("jutong_console", cookie[0].split(";")[0].split("=", 1)[1], path="/console")
    r = client.get("/console/login")
    assert r.status_code == 200 and "请重新登录" in r.text and "revoked" in r.text


def test_wrong_password_unknown_user_and_deactivated_user_are_refused(client, settings):
    _user(settings)
    for name, password in (("li", "wrong-password-1"), ("nobody", PASSWORD)):
        r = _login(client, name, password)
        assert r.status_code == 401 and "用户名或密码错误" in r.text
        assert "jutong_console=" not in r.headers.get("set-cookie", "")
    assert len([e for e in events(settings, action="user.login_failed")]) == 2
    # a session ends when its user is deactivated
    assert _login(client, "li", PASSWORD).status_code == 303
    set_active(settings, "li", False, by="test-admin")
    r = client.get("/console/requests", follow_redirects=False)
    assert r.status_code == 303 and "/console/login" in r.headers["location"]


def test_login_form_without_its_csrf_token_is_refused(client, settings):
    _user(settings)
    client.get("/console/login")
    r = client.post(
        "/console/login",
        data={"username": "li", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403 and "CSRF" in r.text
    assert not [e for e in events(settings, subject="user:li") if e.action == "user.session"]


def test_next_never_leaves_the_console(client, settings):
    _user(settings)
    for evil in ("https://evil.example/", "//evil.example/console/", "/api/v1/users"):
        client.cookies.clear()  # signed out: the form
        form = client.get("/console/login", params={"next": evil})
        assert 'name="next" value="/console/"' in form.text
        r = client.post(
            "/console/login",
            data={
                "username": "li",
                "password": PASSWORD,
                "csrf_token": csrf_of(form.text),
                "next": evil,
            },
            follow_redirects=False,
        )
        assert r.headers["location"] == "/console/"
        # signed in: straight on, and still only into the console
        r = client.get("/console/login", params={"next": evil}, follow_redirects=False)
        assert r.headers["location"] == "/console/"
