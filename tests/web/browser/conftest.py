"""A real browser on the real service: uvicorn serving ``create_portal_app`` (the portal's
tests) or the whole ``create_app`` (the console's) on a free 127.0.0.1 port in a thread, and
Debian's Chromium driven by Selenium through Debian's chromedriver (given by path: Selenium
Manager downloads nothing). One browser per test module."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jutong.governance.db import dispose_all
from jutong.settings import Settings
from tests.browser import (
    CHROMIUM_FLAGS,
    artifacts_dir,
    browser_required,
    chromedriver,
    chromium,
)
from tests.conftest import settings_for
from tests.web.browser.console_home import ConsoleHome, prepare
from web.app import create_app
from web.portal import create_portal_app


class Served:
    """A uvicorn server in a thread, on a socket bound before it starts (no port race)."""

    def __init__(self, app) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


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
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1280,1600")
    options.add_argument("--lang=zh-CN")
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver()))
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
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
