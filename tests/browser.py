"""The real browser of the tests: Debian's ``chromium`` (and ``chromium-driver`` for Selenium),
never a browser build downloaded at run time.

Tests that need it are marked ``needs_chromium`` (headless Chromium on the command line) or
``needs_webdriver`` (Selenium driving it through chromedriver). They are skipped — loudly,
with how to install it — ONLY when the browser is not installed and ``CI_REQUIRE_BROWSER`` is
unset; CI installs Chromium (``.ci/run``) and sets ``CI_REQUIRE_BROWSER=1``, so there a missing
browser fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
INSTALL = "apt-get install chromium chromium-driver fonts-noto-cjk"

# Flags of every Chromium the tests start: headless, nothing from the network by itself.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def chromium() -> str | None:
    return next(
        (p for n in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(n))),
        None,
    )


def chromedriver() -> str | None:
    found = shutil.which("chromedriver")
    if found:
        return found
    debian = Path("/usr/lib/chromium/chromedriver")
    return str(debian) if debian.is_file() else None


def browser_required() -> bool:
    return bool(os.environ.get("CI_REQUIRE_BROWSER"))


needs_chromium = pytest.mark.skipif(
    chromium() is None and not browser_required(),
    reason=f"SKIPPED LOUDLY: no Chromium here (Debian: {INSTALL})",
)
needs_webdriver = pytest.mark.skipif(
    (chromium() is None or chromedriver() is None) and not browser_required(),
    reason=f"SKIPPED LOUDLY: no Chromium or chromedriver here (Debian: {INSTALL})",
)


def artifacts_dir(*parts: str) -> Path:
    """Where tests write artifacts (screenshots): ``$JUTONG_TEST_ARTIFACTS``, else
    ``tests/artifacts`` (git-ignored)."""
    root = Path(os.environ.get("JUTONG_TEST_ARTIFACTS") or REPO / "tests" / "artifacts")
    path = root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def dom_offline(page: Path) -> str:
    """The DOM of ``page`` after its scripts ran, in headless Chromium with no network: in a
    namespace holding only loopback when one can be made, and every host name unresolvable."""
    argv = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    ]
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True)
    if shutil.which("unshare") and probe.returncode == 0:
        argv = ["unshare", "--net", *argv]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout
