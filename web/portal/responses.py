"""The portal's error answers: one page for people, one JSON shape for programs.

A browser (``Accept`` naming ``text/html``) gets ``portal/error.html`` with the status, what
was wrong and where to go; anything else gets the web service's JSON error shape,
``{"error": {"code", "message", "details"}}`` (the same as the REST API's). A release that is
suspended or withdrawn answers **451 Unavailable For Legal Reasons** (RFC 7725) with the
recorded reason (GX-Open art. 22); it is never stored by a cache (``Cache-Control: no-store``),
so a restored release is downloadable again at once.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from web.templating import templates

CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    451: "unavailable_for_legal_reasons",
}
TITLES = {
    400: ("请求有误", "Bad request"),
    401: ("请先登录", "Sign-in required"),
    403: ("无权访问", "Forbidden"),
    404: ("未找到", "Not found"),
    451: ("因法律原因不可用", "Unavailable for legal reasons"),
}


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def error(
    request: Request,
    status: int,
    message: str,
    *,
    details: Any = None,
    back: str | None = None,
    info: Any = None,
) -> Response:
    """The error answer for ``request``: an HTML page (in the portal's layout when ``info``,
    the portal's ``PortalInfo``, is given) or the JSON error shape."""
    code = CODES.get(status, "error")
    headers = {"Cache-Control": "no-store"}
    if wants_html(request):
        title, title_en = TITLES.get(status, ("错误", "Error"))
        return templates.TemplateResponse(
            request,
            "portal/error.html",
            {
                "status": status,
                "code": code,
                "title": title,
                "title_en": title_en,
                "message": message,
                "details": details,
                "back": back,
                "info": info,
                "layout": "portal/layout.html" if info is not None else "base.html",
            },
            status_code=status,
            headers=headers,
        )
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message, "details": details}},
        headers=headers,
    )


__all__ = ["error", "wants_html"]
