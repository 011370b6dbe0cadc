"""Walk the service's pages in a real browser inside a network namespace holding only loopback.

Run by ``test_offline.py`` as ``unshare --net … python -m tests.web.browser.offline_walk SPEC OUT``:
the service (``create_app``, as ``jutong serve`` runs it) and Chromium both live in the
namespace, so nothing either loads can come from outside. For each page it records what a user
would see: the title, the first heading, the stylesheets and how many rules each
holds (a sheet that failed to load holds none), whether htmx loaded where the page asks for it, the resources the page
loaded (Resource Timing). SPEC (JSON): home, governance_db_uri, password,
users ({login: [paths]}: each signs in and opens its pages; "" for pages opened signed out).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import settings_for
from tests.web.browser.driver import Served, start_chromium
from web.app import create_app

PROBE = """
const res = performance.getEntriesByType('resource').map(e => e.name);
const h1 = document.querySelector('h1');
const sheets = Array.from(document.styleSheets).map(s => {
  try { return {href: s.href || 'inline', rules: s.cssRules.length}; }
  catch (e) { return {href: s.href || 'inline', rules: -1}; }
});
const wantsHtmx = !!document.querySelector('script[src*="htmx"]');
return {
  title: document.title,
  h1: h1 ? h1.innerText : '',
  text: document.body ? document.body.innerText.slice(0, 4000) : '',
  sheets: sheets,
  font: getComputedStyle(document.body).fontFamily,
  wants_htmx: wantsHtmx,
  htmx: typeof window.htmx !== 'undefined',
  resources: res,
  rows: document.querySelectorAll('table tbody tr').length,
  svg: document.querySelectorAll('svg').length,
};
"""


def _wait_loaded(driver, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.execute_script("return document.readyState") == "complete":
            return
        time.sleep(0.05)


def _sign_in(driver, url: str, login: str, password: str, By) -> None:
    driver.get(url + "/console/login")
    driver.find_element(By.NAME, "username").send_keys(login)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    deadline = time.monotonic() + 20
    while "/console/login" in driver.current_url and time.monotonic() < deadline:
        time.sleep(0.05)
    if "/console/login" in driver.current_url:
        raise SystemExit(f"{login} could not sign in")


def main(spec_path: str, out_path: str) -> int:
    from selenium.webdriver.common.by import By

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    settings = settings_for(Path(spec["home"]), governance_db_uri=spec["governance_db_uri"])
    out: dict[str, dict] = {}
    with (
        Served(create_app(settings)) as served,
        tempfile.TemporaryDirectory() as profile,
    ):
        driver = start_chromium(Path(profile))
        try:
            for login, pages in spec["users"].items():
                driver.delete_all_cookies()
                if login:
                    _sign_in(driver, served.url, login, spec["password"], By)
                for path in pages:
                    driver.get(served.url + path)
                    _wait_loaded(driver)
                    time.sleep(0.3)  # htmx's first swap
                    out[path] = {**driver.execute_script(PROBE), "base": served.url}
        finally:
            driver.quit()
    Path(out_path).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
