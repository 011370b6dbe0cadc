"""A complaint filed through the API suspends the release within the same request (GX-Open
art. 22): the portal's download of the real released file answers 451 right after the POST,
and open-data staff restoring it serves it again."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jutong.governance.users import add_user, issue_token, parse_grant
from tests.web.conftest import QIYE
from web.app import create_app

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)


def test_complaint_suspends_the_download_at_once(portal_settings):
    staff = issue_token(
        portal_settings,
        add_user(
            portal_settings,
            "zhao",
            by="test",
            grants=[parse_grant("open_data_staff@dashuju")],
        ).name,
        by="test",
        name="tests",
    ).token
    with TestClient(create_app(portal_settings)) as c:
        url = f"/releases/{QIYE}/v2/data.csv"
        assert c.get(url).status_code == 200
        page = c.get(f"/releases/{QIYE}", headers={"Accept": "text/html"}).text
        assert 'class="download"' in page
        r = c.post(
            "/api/v1/accounts",
            json={
                "account": "zhangsan",
                "kind": "person",
                "name": "张三",
                "password": "pw-long-enough",
            },
        )
        assert r.status_code == 201, r.text
        token = c.post(
            "/api/v1/auth/login", json={"username": "zhangsan", "password": "pw-long-enough"}
        ).json()["token"]
        r = c.post(
            "/api/v1/complaints",
            headers={"Authorization": f"Bearer {token}"},
            json={"release": QIYE, "grounds": "privacy", "evidence": "第12行含自然人姓名"},
        )
        assert r.status_code == 201, r.text
        ref = r.json()["ref"]
        blocked = c.get(url)
        assert blocked.status_code == 451
        assert ref in blocked.json()["error"]["message"]
        page = c.get(f"/releases/{QIYE}", headers={"Accept": "text/html"}).text
        assert ref in page and 'class="download"' not in page
        # the complainant sees its complaint; verify then restore by open-data staff
        mine = c.get("/api/v1/complaints", headers={"Authorization": f"Bearer {token}"}).json()
        assert [x["ref"] for x in mine["items"]] == [ref]
        h = {"Authorization": f"Bearer {staff}"}
        v = c.post(
            f"/api/v1/complaints/{ref}/events",
            headers=h,
            json={"event": "verify", "reason": "核实"},
        )
        assert v.status_code == 200, v.text
        done = c.post(
            f"/api/v1/complaints/{ref}/events",
            headers={**h, "If-Match": f'"{v.json()["version"]}"'},
            json={"event": "restore", "reason": "经核实不涉及个人隐私"},
        )
        assert done.status_code == 200 and done.json()["release_status"] == "published"
        assert c.get(url).status_code == 200
