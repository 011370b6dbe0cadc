"""Console tests: the real application (tests/web/conftest.py) driven as a browser would —
the login form, the session cookie, the CSRF field of every form."""

from __future__ import annotations

import re

import pytest

from jutong.governance.users import add_user, parse_grant

PASSWORD = "correct-horse-42"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF field"
    return found.group(1)


class Staff:
    """One signed-in browser: its own TestClient cookies and this session's CSRF token."""

    def __init__(self, client, name: str):
        self.client = client
        self.name = name
        self.csrf = ""

    def login(self) -> None:
        form = self.client.get("/console/login")
        assert form.status_code == 200
        r = self.client.post(
            "/console/login",
            data={
                "username": self.name,
                "password": PASSWORD,
                "csrf_token": csrf_of(form.text),
                "next": "/console/",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        home = self.client.get("/console/")
        assert home.status_code == 200
        self.csrf = csrf_of(home.text)

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict, *, csrf: str | None = None, **kw):
        return self.client.post(
            url, data={**data, "csrf_token": self.csrf if csrf is None else csrf}, **kw
        )


@pytest.fixture()
def staff(_app, settings):
    """``staff(name, "ROLE@DEPT", ...)`` -> a signed-in ``Staff`` with its own cookies."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from web.context import Context

    _app.state.context = Context(settings)
    clients = []

    def factory(name: str, *grants: str) -> Staff:
        add_user(
            settings,
            name,
            by="test-admin",
            password=PASSWORD,
            grants=[parse_grant(g) for g in grants],
        )
        c = TestClient(_app)
        c.__enter__()
        clients.append(c)
        s = Staff(c, name)
        s.login()
        return s

    yield factory
    for c in clients:
        c.__exit__(None, None, None)
