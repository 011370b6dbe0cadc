"""The staff console (工作台): server-rendered pages under ``/console`` for departments,
quality owners, open-data staff and the bureau — on the API's authorization
(``web.auth``), the case engine and the core's actions; plain HTML forms (POST, then a
redirect), no JavaScript needed."""

from fastapi import APIRouter

from web.console import auth_pages, bureau, inbox, quality, releases, requests
from web.console.session import PREFIX

router = APIRouter(prefix=PREFIX, include_in_schema=False)
for _module in (auth_pages, inbox, requests, quality, releases, bureau):
    router.include_router(_module.router)

__all__ = ["router"]
