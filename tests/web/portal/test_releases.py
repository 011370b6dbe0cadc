"""Release pages and downloads: versions, rows, SHA-256 checksums, CSV and Parquet; a suspended
or withdrawn release is not downloadable and says why (GX-Open art. 22): 451 with the reason."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from jutong.governance import releases as G
from jutong.governance.db import utcnow
from tests.web.conftest import POPULATION, QIYE
from tests.web.portal.conftest import HTML

pytestmark = pytest.mark.postgres  # SQLite and PostgreSQL (tests/conftest.py)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def folder(settings, version: int):
    from pathlib import Path

    return Path(next(v["path"] for v in G.versions(settings, QIYE) if v["version"] == version))


def test_release_page_shows_versions_rows_checksums_and_downloads(client, portal_settings):
    r = client.get(f"/releases/{QIYE}")
    assert r.status_code == 200
    page = r.text
    assert "企业登记注册信息（开放数据）" in page and "已发布" in page
    rows = dict(re.findall(r'<tr data-version="(\d+)">.*?<td>([\d,]+)</td>\s*<td>', page, re.S))
    assert rows == {"2": "45", "1": "40"}
    for version in (1, 2):
        csv = (folder(portal_settings, version) / "data.csv").read_bytes()
        parquet = (folder(portal_settings, version) / "data.parquet").read_bytes()
        assert sha(csv) in page and sha(parquet) in page
        assert f"/releases/{QIYE}/v{version}/data.csv" in page
    # the download buttons are the served version's
    buttons = re.findall(r'class="download" data-file="([^"]+)" href="([^"]+)"', page)
    assert [(f, h.rsplit("/", 2)[-2]) for f, h in buttons] == [
        ("data.csv", "v2"),
        ("data.parquet", "v2"),
    ]
    # GX-Open art. 16 fields with the desensitization of each item, from metadata.json
    legal_rep = re.search(r"<td><code>legal_rep_name</code></td>(.*?)</tr>", page, re.S).group(1)
    assert "mask:person_name" in legal_rep
    assert "法定代表人身份证号不开放" in page
    # DCAT metadata of the served version, and the dataset as JSON-LD in the page
    assert "dcat:version" in page and "http://purl.org/cld/freq/daily" in page
    blob = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    node = json.loads(blob)
    assert node["@type"] == "dcat:Dataset" and node["dcat:version"] == "v2"
    assert {d["dcat:mediaType"]["@id"].rsplit("/", 1)[-1] for d in node["dcat:distribution"]} == {
        "csv",
        "vnd.apache.parquet",
    }


def test_downloads_are_the_release_files(client, portal_settings):
    v2 = folder(portal_settings, 2)
    r = client.get(f"/releases/{QIYE}/v2/data.csv")
    assert r.status_code == 200
    assert r.content == (v2 / "data.csv").read_bytes()
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == (f'attachment; filename="{QIYE}-v2-data.csv"')
    assert pacsv.read_csv(io.BytesIO(r.content)).num_rows == 45
    assert r.headers["cache-control"] == "no-cache" and r.headers["etag"]
    r = client.get(f"/releases/{QIYE}/v2/data.parquet")
    assert r.headers["content-type"] == "application/vnd.apache.parquet"
    assert pq.read_table(io.BytesIO(r.content)).num_rows == 45
    # an older version stays downloadable by its own address while the release is served
    assert (
        pacsv.read_csv(io.BytesIO(client.get(f"/releases/{QIYE}/v1/data.csv").content)).num_rows
        == 40
    )
    # SHA256SUMS lists the files as they are served
    sums = client.get(f"/releases/{QIYE}/v2/SHA256SUMS").text
    for line in sums.splitlines():
        digest, name = line.split("  ")
        assert sha(client.get(f"/releases/{QIYE}/v2/{name}").content) == digest
    meta = client.get(f"/releases/{QIYE}/v2/metadata.json").json()
    assert meta["jutong:rows"] == 45 and meta["dcat:version"] == "v2"
    assert client.head(f"/releases/{QIYE}/v2/data.csv").status_code == 200
    assert client.get(f"/releases/{POPULATION}/v1/data.csv").status_code == 200


def test_unknown_release_version_or_file_is_404(client):
    assert client.get("/releases/nope").status_code == 404
    assert client.get("/releases/nope", headers=HTML).text.count("无此开放数据集") == 1
    err = client.get(f"/releases/{QIYE}/v9/data.csv").json()["error"]
    assert err["code"] == "not_found" and "no version 9" in err["message"]
    err = client.get(f"/releases/{QIYE}/v2/governance.db").json()["error"]
    assert "no file 'governance.db'" in err["message"] and "data.csv" in err["message"]
    assert client.get(f"/releases/{QIYE}/v2/..%2F..%2Fgovernance.db").status_code == 404
    assert client.get(f"/releases/{QIYE}/vX/data.csv").status_code == 422


def test_suspended_release_is_not_downloadable_and_says_why(client, portal_settings):
    etag = client.get(f"/releases/{QIYE}/v2/data.csv").headers["etag"]
    reason = "投诉：疑似泄露法定代表人个人信息"
    G.suspend(portal_settings, QIYE, reason, actor="open-data staff")
    # a cache revalidating its copy is refused once the release is suspended
    stale = client.get(f"/releases/{QIYE}/v2/data.csv", headers={"If-None-Match": etag})
    assert stale.status_code == 451

    page = client.get(f"/releases/{QIYE}").text
    assert 'id="unavailable"' in page and reason in page and "已暂停开放" in page
    assert "GX-Open art. 22" in page
    assert "/data.csv" not in page and 'class="download"' not in page  # no download link at all
    assert 'id="downloads"' not in page

    for version in (1, 2):
        r = client.get(f"/releases/{QIYE}/v{version}/data.csv")
        assert r.status_code == 451
        err = r.json()["error"]
        assert err["code"] == "unavailable_for_legal_reasons"
        assert reason in err["message"] and "suspended" in err["message"]
        assert err["details"]["reason"] == reason and err["details"]["status"] == "suspended"
        assert err["details"]["release_page"].endswith(f"/releases/{QIYE}")
        assert r.headers["cache-control"] == "no-store"
    r = client.get(f"/releases/{QIYE}/v2/data.parquet", headers=HTML)
    assert r.status_code == 451 and r.headers["content-type"].startswith("text/html")
    assert reason in r.text and "因法律原因不可用" in r.text
    assert client.head(f"/releases/{QIYE}/v2/data.csv").status_code == 451
    # the catalog shows the status; the other release is untouched
    assert "已暂停开放" in client.get("/catalog", params={"department": "shichang"}).text
    assert client.get(f"/releases/{POPULATION}/v1/data.csv").status_code == 200

    G.restore(portal_settings, QIYE, "核实无问题", actor="reviewer")
    assert client.get(f"/releases/{QIYE}/v2/data.csv").status_code == 200
    assert 'id="unavailable"' not in client.get(f"/releases/{QIYE}").text


def test_withdrawn_versions_stay_unavailable_after_a_reopen(client, portal_settings, tmp_path):
    G.withdraw(portal_settings, QIYE, "核实属实，撤回", actor="reviewer")
    r = client.get(f"/releases/{QIYE}/v2/data.csv")
    assert r.status_code == 451 and "核实属实，撤回" in r.json()["error"]["message"]
    assert "已撤回" in client.get(f"/releases/{QIYE}").text

    # reopened after processing: a new version (recorded as a build records it)
    v3 = tmp_path / "v3"
    shutil.copytree(folder(portal_settings, 2), v3)
    G.record_build(
        portal_settings,
        QIYE,
        version=3,
        path=v3,
        rows=45,
        data_sha256=sha((v3 / "data.csv").read_bytes()),
        built_at=utcnow(),
        actor="builder",
        as_of=dt.date(2026, 12, 1),
        previous=G.check_buildable(portal_settings, QIYE),
    )
    assert client.get(f"/releases/{QIYE}/v3/data.csv").status_code == 200
    r = client.get(f"/releases/{QIYE}/v2/data.csv")
    assert r.status_code == 451
    assert r.json()["error"]["details"] | {"since": None} == {
        "release_id": QIYE,
        "version": 2,
        "status": "withdrawn",
        "reason": "核实属实，撤回",
        "since": None,
        "release_page": f"http://testserver/releases/{QIYE}",
    }
    page = client.get(f"/releases/{QIYE}").text
    assert 'id="unavailable"' not in page
    row = re.search(r'<tr data-version="2">(.*?)</tr>', page, re.S).group(1)
    assert "已撤回" in row and "href" not in row


def test_a_release_never_built_is_listed_as_not_published(client, portal_settings, tmp_path):
    from fastapi.testclient import TestClient

    from tests.conftest import settings_for
    from web.portal import create_portal_app

    empty = settings_for(
        portal_settings.home, governance_db_uri=f"sqlite:///{tmp_path / 'empty.db'}"
    )
    with TestClient(create_portal_app(empty)) as c:
        page = c.get(f"/releases/{QIYE}").text
        assert "尚未发布" in page and 'class="download"' not in page
        assert c.get(f"/releases/{QIYE}/v1/data.csv").status_code == 404
        assert "尚未发布" in c.get("/catalog").text
