"""The REST API, version 1 (``/api/v1``): one router per concern."""

from __future__ import annotations

from fastapi import APIRouter

from web.api import (
    audit,
    auth_routes,
    cases,
    catalog,
    evaluation,
    quality,
    releases,
    review,
    share,
    tickets,
    users,
)

PREFIX = "/api/v1"


def router() -> APIRouter:
    r = APIRouter(prefix=PREFIX)
    for mod in (
        auth_routes,
        share,
        cases,
        tickets,
        review,
        releases,
        catalog,
        quality,
        evaluation,
        audit,
        users,
    ):
        r.include_router(mod.router)
    return r
