"""A real browser on the real service: uvicorn serving ``create_portal_app`` (the portal's
tests) or the whole ``create_app`` (the console's) on a free 127.0.0.1 port in a thread, and
Debian's Chromium driven by Selenium through Debian's chromedriver (given by path: Selenium
Manager downloads nothing). One browser per test module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from jutong.governance.db import dispose_all
from jutong.settings import Settings
from tests.browser import (
    artifacts_dir,
    browser_required,
    chromedriver,
    chromium,
)
from tests.conftest import settings_for
from tests.web.browser.console_home import ConsoleHome, prepare
from tests.web.browser.driver import Served, start_chromium
from web.app import create_app
from web.portal import create_portal_app


@pytest.fixture()
def portal(portal_settings) -> Iterator[Served]:
    with Served(create_portal_app(portal_settings)) as served:
        yield served


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory, downloads):
    """Headless Chromium under Selenium, with a fresh profile and a download folder."""
    if browser_required():
        assert chromium() and chromedriver(), (
            "CI_REQUIRE_BROWSER is set but Chromium or chromedriver is not installed"
        )
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"), downloads)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    return artifacts_dir("screenshots", "portal")


# ---- the staff console (test_console.py) ----


@pytest.fixture(scope="module")
def console_settings(released, tmp_path_factory) -> Iterator[Settings]:
    """The released home with a governance database of this module's own, prepared with the
    console's users, cases and review pair (console_home.py)."""
    db = tmp_path_factory.mktemp("console") / "governance.db"
    shutil.copy2(released.governance_db, db)
    yield settings_for(released.home, governance_db_uri=f"sqlite:///{db}")
    dispose_all()


@pytest.fixture(scope="module")
def console_home(console_settings) -> ConsoleHome:
    return prepare(console_settings)


@pytest.fixture(scope="module")
def console(console_settings, console_home) -> Iterator[Served]:
    """The whole application (API, console, portal) as ``jutong serve`` runs it."""
    with Served(create_app(console_settings)) as served:
        yield served


@pytest.fixture(scope="session")
def console_screenshots() -> Path:
    return artifacts_dir("screenshots", "console")
