"""The web application: ``create_app(settings)`` → FastAPI.

- ``/api/v1/…`` the REST API (``web.api``), OpenAPI at ``/api/openapi.json``, Swagger UI at
  ``/api/docs`` (vendored assets, nothing from another host);
- ``/api/v1/health`` without authentication;
- the public portal and the staff console are included at the marked place below.

The governance database is the one of the settings (embedded SQLite by default, PostgreSQL
through ``governance_db_uri``); it is brought to the newest schema revision at start-up.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from jutong import __version__
from jutong.governance.db import display_url, engine
from jutong.settings import Settings, get_settings
from web import errors
from web.api import PREFIX
from web.api import router as api_router
from web.api.docs import OPENAPI_URL
from web.api.docs import router as docs_router
from web.console import router as console_router
from web.context import Context
from web.portal import router as portal_router
from web.templating import mount_static

DESCRIPTION = """\
The governance service of Jutong (聚通): share requests between departments with working-day
deadlines (GX-Dispatch art. 29–30; LZ-Rules art. 26), cases, correction tickets, the clerical
review queue, open-data releases, the catalog, quality scorecards, department evaluation and
the audit chain.

**Authentication**: `POST /api/v1/auth/login` with a user name and password gives a bearer
token; systems use an API key from `jutong users token`. Send `Authorization: Bearer <token>`.

**Errors**: every 4xx answer is `{"error": {"code", "message", "details"}}`.

**Lists** take `limit` and `offset` and answer `items`, `total` and `next`.

**Cases** carry a `version` (also the `ETag`); send it back as `If-Match` or `version` when
firing an event: a stale one is refused with 409 and the current version.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # migrate the governance database before the first request
        engine(app.state.context.settings)
        yield

    app = FastAPI(
        title="Jutong 聚通 governance API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        docs_url=None,  # served by web.api.docs with vendored assets
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.context = Context(settings)
    errors.install(app)
    app.include_router(docs_router)
    app.include_router(api_router())

    @app.get(f"{PREFIX}/health", tags=["service"], summary="Liveness and the database in use")
    def health(request: Request) -> dict:
        db = display_url(request.app.state.context.settings)
        return {"status": "ok", "version": __version__, "database": db}

    # ---- the public portal and the staff console (web.portal, web.console) -----------------
    # the API above keeps /api to itself; the console has /console; the portal the rest
    app.include_router(console_router)  # the staff console, /console (web.console)
    app.include_router(portal_router)  # the public open-data portal, / (web.portal)
    mount_static(app)  # /static: the portal's vendored assets (web/static)
    # -----------------------------------------------------------------------------------------

    return app
