"""``jutong serve`` on PostgreSQL, as an operator runs it: the URI (with a password) only in
``JUTONG_GOVERNANCE_DB_URI``, ``jutong governance upgrade``, a user added with ``jutong users
add``, then the service started as a process and a share request decided over HTTP by the
requester, the bureau and the provider. The password never appears in what it prints."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import sqlalchemy as sa

from jutong.governance.audit import events, verify
from jutong.governance.db import dispose_all, engine
from jutong.governance.schema import cases
from jutong.governance.users import add_user, parse_grant
from tests.conftest import REPO, settings_for

SECRET = "pg-Secret-4711"  # trust auth in the test cluster: sent, never checked
PASSWORD = "correct horse battery"
USERS = {
    "li": "requester_staff@minzheng",
    "wang": "bureau_reviewer@dashuju",
    "zhang": "provider_staff@gongan",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(base, method, path, body=None, token=None, headers=None):
    req = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_jutong_serve_on_postgresql_decides_a_share_request(home, pg_url_factory, tmp_path):
    uri = pg_url_factory().replace("://jutong@", f"://jutong:{SECRET}@")
    env = {
        **os.environ,
        "JUTONG_HOME": str(home),
        "JUTONG_KEY_DIR": str(home / "keys"),
        "JUTONG_GOVERNANCE_DB_URI": uri,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    jutong = [sys.executable, "-m", "jutong"]

    def run(*args, stdin=None):
        done = subprocess.run(
            [*jutong, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert SECRET not in done.stdout + done.stderr
        return done.stdout + done.stderr

    out = run("governance", "upgrade")
    assert "postgresql+psycopg2://jutong:***@127.0.0.1" in out
    out = run("users", "add", "wang", "--role", USERS["wang"], "--password-stdin", stdin=PASSWORD)
    assert "user wang added" in out
    settings = settings_for(home, governance_db_uri=uri)
    for name in ("li", "zhang"):  # the same store through the library (one process less each)
        add_user(settings, name, by="admin", password=PASSWORD, grants=[parse_grant(USERS[name])])
    dispose_all()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [*jutong, "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = _call(base, "GET", "/api/v1/health")[1]
                break
            except OSError:
                time.sleep(0.2)
        assert health is not None, log_path.read_text()
        assert health["database"].startswith("postgresql+psycopg2://jutong:***@127.0.0.1")

        token = {}
        for name in USERS:
            status, body = _call(
                base, "POST", "/api/v1/auth/login", {"username": name, "password": PASSWORD}
            )
            assert status == 200, body
            token[name] = body["token"]
        status, case = _call(
            base,
            "POST",
            "/api/v1/share-requests",
            {"resource": "gongan.huji", "items": ["name"], "purpose": "低保资格核查"},
            token["li"],
        )
        assert status in (200, 201), case
        ref = case["ref"]

        def fire(who, event, version, **extra):
            return _call(
                base,
                "POST",
                f"/api/v1/share-requests/{ref}/events",
                {"event": event, **extra},
                token[who],
                {"If-Match": f'"{version}"'},
            )

        status, case = fire("wang", "pass", 1)
        assert (status, case["state"], case["version"]) == (200, "provider_review", 2), case
        status, err = fire("zhang", "approve", 1)  # a stale copy
        assert status == 409 and err["error"]["code"] == "stale_version", err
        status, case = fire("zhang", "approve", 2)
        assert (status, case["state"], case["version"]) == (200, "approved", 3), case
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
    text = log_path.read_text()
    assert "jutong:***@127.0.0.1" in text and SECRET not in text

    # what the service wrote is in PostgreSQL: the case, and its audit chain verifies
    try:
        with engine(settings).connect() as conn:
            row = conn.execute(sa.select(cases).where(cases.c.ref == ref)).one()
        assert (row.state, row.version) == ("approved", 3)
        actions = [e.action for e in events(settings, subject=ref)]
        assert actions == ["share_request.open", "share_request.pass", "share_request.approve"]
        assert verify(settings).ok
    finally:
        dispose_all()
