"""The public portal in a real browser (Chromium through Selenium): browse and search the
catalog (htmx, vendored), open a release, download its CSV; a suspended release loses its
download and says why (GX-Open art. 22). Screenshots of the main pages are written to the test
artifacts folder (tests/browser.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from jutong.governance import releases as G
from tests.browser import needs_webdriver
from tests.web.conftest import QIYE

pytestmark = needs_webdriver


def wait_for(condition, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def shoot(driver, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    driver.set_window_size(1280, 900)  # measure the page, not the previous window
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1280, max(900, min(int(height) + 120, 4000)))
    assert driver.save_screenshot(str(path)), path
    assert path.stat().st_size > 10_000, f"{path} looks empty"
    return path


def text_of(driver, css: str) -> str:
    """The text of the element, read again if htmx swapped it meanwhile ("" while it is gone)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return driver.find_element(By.CSS_SELECTOR, css).text
    except (StaleElementReferenceException, NoSuchElementException):
        return ""


def dataset_ids(driver) -> list[str] | None:
    """The datasets listed, or None while htmx is swapping the list."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return [
            e.get_attribute("data-dataset")
            for e in driver.find_elements(By.CSS_SELECTOR, "article.dataset")
        ]
    except StaleElementReferenceException:
        return None


def test_browse_search_open_a_release_and_download_its_csv(
    portal, browser, downloads, screenshots, portal_settings
):
    from selenium.webdriver.common.by import By

    browser.get(portal.url + "/")
    assert browser.current_url == portal.url + "/catalog"
    assert text_of(browser, "#result-count") == "4"
    assert browser.execute_script("return typeof htmx") == "object"  # vendored htmx loaded
    shoot(browser, screenshots, "01-catalog")

    # typing filters the list in place (htmx), and the address follows the filter
    box = browser.find_element(By.ID, "q")
    box.send_keys("企业")
    # the last request (the whole word) decides what is shown, whatever order the answers came in
    wait_for(lambda: "q=%E4%BC%81%E4%B8%9A" in browser.current_url, what="pushed URL")
    wait_for(lambda: dataset_ids(browser) == [QIYE], what="search results")
    wait_for(lambda: text_of(browser, "#result-count") == "1", what="result count")
    shoot(browser, screenshots, "02-catalog-search")

    browser.find_element(By.LINK_TEXT, "企业登记注册信息（开放数据）").click()
    wait_for(lambda: browser.current_url.endswith(f"/releases/{QIYE}"), what="release page")
    assert "已发布" in text_of(browser, "hgroup")
    versions = browser.find_elements(By.CSS_SELECTOR, "table.versions tbody tr")
    assert [v.get_attribute("data-version") for v in versions] == ["2", "1"]
    shoot(browser, screenshots, "03-release")

    csv_button = browser.find_element(By.CSS_SELECTOR, 'a.download[data-file="data.csv"]')
    csv_button.click()
    served = next(Path(v["path"]) for v in G.versions(portal_settings, QIYE) if v["version"] == 2)
    target = downloads / f"{QIYE}-v2-data.csv"
    wait_for(lambda: target.is_file() and target.stat().st_size > 0, 15, "the CSV download")
    wait_for(lambda: not list(downloads.glob("*.crdownload")), 15, "download to finish")
    assert target.read_bytes() == (served / "data.csv").read_bytes()

    browser.get(portal.url + "/catalog/entries/ziranziyuan.zongdi")
    assert "宗地基础信息" in text_of(browser, "h1")
    shoot(browser, screenshots, "04-entry-conditional")
    browser.get(portal.url + "/terms")
    shoot(browser, screenshots, "05-terms")


def test_a_suspended_release_loses_its_download_and_says_why(
    portal, browser, screenshots, portal_settings
):
    from selenium.webdriver.common.by import By

    page = f"{portal.url}/releases/{QIYE}"
    browser.get(page)
    link = browser.find_element(By.CSS_SELECTOR, 'a.download[data-file="data.csv"]')
    csv_url = link.get_attribute("href")

    reason = "投诉：疑似泄露法定代表人个人信息"
    G.suspend(portal_settings, QIYE, reason, actor="open-data staff")
    browser.refresh()
    assert browser.find_elements(By.CSS_SELECTOR, "a.download") == []
    assert browser.find_elements(By.CSS_SELECTOR, "#downloads") == []
    assert text_of(browser, "#unavailable-reason") == reason
    assert "已暂停开放" in text_of(browser, "#unavailable")
    shoot(browser, screenshots, "06-release-suspended")

    browser.get(csv_url)  # the old address answers 451 with the reason
    assert "451" in text_of(browser, "#error h1")
    assert text_of(browser, "#error-reason") == reason
    shoot(browser, screenshots, "07-download-451")

    browser.get(portal.url + "/catalog")
    article = browser.find_element(By.CSS_SELECTOR, f'article[data-dataset="{QIYE}"]')
    assert "已暂停开放" in article.text


@pytest.fixture(autouse=True)
def _fresh_page(browser):
    yield
    browser.delete_all_cookies()
