"""Server-rendered pages: the Jinja2 environment shared by the public portal and the staff console,
and the static files they load (``web/static/``, vendored assets only, never a CDN).

``templates.TemplateResponse(request, "portal/catalog.html", {...})`` renders a page extending
``base.html`` (``zh-CN``, Chinese labels with English where users expect it); ``mount_static``
serves ``web/static/`` at ``/static`` under the route name ``static`` that the layout's
``url_for('static', path=...)`` uses.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from jutong.webassets.fonts import CJK_FONT_STACK

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

# The vendored files the layout loads (web/static/README.md gives version, source, licence).
VENDOR = {
    "htmx": "vendor/htmx.org-2.0.11/dist/htmx.min.js",
    "pico": "vendor/pico-2.1.1/css/pico.min.css",
}


def filesize(n: int | None) -> str:
    """A byte count for people: ``1.2 MB`` (decimal units, as file managers show them)."""
    if n is None:
        return "—"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"  # pragma: no cover - the loop always returns


def utc(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC timestamp of the governance database (naive, UTC) shown with its zone."""
    if value is None:
        return "—"
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return f"{value.strftime(fmt)} UTC"


def thousands(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def script_json(value: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block: ``<``, ``>`` and ``&`` escaped
    so that no value can close the script element."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@pass_context
def url_for(context: dict, name: str, /, **path_params: object) -> str:
    """The path of a route (``/static/...``, ``/releases/...``), root path included: pages link
    within their own host whatever scheme and host a reverse proxy shows (absolute URLs are
    built in Python where a document needs them, e.g. the DCAT JSON-LD)."""
    return context["request"].url_for(name, **path_params).path


def _make_templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(TEMPLATES_DIR))
    t.env.globals["url_for"] = url_for
    t.env.filters.update(filesize=filesize, utc=utc, thousands=thousands, script_json=script_json)
    t.env.globals.update(VENDOR=VENDOR, FONT_STACK=CJK_FONT_STACK)
    return t


templates = _make_templates()


def mount_static(app: FastAPI) -> None:
    """Serve ``web/static/`` at ``/static`` (route name ``static``), once per application."""
    if not any(getattr(r, "name", None) == "static" for r in app.routes):
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "VENDOR", "mount_static", "templates"]
