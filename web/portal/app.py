"""A FastAPI application holding only the public portal: what the portal's tests and browser
tests run. The web service's ``create_app`` includes ``web.portal.router`` the same way."""

from __future__ import annotations

from fastapi import FastAPI

from jutong.settings import Settings, get_settings
from web.context import Context
from web.portal.routes import router
from web.templating import mount_static


def create_portal_app(settings: Settings | None = None) -> FastAPI:
    """The portal alone: its router, ``/static``, and the request context of ``settings``
    (else the process's), as ``web.app.create_app`` makes it."""
    app = FastAPI(
        title="Jutong open-data portal",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.context = Context(settings or get_settings())
    app.include_router(router)
    mount_static(app)
    return app


__all__ = ["create_portal_app"]
