"""The staff console (工作台): server-rendered pages under ``/console`` for departments,
quality owners, open-data staff and the bureau — on the API's authorization
(``web.auth``), the case engine and the core's actions; plain HTML forms (POST, then a
redirect), no JavaScript needed."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from web.console import (
    auth_pages,
    bureau,
    complaints,
    inbox,
    lifecycle,
    opening,
    quality,
    releases,
    requests,
)
from web.console.render import ConsoleRoute, error_page
from web.console.session import PREFIX

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("")
def bare() -> Response:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


for _module in (
    auth_pages,
    inbox,
    requests,
    quality,
    releases,
    bureau,
    opening,
    lifecycle,
    complaints,
):
    router.include_router(_module.router)

_unknown = APIRouter(route_class=ConsoleRoute)


@_unknown.get("/{rest:path}")
def unknown_page(request: Request, rest: str) -> Response:
    """Any other console path: a 404 page (not the API's JSON)."""
    return error_page(request, 404, f"没有这个页面 no console page '/console/{rest}'")


router.include_router(_unknown)  # last: after every real page

__all__ = ["router"]
