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
