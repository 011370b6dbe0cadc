"""Every page of the portal loads only files of its own (``/static``: vendored, checked against
web/static/README.md); no page, template or stylesheet references an outside URL."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from jutong.webassets.scan import is_external, page_assets, scan_html
from tests.web.conftest import POPULATION, QIYE
from tests.web.portal.conftest import HTML
from web.templating import STATIC_DIR, TEMPLATES_DIR, VENDOR

PAGES = [
    "/catalog",
    "/catalog?theme=人口",
    f"/releases/{QIYE}",
    f"/releases/{POPULATION}",
    "/catalog/entries/shenpi.xuke",
    "/catalog/entries/gongan.huji",
    "/terms",
]


def vendored() -> list[tuple[str, str, str]]:
    """(folder, file, sha256) of every row of the README's table."""
    text = (STATIC_DIR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| (@?[\w.-]+(?:/[\w.-]+)?) \| ([\w.]+) \| [\w.-]+ \| [0-9a-f]{64} \| (\S+) \| ([0-9a-f]{64}) \|$",
        text,
        re.M,
    )
    return [
        (f"{name.rsplit('/', 1)[-1]}-{version}", file, digest)
        for name, version, file, digest in rows
    ]


def test_vendored_files_match_the_readme():
    rows = vendored()
    assert len(rows) == 4
    for folder, file, digest in rows:
        path = STATIC_DIR / "vendor" / folder / file
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, path
    listed = {f"vendor/{folder}/{file}" for folder, file, _ in rows}
    on_disk = {
        p.relative_to(STATIC_DIR).as_posix()
        for p in (STATIC_DIR / "vendor").rglob("*")
        if p.is_file()
    }
    assert on_disk == listed  # nothing vendored that the README does not account for
    assert set(VENDOR.values()) <= listed


def test_templates_and_static_files_reference_no_outside_url():
    assert scan_html(TEMPLATES_DIR) == []
    assert scan_html(STATIC_DIR) == []


def test_no_page_loads_anything_from_outside(client):
    for url in PAGES:
        r = client.get(url, headers=HTML)
        assert r.status_code == 200, url
        assets = page_assets(r.text)
        assert [a for a in assets if is_external(a)] == [], url
        assert {urlsplit(a).path.rsplit("/", 1)[-1] for a in assets} >= {
            "pico.min.css",
            "site.css",
            "htmx.min.js",
        }
        for asset in assets:  # every asset the page loads is served here
            a = client.get(urlsplit(asset).path)
            assert a.status_code == 200, (url, asset)
    r = client.get(f"/releases/{QIYE}/v9/data.csv", headers=HTML)  # the error page too
    assert r.status_code == 404 and not [a for a in page_assets(r.text) if is_external(a)]
    # htmx is served as JavaScript, Pico as CSS
    assert (
        client.get(f"/static/{VENDOR['htmx']}")
        .headers["content-type"]
        .startswith("text/javascript")
    )
    assert client.get(f"/static/{VENDOR['pico']}").headers["content-type"].startswith("text/css")
