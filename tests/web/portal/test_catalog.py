"""The open catalog page: which datasets are open (GX-Open art. 16 fields), search and filters."""

from __future__ import annotations

import re

from tests.web.conftest import POPULATION, QIYE

OPEN = {QIYE, POPULATION, "shenpi.xuke", "ziranziyuan.zongdi"}


def shown(page: str) -> set[str]:
    return set(re.findall(r'data-dataset="([^"]+)"', page))


def test_home_redirects_to_the_catalog(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"].endswith("/catalog")


def test_the_open_catalog_lists_open_releases_and_open_entries_only(client):
    r = client.get("/catalog")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    # not open (不予开放) entries are not listed; an entry with a release is listed as its release
    assert shown(page) == OPEN
    assert "gongan.huji" not in shown(page) and "shichang.qiye" not in shown(page)
    assert '<html lang="zh-CN">' in page
    # GX-Open art. 16 fields, bilingual labels
    for label in (
        "数据提供单位",
        "Provider",
        "数据领域",
        "Theme",
        "开放类型",
        "更新频率",
        "数据格式",
    ):
        assert label in page, label
    assert "自治区市场监督管理局" in page and "企业登记注册信息（开放数据）" in page
    assert "Enterprise registrations (open data)" in page
    assert "无条件开放" in page and "有条件开放" in page
    assert "依申请提供" in page  # the conditional entries have no file
    assert "v2 · 45 行" in page  # qiye's served version and its rows
    assert 'id="result-count">4<' in page


def test_search_and_filters(client):
    def ids(**params) -> set[str]:
        r = client.get("/catalog", params=params)
        assert r.status_code == 200
        return shown(r.text)

    assert ids(department="shichang") == {QIYE}
    assert ids(department="gongan") == {POPULATION}  # the aggregate's provider
    assert ids(theme="自然资源") == {"ziranziyuan.zongdi"}
    assert ids(theme="人口") == {POPULATION}
    assert ids(open_type="conditional") == {"shenpi.xuke", "ziranziyuan.zongdi"}
    assert ids(open_type="unconditional") == {QIYE, POPULATION}
    assert ids(q="宗地") == {"ziranziyuan.zongdi"}
    assert ids(q="enterprise") == {QIYE}  # English titles, case-insensitive
    assert ids(q="住所") == {QIYE}  # a data item's label
    assert ids(q="年龄组") == {POPULATION}
    assert ids(q="宗地", department="shichang") == set()
    page = client.get("/catalog", params={"department": "nobody"}).text
    assert "没有符合条件的数据集" in page and 'id="result-count">0<' in page


def test_filters_show_departments_and_themes_with_counts(client):
    page = client.get("/catalog").text
    assert re.search(r'<option value="shichang"\s*>自治区市场监督管理局 · Market Regulation', page)
    assert '<option value="自然资源" >自然资源 (1)</option>' in page
    assert "有条件开放 · open on approved request (2)" in page


def test_a_bad_open_type_or_page_is_refused(client):
    r = client.get("/catalog", params={"open_type": "everything"})
    assert r.status_code == 422
    assert "open_type" in r.text
    assert client.get("/catalog", params={"page": 0}).status_code == 422
    assert client.get("/catalog", params={"per_page": 1000}).status_code == 422


def test_the_catalog_comes_in_pages(client):
    first = client.get("/catalog", params={"per_page": 3}).text
    assert len(shown(first)) == 3 and 'id="result-count">4<' in first
    assert "第 1/2 页" in first and 'id="prev-page"' not in first
    next_url = re.search(r'id="next-page" rel="next" href="([^"]+)"', first).group(1)
    assert next_url == "/catalog?per_page=3&amp;page=2"
    second = client.get("/catalog", params={"per_page": 3, "page": 2}).text
    assert len(shown(second)) == 1 and shown(first) | shown(second) == OPEN
    assert 'id="next-page"' not in second
    assert re.search(r'id="prev-page" rel="prev" href="/catalog\?per_page=3"', second)
    # filters are kept from page to page
    page = client.get("/catalog", params={"per_page": 1, "open_type": "conditional"}).text
    assert "open_type=conditional" in re.search(r'id="next-page"[^>]*', page).group(0)
    beyond = client.get("/catalog", params={"page": 9}).text
    assert shown(beyond) == set() and 'id="result-count">4<' in beyond


def test_an_entry_page_shows_its_art16_fields(client):
    r = client.get("/catalog/entries/ziranziyuan.zongdi")
    assert r.status_code == 200
    page = r.text
    assert "宗地基础信息" in page and "自治区自然资源厅" in page
    assert "权利人为自然人的，权利人名称和证件号码不开放" in page  # open conditions
    assert "每季度" in page and "quarterly" in page
    assert "GX-Open art. 20" in page  # how conditionally open data is obtained
    assert "<form" not in page.split('id="main"')[1]  # no request form yet (issue 16 item 1)


def test_an_entry_that_is_not_open_shows_only_its_open_releases(client):
    r = client.get("/catalog/entries/gongan.huji")
    assert r.status_code == 200
    assert "不予开放" in r.text and f"/releases/{POPULATION}" in r.text
    assert "身份号码" not in r.text  # neither its items nor its summary are in the open catalog
    r = client.get("/catalog/entries/shichang.qiye")  # open, shown through its release
    assert "市场主体的统一社会信用代码" in r.text and f"/releases/{QIYE}" in r.text
    r = client.get("/catalog/entries/minzheng.hunyin", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "not in the open catalog" in r.text
    assert client.get("/catalog/entries/nope.nope").json()["error"]["code"] == "not_found"


def test_a_catalog_change_shows_on_the_next_request(tmp_path):
    """The parsed catalog is kept between requests only while no catalog file changed."""
    import os

    from fastapi.testclient import TestClient

    from tests.conftest import make_home, settings_for
    from web.portal import create_portal_app

    settings = settings_for(make_home(tmp_path / "home"))
    entry = settings.catalog_dir / "ziranziyuan" / "zongdi.yaml"
    with TestClient(create_portal_app(settings)) as c:
        assert "宗地基础信息" in c.get("/catalog").text
        text = entry.read_text(encoding="utf-8")
        entry.write_text(text.replace("title: 宗地基础信息", "title: 宗地信息（新）"), "utf-8")
        st = entry.stat()
        os.utime(entry, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
        page = c.get("/catalog").text
        assert "宗地信息（新）" in page and "宗地基础信息" not in page
        # an entry made not open leaves the open catalog at once
        entry.write_text(text.replace("  type: conditional\n", "  type: none\n", 1), "utf-8")
        assert "ziranziyuan.zongdi" not in c.get("/catalog").text
        assert c.get("/catalog/entries/ziranziyuan.zongdi").status_code == 404
