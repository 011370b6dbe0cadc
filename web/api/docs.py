"""The API's documentation pages, served from this package: Swagger UI at ``/api/docs`` with
its files vendored here (npm ``swagger-ui-dist`` 5.35.0, Apache-2.0, taken once from the npm
registry tarball at development time; SHA-256 below), so the page works inside an isolated
network (政务外网) — nothing loads from another host, and the spec validator badge (which
would call out) is off.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from web.errors import ApiError

SWAGGER_VERSION = "5.35.0"
ASSETS = Path(__file__).resolve().parent / "swagger_ui" / f"swagger-ui-dist-{SWAGGER_VERSION}"
TARBALL_SHA256 = "1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6"
FILES = {  # file -> SHA-256 (of the file as it is in the registry tarball)
    "swagger-ui-bundle.js": "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2",
    "swagger-ui.css": "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d",
    "favicon-32x32.png": "3ed612f41e050ca5e7000cad6f1cbe7e7da39f65fca99c02e99e6591056e5837",
    "LICENSE": "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30",
    "NOTICE": "0d20d1adef18aee3f40dd258172155521ce702ac445cb5f7b7d60ed32dad2fb2",
}
MEDIA = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}

OPENAPI_URL = "/api/openapi.json"
DOCS_URL = "/api/docs"

router = APIRouter(include_in_schema=False)


@router.get(DOCS_URL)
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title="Jutong 聚通 API",
        swagger_js_url=f"{DOCS_URL}/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_URL}/assets/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_URL}/assets/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
    )


@router.get(DOCS_URL + "/assets/{name}")
def swagger_asset(name: str) -> FileResponse:
    if name not in FILES:
        raise ApiError(404, f"no documentation asset '{name}'")
    path = ASSETS / name
    return FileResponse(
        path,
        media_type=MEDIA.get(path.suffix, "text/plain; charset=utf-8"),
        headers={"Cache-Control": "public, max-age=86400"},
    )
