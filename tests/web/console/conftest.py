"""Console tests: the real application (tests/web/conftest.py) driven as a browser would —
the login form, the session cookie, the CSRF field of every form."""

from __future__ import annotations

import re

import pytest

from jutong.governance.users import add_user, issue_token, parse_grant


@pytest.fixture(autouse=True)
def _own_governance_db(governance_db):
    """Each test's own governance database (tests/web/conftest.py)."""
    yield


PASSWORD = "correct-horse-42"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF field"
    return found.group(1)


class Staff:
    """One signed-in browser: its own TestClient cookies and this session's CSRF token.

    ``resume(token)`` starts from a session token issued by the users store, the kind the
    login form issues (test_login.py goes through the form; an Argon2 check per login is
    slow on a busy machine, and most tests need a signed-in user, not a password check)."""

    def __init__(self, client, name: str):
        self.client = client
        self.name = name
        self.csrf = ""

    def resume(self, token: str) -> None:
        self.client.cookies.set("jutong_console", token, path="/console")
        home = self.client.get("/console/")
        assert home.status_code == 200, home.text
        self.csrf = csrf_of(home.text)

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict, *, csrf: str | None = None, **kw):
        return self.client.post(
            url, data={**data, "csrf_token": self.csrf if csrf is None else csrf}, **kw
        )


@pytest.fixture()
def staff(_app, settings):
    """``staff(name, "ROLE@DEPT", ...)`` -> a signed-in ``Staff`` with its own cookies (a
    session of the users store; the login form itself is tested in test_login.py)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from web.context import Context

    _app.state.context = Context(settings)
    clients = []

    def factory(name: str, *grants: str) -> Staff:
        add_user(settings, name, by="test-admin", grants=[parse_grant(g) for g in grants])
        session = issue_token(settings, name, by=name, kind="session", name="login")
        c = TestClient(_app)
        c.__enter__()
        clients.append(c)
        s = Staff(c, name)
        s.resume(session.token)
        return s

    yield factory
    for c in clients:
        c.__exit__(None, None, None)
