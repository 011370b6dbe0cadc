"""The console and the portal in a real browser with the network cut (issue 20).

The service and headless Chromium run together in a network namespace holding only loopback
(``unshare --net``; the audit hook of tests/netguard refuses any other connection from Python
too). A quality owner signs in and opens the console's pages; the portal's pages are opened
too. Each page must show its content with the vendored styles (and htmx where it asks for it),
and load nothing but the service's own address.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import needs_webdriver
from tests.test_isolated_network import GUARD, _unshare_works
from tests.web.browser.console_home import PASSWORD

pytestmark = needs_webdriver
REPO = Path(__file__).resolve().parents[3]

# path -> (who opens it, a text the page must show); "" = signed out
PAGES = {
    "/console/": ("sun", "孙质量"),
    "/console/quality": ("sun", "Gate runs"),
    "/console/tickets": ("sun", "Correction tickets"),
    "/console/review": ("sun", "Clerical review"),
    "/console/releases": ("liu", "Releases"),
    "/console/overdue": ("wang", "Overdue"),
    "/console/evaluation": ("wang", "evaluation"),
    "/console/inbox": ("zhang", "Inbox"),
    "/": ("", "公共数据开放目录"),
    "/catalog": ("", "公共数据开放目录"),
    "/notices": ("", "Notices"),
}


@pytest.fixture(scope="module")
def walked(console_settings, console_home, tmp_path_factory) -> dict[str, dict]:
    if not _unshare_works():
        if os.environ.get("CI_REQUIRE_BROWSER"):
            pytest.fail("no network namespace can be made here (unshare --net as root)")
        pytest.skip("SKIPPED LOUDLY: no network namespace can be made here (unshare --net)")
    tmp = tmp_path_factory.mktemp("offline")
    spec = tmp / "spec.json"
    out = tmp / "walk.json"
    spec.write_text(
        json.dumps(
            {
                "home": str(console_settings.home),
                "governance_db_uri": console_settings.governance_db_uri,
                "password": PASSWORD,
                "users": _by_user(),
            }
        ),
        encoding="utf-8",
    )
    log = tmp / "net.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(GUARD), str(REPO)]),
        "NETGUARD_LOG": str(log),
        "JUTONG_HOME": str(console_settings.home),
    }
    cmd = f"{shlex.quote(sys.executable)} -m tests.web.browser.offline_walk {spec} {out}"
    proc = subprocess.run(
        ["unshare", "--net", "bash", "-ec", f"ip link set lo up\n{cmd}\n"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert not log.exists(), log.read_text(encoding="utf-8")
    return json.loads(out.read_text(encoding="utf-8"))


def _by_user() -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for path, (login, _) in PAGES.items():
        users.setdefault(login, []).append(path)
    return users


def _outside(page: dict) -> list[str]:
    return [r for r in page["resources"] if not r.startswith(page["base"])]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_shows_its_content_offline(walked, path):
    page = walked[path]
    assert page["h1"] and "Forbidden" not in page["title"], page
    linked = [s for s in page["sheets"] if s["href"] != "inline"]
    assert linked and all(s["rules"] > 0 for s in linked), f"{path}: styles not applied {linked}"
    assert any("/static/" in r for r in page["resources"]), page["resources"]
    assert _outside(page) == [], _outside(page)
    if page["wants_htmx"]:
        assert page["htmx"], f"{path}: htmx did not load"
    assert PAGES[path][1] in page["text"], page["text"][:500]
    assert "Noto Sans CJK" in page["font"] or "sans-serif" in page["font"], page["font"]


def test_the_content_is_the_data_not_an_empty_shell(walked):
    assert walked["/console/review"]["rows"] >= 1  # the pending review pair
    assert walked["/console/releases"]["rows"] >= 1  # the tiny releases
    assert walked["/console/evaluation"]["svg"] >= 1  # its charts
    assert any(p["wants_htmx"] and p["htmx"] for p in walked.values())
