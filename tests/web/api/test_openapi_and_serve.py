"""The OpenAPI document validates; Swagger UI is served with its vendored files only; and
`jutong serve` starts the service as a user would (a subprocess on a free port)."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from web.api.docs import ASSETS, FILES

REPO = Path(__file__).resolve().parents[3]


def test_openapi_document_validates_and_documents_errors(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    validate(spec)  # raises on an invalid document
    paths = spec["paths"]
    for path in (
        "/api/v1/share-requests",
        "/api/v1/share-requests/{ref}/events",
        "/api/v1/share-requests/{ref}/deliveries",
        "/api/v1/cases",
        "/api/v1/cases/overdue",
        "/api/v1/cases/rules",
        "/api/v1/tickets/{ticket_id}/extend",
        "/api/v1/review-items/{item_id}/decision",
        "/api/v1/releases/{release_id}/suspend",
        "/api/v1/catalog/entries",
        "/api/v1/catalog/share-list",
        "/api/v1/quality/gate-runs",
        "/api/v1/evaluation/departments",
        "/api/v1/audit/verify",
        "/api/v1/auth/login",
    ):
        assert path in paths, path
    listing = paths["/api/v1/share-requests"]["get"]
    assert {"403", "404", "409", "422"} <= set(listing["responses"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_swagger_ui_loads_nothing_from_another_host(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    urls = re.findall(r'(?:src|href|url)\s*[=:]\s*["\']([^"\']+)["\']', page.text)
    assert urls and all(u.startswith("/api/") for u in urls), urls
    assert "validatorUrl" in page.text and "null" in page.text
    for name, sha in FILES.items():
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == sha, name
        if name in ("LICENSE", "NOTICE"):
            continue
        r = client.get(f"/api/docs/assets/{name}")
        assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == sha
    assert client.get("/api/docs/assets/index.html").status_code == 404


@pytest.fixture()
def governance_backend() -> str:
    """SQLite here (also under JUTONG_TEST_GOVERNANCE_DB=postgresql): the serve test checks
    the embedded default; test_serve_postgres.py serves PostgreSQL."""
    return "sqlite"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jutong_serve_starts_and_serves_the_openapi_document(settings, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "JUTONG_HOME": str(settings.home),
        "JUTONG_KEY_DIR": str(settings.key_dir),
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jutong", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/openapi.json", timeout=2
                ) as r:
                    body = r.read()
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.2)
        assert body is not None, (tmp_path / "serve.log").read_text()
        import json

        validate(json.loads(body))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as r:
            health = json.loads(r.read())
        assert health["status"] == "ok" and str(settings.lake_root) in health["database"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
    text = (tmp_path / "serve.log").read_text()
    assert f"http://127.0.0.1:{port}/" in text and "governance.db" in text
    assert "no users yet" in text  # and how to add the first one
    assert "jutong users add admin --role bureau_admin@dashuju --password" in text
