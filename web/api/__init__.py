"""The REST API, version 1 (``/api/v1``): one router per concern."""

from __future__ import annotations

from fastapi import APIRouter

from web.api import (
    accounts,
    audit,
    auth_routes,
    cases,
    catalog,
    complaints,
    evaluation,
    lifecycle,
    notices,
    open_data,
    opening,
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
        accounts,
        opening,
        open_data,
        complaints,
        lifecycle,
        notices,
    ):
        r.include_router(mod.router)
    return r
