"""Make a Great Expectations Data Docs site work with no network.

GE 1.24's page templates load bootstrap, jquery, popper, bootstrap-table, bootstrap-datepicker,
bootstrap-dark, font-awesome and vega from public CDNs, a logo from an S3 bucket (with a
time-stamped query) and end with a newsletter link. Its site builder cannot point them
elsewhere (custom views are searched *after* GE's own templates), so the site is post-processed
after each build:

- the vendored copies (``jutong.webassets.packages``) are copied into ``<site>/static/vendor/``;
- every CDN ``<script src>``/``<link href>`` is pointed at its local copy (``CDN``), without
  ``integrity``/``crossorigin`` (a page opened from the file system has no origin to check them
  against; the vendored bytes are checked against their SHA-256 by the tests instead);
- the remote logo becomes a text brand, its CSS background ``none``, the newsletter footer goes;
- any other external script, stylesheet, image or CSS ``url()`` (a template changed by a GE
  upgrade) is removed and reported, so no such request leaves; an external asset of another
  kind (GE writes none) is reported; ``tests/webassets`` fails on any report;
- the pages get ``lang="zh-CN"`` and the CJK font stack (``jutong.webassets.fonts``).

The rewrite is idempotent: a page already processed is left as it is.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import posixpath
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from jutong.webassets.fonts import CJK_FONT_STACK
from jutong.webassets.install import copy_packages
from jutong.webassets.packages import PACKAGES
from jutong.webassets.scan import is_external, page_assets

VENDOR = "static/vendor"  # under the site's root

# GE 1.24's CDN URL -> (vendored package folder, file inside the package)
CDN: dict[str, tuple[str, str]] = {
    "https://cdn.jsdelivr.net/npm/vega@5": ("vega-5.33.1", "build/vega.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-lite@5": ("vega-lite-5.23.0", "build/vega-lite.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-embed@6": ("vega-embed-6.29.0", "build/vega-embed.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "fontawesome-free-6.6.0",
        "css/all.min.css",
    ),
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery-3.7.1", "dist/jquery.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper.js-1.12.9",
        "dist/umd/popper.min.js",
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap-4.3.1",
        "dist/js/bootstrap.min.js",
    ),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap-4.3.1",
        "dist/css/bootstrap.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table-1.19.1",
        "dist/bootstrap-table.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table-1.19.1",
        "dist/bootstrap-table.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        "bootstrap-table-1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": (
        "bootstrap-table-1.19.0",
        "dist/extensions/filter-control/bootstrap-table-filter-control.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        "bootstrap-table-1.19.0",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": (
        "bootstrap-datepicker-1.9.0",
        "dist/css/bootstrap-datepicker.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": (
        "bootstrap-datepicker-1.9.0",
        "dist/js/bootstrap-datepicker.min.js",
    ),
    # the same version's minified build of the same stylesheet (883 KB -> 145 KB)
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": (
        "bootstrap-dark-1.1.0",
        "dist/css/bootstrap-prefers-dark.min.css",
    ),
}
# hosts whose assets are dropped on purpose (GE's logo bucket): not reported as unexpected
DROPPED_HOSTS = frozenset({"great-expectations-web-assets.s3.us-east-2.amazonaws.com"})
BRAND = '<span class="jutong-brand">数据质量 Data Docs</span>'
MARKER = 'id="jutong-offline"'
STYLE = (
    f"<style {MARKER}>body{{font-family:{CJK_FONT_STACK}}}"
    ".jutong-brand{display:inline-block;line-height:50px;font-size:1.25rem;font-weight:600}"
    "</style>"
)

_SCRIPT = re.compile(
    r"""<script\b(?P<pre>[^>]*?)\bsrc\s*=\s*(?P<q>["'])(?P<url>.*?)(?P=q)(?P<post>[^>]*)>"""
    r"""\s*</script>""",
    re.IGNORECASE | re.DOTALL,
)
_LINK = re.compile(
    r"""<link\b(?P<pre>[^>]*?)\bhref\s*=\s*(?P<q>["'])(?P<url>.*?)(?P=q)(?P<post>[^>]*)>""",
    re.IGNORECASE | re.DOTALL,
)
_IMG = re.compile(
    r"""<img\b[^>]*?\bsrc\s*=\s*(?P<q>["'])(?P<url>.*?)(?P=q)[^>]*>""", re.IGNORECASE | re.DOTALL
)
_STYLE_BLOCK = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.IGNORECASE | re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)\s*([^'")\s]+)\s*\1\s*\)""", re.IGNORECASE)
_SRI = re.compile(r"""\s+(?:integrity|crossorigin)(?:\s*=\s*(["']).*?\1)?""", re.IGNORECASE)
_NEWSLETTER = re.compile(
    r"<footer>(?:(?!</footer>).)*?newsletter(?:(?!</footer>).)*?</footer>\s*",
    re.IGNORECASE | re.DOTALL,
)
_STATIC_REL = re.compile(r"^(?:\./|(?:\.\./)+)static/")
_HTML_NO_LANG = re.compile(r"<html(?![^>]*\blang=)([^>]*)>", re.IGNORECASE)


def _drop_css_urls(css: str, dropped: list[str]) -> str:
    """``css`` with every external ``url()`` replaced by ``none`` (appended to ``dropped``)."""

    def one(u: re.Match) -> str:
        if not is_external(u.group(2)):
            return u.group(0)
        dropped.append(u.group(2))
        return "none"

    return _CSS_URL.sub(one, css)


@dataclass
class PageResult:
    text: str
    localized: list[str] = field(default_factory=list)  # CDN URLs pointed at local copies
    dropped: list[str] = field(default_factory=list)  # external assets removed
    left: list[str] = field(default_factory=list)  # external assets of another kind, kept

    @property
    def unexpected(self) -> list[str]:
        """Assets dropped but not known to be dropped on purpose, and any left (a GE template
        changed)."""
        known = [u for u in self.dropped if (urlsplit(u).hostname or "") not in DROPPED_HOSTS]
        return known + self.left


def localize_page(text: str, vendor_url: str) -> PageResult:
    """One Data Docs page with every external asset pointed at the vendored copy under
    ``vendor_url`` (the relative URL of ``static/vendor`` from the page) or removed."""
    result = PageResult(text)
    static_url = posixpath.dirname(vendor_url)  # the site's static folder, seen from the page

    def tag(m: re.Match, closing: str) -> str:
        url = m.group("url")
        if not is_external(url):
            # GE's favicon link on a validation page climbs one folder too few: re-anchor
            # every link into the site's static folder
            fixed = _STATIC_REL.sub(static_url + "/", url, count=1)
            return m.group(0).replace(url, fixed, 1) if not closing else m.group(0)
        if url not in CDN:
            result.dropped.append(url)
            return ""
        folder, file = CDN[url]
        result.localized.append(url)
        pre, post = _SRI.sub("", m.group("pre")), _SRI.sub("", m.group("post"))
        q = m.group("q")
        name, attr = ("script", "src") if closing else ("link", "href")
        return f"<{name}{pre}{attr}={q}{vendor_url}/{folder}/{file}{q}{post}>{closing}"

    def img(m: re.Match) -> str:
        url = m.group("url")
        if not is_external(url):
            return m.group(0)
        result.dropped.append(url)
        return BRAND if 'alt="Great Expectations"' in m.group(0) else ""

    def style(m: re.Match) -> str:
        return m.group(1) + _drop_css_urls(m.group(2), result.dropped) + m.group(3)

    out = _SCRIPT.sub(lambda m: tag(m, "</script>"), text)
    out = _LINK.sub(lambda m: tag(m, ""), out)
    out = _IMG.sub(img, out)
    out = _STYLE_BLOCK.sub(style, out)
    out = _NEWSLETTER.sub("", out)
    out = _HTML_NO_LANG.sub(r'<html lang="zh-CN"\1>', out, count=1)
    if MARKER not in out:
        out = out.replace("</head>", STYLE + "\n</head>", 1)
    result.text = out
    # kinds GE does not write (iframes, srcset, script loads…): reported, never silent
    result.left = [u for u in page_assets(out) if is_external(u)]
    return result


def localize_css(text: str) -> PageResult:
    """A stylesheet of the site (GE copies its own into ``static/styles``) without external
    ``url()``."""
    result = PageResult(text)
    result.text = _drop_css_urls(text, result.dropped)
    return result


@dataclass
class SiteResult:
    pages: int = 0  # pages and stylesheets rewritten
    unexpected: list[tuple[str, str]] = field(default_factory=list)  # (page, url) dropped


_THREAD_LOCKS: dict[str, threading.RLock] = {}
_HELD: dict[str, int] = {}  # site → depth of the holding thread's nested ``site_lock``s
_GUARD = threading.Lock()


@contextlib.contextmanager
def site_lock(site: Path):
    """One writer at a time per Data Docs site: across processes (gates in several processes
    share a lake: a file lock) and across threads; re-entrant, so that a caller holding it
    (building pages, then localizing them) can call ``localize_site``."""
    key = str(Path(site).resolve())
    with _GUARD:
        rlock = _THREAD_LOCKS.setdefault(key, threading.RLock())
    with rlock:
        if _HELD.get(key):
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        Path(site).mkdir(parents=True, exist_ok=True)
        with open(Path(site) / ".jutong-localize.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            _HELD[key] = 1
            try:
                yield
            finally:
                _HELD[key] = 0


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def localize_site(site: Path, since: float | None = None) -> SiteResult:
    """Localize the Data Docs site under ``site``: copy the vendored packages into
    ``static/vendor`` and rewrite every page (only those modified at or after ``since``, a
    ``time.time()`` value, and ``index.html``, when given)."""
    site = Path(site)
    result = SiteResult()
    if not site.is_dir():
        return result
    folders = {folder for folder, _ in CDN.values()}
    with site_lock(site):
        copy_packages(site / VENDOR, [PACKAGES[f] for f in sorted(folders)])
        for page in sorted(p for p in site.rglob("*") if p.suffix in (".html", ".css")):
            rel_page = page.relative_to(site).as_posix()
            if rel_page.startswith(VENDOR + "/"):
                continue
            is_index = rel_page == "index.html"
            if since is not None and not is_index and page.stat().st_mtime < since:
                continue
            text = page.read_text(encoding="utf-8")
            if page.suffix == ".css":
                done = localize_css(text)
            else:
                done = localize_page(
                    text, posixpath.relpath(VENDOR, posixpath.dirname(rel_page) or ".")
                )
            if done.text != text:
                _write(page, done.text)
                result.pages += 1
            result.unexpected += [(rel_page, u) for u in done.unexpected]
    return result
