"""Make the README's screenshots (docs/img/*.png) from a throw-away home prepared the way the
browser tests prepare theirs — never from real data:

- two tiny open releases built by ``masking.release`` from made-up records (as
  tests/web/conftest.py ``released`` builds them),
- the console's users, share requests and review pair of tests/web/browser/console_home.py,

served by the whole application under uvicorn on a free 127.0.0.1 port and shot by Debian's
Chromium through Selenium (tests/web/browser/driver.py), each page cropped to 1280×800.

    PYTHONPATH=. .venv/bin/python docs/img/make_screenshots.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

WIDTH, HEIGHT = 1280, 800
MAX_BYTES = 200_000  # each screenshot in the repository stays small


def build_home(base: Path):
    """A home with the tiny releases of the portal's tests and the console's cases."""
    from jutong.governance.db import dispose_all
    from jutong.lake import Lake
    from jutong.settings import reset_settings_cache
    from masking.release import build_release
    from tests.conftest import make_home, settings_for
    from tests.masking.test_release import (
        AS_OF,
        load_base,
        load_population,
        org_rows,
        population_rows,
    )
    from tests.web.browser.console_home import prepare

    home = make_home(base / "home")
    os.environ["JUTONG_HOME"] = str(home)
    os.environ["JUTONG_KEY_DIR"] = str(home / "keys")
    reset_settings_cache()
    settings = settings_for(home)
    load_base(settings, "legal_entity", org_rows(40))
    load_population(settings, population_rows(240))
    build_release(settings, "qiye_registrations", as_of=AS_OF, actor="screenshots")
    Lake(settings).table("base", "legal_entity").append(org_rows(45).slice(40))
    build_release(settings, "qiye_registrations", as_of=AS_OF, actor="screenshots")
    build_release(settings, "population_by_county_sex_age", as_of=AS_OF, actor="screenshots")
    dispose_all()
    return settings, prepare(settings)


def shoot(driver, path: Path) -> None:
    """The top 1280×800 of the page as PNG; refused loudly when it is too big to commit."""
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"format": "png", "clip": {"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT, "scale": 1}},
    )
    data = base64.b64decode(shot["data"])
    if len(data) > MAX_BYTES:
        raise SystemExit(f"{path.name}: {len(data):,} bytes, more than {MAX_BYTES:,}")
    path.write_bytes(data)
    print(f"{path}  {len(data) // 1024} KB")


def log_in(driver, url: str, user: str, then: str) -> None:
    from selenium.webdriver.common.by import By

    from tests.web.browser.console_home import PASSWORD

    driver.delete_all_cookies()
    driver.get(url + then)
    driver.find_element(By.NAME, "username").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    deadline = time.monotonic() + 15
    while driver.current_url != url + then:
        if time.monotonic() > deadline:
            raise SystemExit(f"{user} could not sign in: {driver.current_url}")
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    from tests.web.browser.driver import Served, start_chromium
    from web.app import create_app

    with tempfile.TemporaryDirectory(prefix="jutong-screenshots-") as tmp:
        settings, cases = build_home(Path(tmp))
        with Served(create_app(settings)) as served:
            driver = start_chromium(
                Path(tmp) / "profile",
                size=f"{WIDTH},{HEIGHT + 200}",
                extra_flags=("--hide-scrollbars",),
            )
            try:
                url = served.url
                driver.get(url + "/catalog")
                shoot(driver, args.out / "portal-catalog.png")
                log_in(driver, url, "zhang", "/console/inbox/gongan")
                shoot(driver, args.out / "console-inbox.png")
                driver.get(f"{url}/console/cases/{cases.for_gongan}")
                shoot(driver, args.out / "console-case.png")
                log_in(driver, url, "wang", "/console/evaluation")
                shoot(driver, args.out / "console-evaluation.png")
            finally:
                driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
