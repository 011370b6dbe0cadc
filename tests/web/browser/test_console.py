"""The staff console in a real browser (Chromium through Selenium) on the whole application
under uvicorn, with a real SQLite governance database (console_home.py): a provider signs in
through the login form and approves a share request from its inbox before its deadline; a
quality owner accepts a review pair shown side by side; a department is kept out of another
department's inbox and cases (403 page, audited); screenshots of the main pages are written to
the test artifacts folder (tests/browser.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.base.review import list_items
from jutong.governance.audit import events
from jutong.governance.cases.queries import clocks_of, get_case
from tests.browser import needs_webdriver
from tests.web.browser.console_home import PASSWORD
from tests.web.browser.test_portal import shoot, text_of, wait_for

pytestmark = needs_webdriver


def log_in(browser, console, user: str, then: str = "/console/") -> None:
    """Sign in through the login form, coming back to ``then`` (the page first asked for)."""
    from selenium.webdriver.common.by import By

    browser.get(console.url + then)
    assert browser.current_url.startswith(console.url + "/console/login"), browser.current_url
    browser.find_element(By.NAME, "username").send_keys(user)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # the click returns before the answer (an Argon2 check) is loaded
    wait_for(lambda: arrived(browser, lambda u: u == console.url + then), what=f"{user} in")


def arrived(browser, where) -> bool:
    """The browser is at a page whose address passes ``where``, and that page is loaded."""
    return where(browser.current_url) and (
        browser.execute_script("return document.readyState") == "complete"
    )


def row_of(browser, ref: str):
    from selenium.webdriver.common.by import By

    link = browser.find_element(By.LINK_TEXT, ref)
    return link.find_element(By.XPATH, "./ancestor::tr")


def test_provider_signs_in_and_approves_before_the_deadline(
    console, browser, console_settings, console_home, console_screenshots
):
    from selenium.webdriver.common.by import By

    ref = console_home.for_gongan
    browser.get(console.url + "/console/login")
    shoot(browser, console_screenshots, "01-login")
    # a wrong password is refused and says nothing about which part was wrong
    browser.find_element(By.NAME, "username").send_keys("zhang")
    browser.find_element(By.NAME, "password").send_keys("not-the-password")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: text_of(browser, "p.error"), what="the login refused")
    assert "登录" in text_of(browser, "h1")
    assert not browser.get_cookie("jutong_console")

    log_in(browser, console, "zhang", "/console/inbox/gongan")
    assert "待办 Inbox" in text_of(browser, "h1")
    [clock] = [c for c in clocks_of(console_settings, ref) if c.state == "provider_review"]
    today = dt.date.today()
    assert clock.due_on >= today  # the request is answered before its deadline
    row = row_of(browser, ref)
    assert "provider decision" in row.text
    assert str(clock.due_on) in row.text  # the page shows the deadline
    assert "已超期" not in row.text
    assert row.get_attribute("class") in ("running", "due_soon", "due_today")
    # the other request waiting on gongan's review is not here: it is the bureau's step
    assert not browser.find_elements(By.LINK_TEXT, console_home.overdue)
    shoot(browser, console_screenshots, "02-inbox")

    version = get_case(console_settings, ref).version
    row.find_element(By.CSS_SELECTOR, "button.ev-approve").click()
    wait_for(lambda: arrived(browser, lambda u: "done=approve" in u), what="the decision")
    assert browser.current_url.startswith(console.url + "/console/inbox/gongan?done=approve")
    assert f"{ref}: 同意共享 approve" in text_of(browser, "p.ok")
    assert not browser.find_elements(By.LINK_TEXT, ref)  # nothing left for gongan to do
    case = get_case(console_settings, ref)
    assert (case.state, case.version) == ("approved", version + 1)
    [ev] = [e for e in events(console_settings, subject=ref) if e.action.endswith(".approve")]
    assert (ev.actor, ev.role, ev.department) == ("zhang", "provider_staff", "gongan")

    # the case page shows the new state and the provider's step met on time
    browser.get(f"{console.url}/console/cases/{ref}")
    assert "approved" in browser.find_element(By.TAG_NAME, "main").text
    met = [
        tr
        for tr in browser.find_elements(By.CSS_SELECTOR, "tr.met")
        if tr.text.startswith("provider decision")
    ]
    assert len(met) == 1 and str(clock.due_on) in met[0].text
    shoot(browser, console_screenshots, "03-case")


def test_a_department_cannot_open_another_departments_inbox_or_case(
    console, browser, console_settings, console_home, console_screenshots
):
    from selenium.webdriver.common.by import By

    log_in(browser, console, "zhang", "/console/inbox/gongan")
    for page, what in (
        ("/console/inbox/minzheng", "inbox"),
        (f"/console/cases/{console_home.for_minzheng}", "case"),
    ):
        browser.get(console.url + page)
        assert text_of(browser, "h1") == "无权访问 Forbidden", what
        assert "permission denied" in text_of(browser, "p.error"), what
        # nothing of the other department's work is shown: no decision, no case details
        assert not browser.find_elements(By.CSS_SELECTOR, "form.decision"), what
        assert "参保人员家庭关系核验" not in browser.find_element(By.TAG_NAME, "main").text
    shoot(browser, console_screenshots, "09-forbidden")
    denied = [e for e in events(console_settings, action="access.denied") if e.actor == "zhang"]
    assert len(denied) >= 2
    assert {e.department for e in denied} == {"gongan"}


def test_quality_owner_accepts_a_review_pair_side_by_side(
    console, browser, console_settings, console_home, console_screenshots
):
    from selenium.webdriver.common.by import By

    item = console_home.review_item
    log_in(browser, console, "sun", "/console/review")
    shoot(browser, console_screenshots, "04-review-queue")
    browser.find_element(By.CSS_SELECTOR, f'a[href="/console/review/{item}"]').click()
    wait_for(lambda: arrived(browser, lambda u: u.endswith(f"/review/{item}")), what="the pair")
    assert browser.current_url == f"{console.url}/console/review/{item}"
    # the two records side by side: the differing field marked, the same one not
    name_row = browser.find_element(By.XPATH, "//table[@class='pair']//tr[th='name']")
    left, right = name_row.find_elements(By.TAG_NAME, "td")
    assert (left.text, right.text) == ("李四", "李 四")
    assert left.get_attribute("class") == right.get_attribute("class") == "differs"
    birth = browser.find_element(By.XPATH, "//table[@class='pair']//tr[th='birth_date']")
    cells = birth.find_elements(By.TAG_NAME, "td")
    assert [c.text for c in cells] == ["1990-01-02", "1990-01-02"]
    assert [c.get_attribute("class") for c in cells] == ["", ""]
    # shown side by side: the right record is drawn to the right of the left one, same line
    assert right.location["x"] > left.location["x"] + left.size["width"] - 1
    assert right.location["y"] == left.location["y"]
    shoot(browser, console_screenshots, "05-review-pair")

    browser.find_element(By.NAME, "note").send_keys("同一人，空格差异")
    browser.find_element(By.CSS_SELECTOR, 'button[value="accepted"]').click()
    wait_for(lambda: arrived(browser, lambda u: "done=accepted" in u), what="the review decision")
    assert browser.current_url == f"{console.url}/console/review?done=accepted&id={item}"
    assert "pair accepted" in text_of(browser, "p.ok")
    [decided] = [i for i in list_items(console_settings, status="accepted") if i.id == item]
    assert (decided.decided_by, decided.note) == ("sun", "同一人，空格差异")


def test_screenshots_of_the_bureau_and_open_data_pages(
    console, browser, console_home, console_screenshots
):
    from selenium.webdriver.common.by import By

    log_in(browser, console, "wang", "/console/overdue")
    assert console_home.overdue in browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    shoot(browser, console_screenshots, "06-overdue")
    browser.get(console.url + "/console/evaluation")
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 3
    shoot(browser, console_screenshots, "07-evaluation")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/logout'] button").click()
    wait_for(lambda: arrived(browser, lambda u: "/console/login" in u), what="logged out")

    log_in(browser, console, "liu", "/console/releases")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "qiye_registrations" in main and "population_by_county_sex_age" in main
    shoot(browser, console_screenshots, "08-releases")


@pytest.fixture(autouse=True)
def _fresh_session(browser):
    yield
    browser.delete_all_cookies()


def test_jutong_serve_names_the_console_and_the_portal_that_a_browser_opens(
    browser, console_settings, console_home, tmp_path
):
    """``jutong serve`` started as a user would: its start-up lines name the console and the
    portal, and those addresses open in the browser (users exist: no "no users yet" note)."""
    import os
    import re
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from selenium.webdriver.common.by import By

    from tests.browser import REPO

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "JUTONG_HOME": str(console_settings.home),
        "JUTONG_KEY_DIR": str(console_settings.key_dir),
        "JUTONG_GOVERNANCE_DB_URI": console_settings.governance_db_uri,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jutong",
                "serve",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                    break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)
            said = log_path.read_text()
            assert "no users yet" not in said
            console = re.search(r"staff console .*?(http://\S+)", said)
            portal = re.search(r"open-data portal .*?(http://\S+)", said)
            assert console and portal, said
            assert console.group(1) == f"http://127.0.0.1:{port}/console/"
            assert portal.group(1) == f"http://127.0.0.1:{port}/"
            browser.get(console.group(1))
            assert browser.current_url.startswith(console.group(1) + "login")
            assert browser.find_element(By.NAME, "password")
            browser.get(portal.group(1))
            assert browser.current_url == f"http://127.0.0.1:{port}/catalog"
            assert browser.find_elements(By.CSS_SELECTOR, "article.dataset")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    # on a home without users the same lines say how to add one, or to run make demo
    # (`jutong serve` on an empty home: tests/web/api/test_openapi_and_serve.py)
    from web.serve_cli import startup_lines

    empty = "\n".join(startup_lines(console_settings, "0.0.0.0", 8000, has_users=False))
    assert "no users yet" in empty and "jutong users add admin" in empty
    assert "`make demo`" in empty and "http://127.0.0.1:8000/console/" in empty
