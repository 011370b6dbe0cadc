"""A citizen in a real browser (Chromium through Selenium) on the real portal: signs up with
the form, files a complaint from a release's page, and the release's download disappears (its
address answers 451, GX-Open art. 22). Screenshots of the sign-up, the request form, the
complaint form, the release after the complaint and the notices page go to the artifacts."""

from __future__ import annotations

import urllib.error
import urllib.request

from tests.browser import needs_webdriver
from tests.web.browser.test_portal import shoot, wait_for
from tests.web.conftest import QIYE

pytestmark = needs_webdriver


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - the local test server
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def test_citizen_signs_up_and_a_complaint_removes_the_download(browser, portal, screenshots):
    from selenium.webdriver.common.by import By

    b = browser
    download = f"{portal.url}/releases/{QIYE}/v2/data.csv"
    assert status_of(download) == 200

    # signing up from the login page a protected page sent us to
    b.get(f"{portal.url}/releases/{QIYE}")
    b.find_element(By.CSS_SELECTOR, "#complain a").click()
    wait_for(lambda: "/account/login" in b.current_url, what="the login page")
    b.find_element(By.PARTIAL_LINK_TEXT, "注册").click()
    wait_for(lambda: b.find_elements(By.ID, "signup-form"), what="the sign-up form")
    b.find_element(By.NAME, "account").send_keys("zhangsan")
    b.find_element(By.NAME, "name").send_keys("张三")
    b.find_element(By.NAME, "password").send_keys("pw-long-enough")
    shoot(b, screenshots, "10-signup")
    b.find_element(By.CSS_SELECTOR, "#signup-form button[type=submit]").click()
    # back where we were going: the complaint form of the release
    wait_for(lambda: b.find_elements(By.ID, "complaint-form"), what="the complaint form")
    b.find_element(By.CSS_SELECTOR, "input[name=grounds][value=privacy]").click()
    b.find_element(By.NAME, "evidence").send_keys("第3行含自然人姓名和住址")
    shoot(b, screenshots, "11-complaint-form")
    b.find_element(By.CSS_SELECTOR, "#complaint-form button[type=submit]").click()

    wait_for(lambda: b.find_elements(By.ID, "complaint-filed"), what="the complaint notice")
    assert b.find_elements(By.ID, "unavailable")
    assert not b.find_elements(By.CSS_SELECTOR, "a.download")
    assert "CP-" in b.find_element(By.ID, "complaint-filed").text
    shoot(b, screenshots, "12-release-after-complaint")
    assert status_of(download) == 451

    # the request form of a conditional entry, and the notices page linked from every page
    b.get(f"{portal.url}/catalog/entries/ziranziyuan.zongdi")
    b.find_element(By.ID, "request-link").click()
    wait_for(lambda: b.find_elements(By.ID, "request-form"), what="the request form")
    b.find_element(By.CSS_SELECTOR, "input[name=items][value=parcel_code]").click()
    b.find_element(By.NAME, "purpose").send_keys("城市规划研究")
    shoot(b, screenshots, "13-request-form")
    b.find_element(By.ID, "nav-notices").click()
    wait_for(
        lambda: (
            b.find_elements(By.ID, "no-notices") or b.find_elements(By.CSS_SELECTOR, ".notice-item")
        ),
        what="the notices page",
    )
    shoot(b, screenshots, "14-notices")
