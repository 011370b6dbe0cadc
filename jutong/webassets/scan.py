"""Find the external assets a folder's web pages would load.

An *asset* is something a browser fetches by itself when it opens the page, without the reader
clicking: ``src`` (and ``srcset``, ``poster``, ``<object data>``) on any element, ``href`` on
``<link>`` and ``<base>`` (and on SVG ``<image>``/``<use>``), CSS ``url()`` and ``@import`` (in
``<style>``, ``style=""`` and ``.css`` files), and URLs that an inline script hands to a loading
call (``fetch``, ``import``, ``importScripts``, ``$.getScript``/``getJSON``/``ajax``/``load``,
``XMLHttpRequest.open``, ``sendBeacon``, ``WebSocket``, ``EventSource``, ``new Image``,
``x.src =``, ``url:``). *External* means an absolute ``http(s)://`` or ``ws(s)://`` URL, or a
protocol-relative ``//host/...`` one, whose host is not one of ``allowed_hosts``. A plain
hyperlink (``<a href>``) is not an asset: following it is the reader's choice.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

_EXTERNAL = re.compile(r"^\s*(?:(?:https?|wss?):)?//", re.IGNORECASE)
# CSS: url(...) and @import "..."
_CSS_URL = re.compile(r"""url\(\s*(['"]?)\s*([^'")\s]+)\s*\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(['"])([^'"]+)\1""", re.IGNORECASE)
# an inline script handing a URL literal to a loading call
_URL_LITERAL = r"""(['"`])((?:(?:https?|wss?):)?//[^'"`\s]+)"""
_SCRIPT_LOAD = re.compile(
    r"(?:\b(?:fetch|import|importScripts|getScript|getJSON|ajax|load|open|sendBeacon|"
    r"WebSocket|EventSource|Image)\s*\(\s*(?:['\"][A-Za-z]+['\"]\s*,\s*)?"
    r"|\.src\s*=\s*|\burl\s*:\s*)" + _URL_LITERAL
)
_SRC_ATTRS = {"src", "poster"}
_HREF_TAGS = {"link", "base", "image", "use", "feimage"}


def is_external(url: str, allowed_hosts: frozenset[str] = frozenset()) -> bool:
    """``url`` points outside the page's own host (and outside ``allowed_hosts``)."""
    if not _EXTERNAL.match(url):
        return False
    host = urlsplit(url.strip()).hostname or ""
    return host.lower() not in allowed_hosts


def css_urls(text: str) -> list[str]:
    """Every URL a stylesheet text loads (``url()`` and ``@import``), in order."""
    return [m.group(2) for m in _CSS_URL.finditer(text)] + [
        m.group(2) for m in _CSS_IMPORT.finditer(text)
    ]


def script_urls(text: str) -> list[str]:
    """Absolute URLs an inline script hands to a loading call."""
    return [m.group(2) for m in _SCRIPT_LOAD.finditer(text)]


class _AssetParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in: str | None = None  # 'style' or 'script' while inside one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag if tag in ("style", "script") else None
        for name, value in attrs:
            if not value:
                continue
            if name in _SRC_ATTRS or (name == "data" and tag == "object"):
                self.urls.append(value)
            elif name == "srcset":
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name in ("href", "xlink:href") and tag in _HREF_TAGS:
                self.urls.append(value)
            elif name == "style":
                self.urls += css_urls(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in = None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.urls += css_urls(data)
        elif self._in == "script":
            self.urls += script_urls(data)


def page_assets(text: str) -> list[str]:
    """Every asset URL (local or external) an HTML text loads, in order."""
    parser = _AssetParser()
    parser.feed(text)
    parser.close()
    return parser.urls


def scan_html(folder: Path | str, allowed_hosts: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(file, url)`` for every external asset referenced by an ``.html``/``.htm`` or ``.css``
    file under ``folder`` (``file`` relative to ``folder``); empty when the pages are
    self-contained."""
    root = Path(folder)
    hosts = frozenset(h.lower() for h in allowed_hosts)
    found: list[tuple[str, str]] = []
    for path in sorted(root.rglob("*")):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in (".html", ".htm", ".css"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        urls = css_urls(text) if suffix == ".css" else page_assets(text)
        rel = path.relative_to(root).as_posix()
        found += [(rel, u) for u in urls if is_external(u, hosts)]
    return found
