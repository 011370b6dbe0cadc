"""A Data Docs site as Great Expectations 1.24 really writes it (pandas batch, no Spark) is
made self-contained: every page loads only the vendored copies, nothing else from outside."""

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from jutong.webassets.datadocs import BRAND, CDN, MARKER, VENDOR, localize_page, localize_site
from jutong.webassets.scan import is_external, page_assets, scan_html
from tests.browser import chromium, dom_offline, needs_chromium


@pytest.fixture(scope="module")
def ge_built(tmp_path_factory) -> Path:
    """A site built by GE's own site builder with its defaults (how-to buttons on)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx
    import pandas as pd

    site = tmp_path_factory.mktemp("site")
    ctx = gx.get_context(mode="ephemeral")
    for name in list(ctx.get_site_names()):
        ctx.delete_data_docs_site(name)
    ctx.add_data_docs_site(
        site_name="t",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    bd = (
        ctx.data_sources.add_pandas("p")
        .add_dataframe_asset("a")
        .add_batch_definition_whole_dataframe("b")
    )
    suite = ctx.suites.add(
        gx.ExpectationSuite(
            name="gongan.huji",
            expectations=[
                gx.expectations.ExpectColumnValuesToNotBeNull(column="姓名"),
                gx.expectations.ExpectColumnValuesToBeInSet(column="状态", value_set=["有效"]),
            ],
        )
    )
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="v", data=bd, suite=suite))
    cp = ctx.checkpoints.add(
        gx.Checkpoint(
            name="c",
            validation_definitions=[vd],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["t"])],
        )
    )
    df = pd.DataFrame({"姓名": ["张三", "李四"], "状态": ["有效", "注销"]})
    cp.run(batch_parameters={"dataframe": df})
    return site


@pytest.fixture()
def ge_site(ge_built, tmp_path) -> Path:
    """A fresh copy of the site as GE wrote it."""
    return Path(shutil.copytree(ge_built, tmp_path / "site"))


def _local_refs_resolve(site: Path) -> None:
    for page in site.rglob("*.html"):
        for url in page_assets(page.read_text(encoding="utf-8")):
            if is_external(url) or url.startswith(("data:", "#")):
                continue
            target = (page.parent / url.split("?")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(site)} loads missing {url}"


def test_ge_writes_cdn_assets_and_localizing_leaves_none(ge_site):
    before = scan_html(ge_site)
    hosts = {re.sub(r"^https?://([^/]+)/.*$", r"\1", u) for _, u in before}
    assert {"cdn.jsdelivr.net", "unpkg.com", "code.jquery.com"} <= hosts  # GE's templates
    assert all(u in CDN or "great-expectations-web-assets" in u for _, u in before), before

    result = localize_site(ge_site)
    assert result.unexpected == [] and result.pages >= 3
    assert scan_html(ge_site) == []
    _local_refs_resolve(ge_site)
    for folder, rel in CDN.values():
        assert (ge_site / VENDOR / folder / rel).is_file()

    index = (ge_site / "index.html").read_text(encoding="utf-8")
    assert "bootstrapTable" in index and "gongan.huji" in index  # the results table's data
    assert BRAND in index and MARKER in index and '<html lang="zh-CN">' in index
    assert "Noto Sans CJK SC" in index and "Microsoft YaHei" in index
    assert "newsletter" not in index and "integrity=" not in index
    # idempotent: a second pass rewrites nothing
    assert localize_site(ge_site).pages == 0


def test_only_pages_written_since_are_rewritten(tmp_path):
    page = (
        "<html><head>"
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script></head></html>'
    )
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "p.html").write_text(page, encoding="utf-8")
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    past = time.time() - 3600
    os.utime(tmp_path / "old" / "p.html", (past, past))
    os.utime(tmp_path / "index.html", (past, past))
    assert localize_site(tmp_path, since=time.time() - 60).pages == 1  # the index, always
    assert "code.jquery.com" in (tmp_path / "old" / "p.html").read_text(encoding="utf-8")
    assert localize_site(tmp_path).pages == 1
    assert scan_html(tmp_path) == []


def test_an_asset_without_a_vendored_copy_is_removed_and_reported():
    page = (
        "<html><head>"
        '<link rel="stylesheet" href="https://cdn.example.com/new.css"/>'
        '<script src="https://cdn.example.com/new.js" integrity="sha384-x"></script>'
        '<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js" '
        'integrity="sha384-JjSm" crossorigin="anonymous"></script>'
        "</head><body>"
        '<img class="NO-CACHE" src="https://great-expectations-web-assets.s3.us-east-2'
        '.amazonaws.com/logo-long.png?d=1" alt="Great Expectations"/>'
        '<img src="https://cdn.example.com/pixel.gif">'
        '<iframe src="https://frame.example.com/x"></iframe></body></html>'
    )
    done = localize_page(page, "../static/vendor")
    assert done.unexpected == [
        "https://cdn.example.com/new.js",
        "https://cdn.example.com/new.css",
        "https://cdn.example.com/pixel.gif",
        "https://frame.example.com/x",
    ]
    assert done.localized == [
        "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js"
    ]
    assert '<script src="../static/vendor/bootstrap-4.3.1/dist/js/bootstrap.min.js"></script>' in (
        done.text
    )
    assert BRAND in done.text and "cdn.example.com" not in done.text
    assert done.left == ["https://frame.example.com/x"]


# CI installs Chromium (.ci/run) and sets CI_REQUIRE_BROWSER=1: there a missing browser
# fails this test instead of skipping it (tests/browser.py).
@needs_chromium
def test_the_index_fills_its_results_table_in_a_browser_with_no_network(ge_site):
    assert chromium(), "CI_REQUIRE_BROWSER is set but no Chromium is installed"
    index = ge_site / "index.html"
    # as GE writes it, bootstrap-table never loads offline and the table stays empty
    assert 'data-index="0"' not in dom_offline(index)
    localize_site(ge_site)
    dom = dom_offline(index)
    rows = re.findall(r'<tr class="clickable-row" data-href="([^"]+)" data-index="\d+"', dom)
    assert any(r.startswith("validations/gongan/huji/") for r in rows), rows
    assert "expectations/gongan/huji.html" in rows


def test_site_lock_is_reentrant_and_held_against_other_processes(tmp_path):
    """The gate builds pages and localizes them under one ``site_lock``; ``localize_site``
    takes it again (no deadlock), while another process waits for it."""
    import subprocess
    import sys

    from jutong.webassets import site_lock

    probe = (
        "import fcntl, sys\n"
        "fh = open(sys.argv[1], 'w')\n"
        "try:\n"
        "    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except BlockingIOError:\n"
        "    sys.exit(3)\n"
    )
    lock_file = tmp_path / ".jutong-localize.lock"
    with site_lock(tmp_path):
        assert localize_site(tmp_path).pages == 0  # re-entered
        held = subprocess.run([sys.executable, "-c", probe, str(lock_file)], check=False)
        assert held.returncode == 3
    free = subprocess.run([sys.executable, "-c", probe, str(lock_file)], check=False)
    assert free.returncode == 0
