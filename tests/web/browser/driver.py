"""What the browser tests and the README screenshots (docs/img/make_screenshots.py) share:
``Served`` (uvicorn in a thread on a free 127.0.0.1 port) and ``start_chromium`` (Debian's
Chromium under Selenium through Debian's chromedriver, given by path: Selenium Manager
downloads nothing)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from tests.browser import CHROMIUM_FLAGS, chromedriver, chromium


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


def start_chromium(
    profile: Path,
    downloads: Path | None = None,
    size: str = "1280,1600",
    extra_flags: tuple[str, ...] = (),
):
    """Headless Chromium under Selenium, with a fresh profile (and a download folder)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = chromium(), chromedriver()
    if not (binary and driver_path):
        raise RuntimeError("Chromium or chromedriver is not installed (see tests/browser.py)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, *extra_flags):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={size}")
    options.add_argument("--lang=zh-CN")
    if downloads is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(downloads),
                "download.prompt_for_download": False,
                "safebrowsing.enabled": False,
            },
        )
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    if downloads is not None:
        driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
    return driver
