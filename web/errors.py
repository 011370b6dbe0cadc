"""One JSON shape for every error of the API: ``{"error": {"code", "message", "details"}}``.

``ApiError`` is raised by the routers; the handlers here turn it, FastAPI's validation errors
(422) and Starlette's HTTP errors (404 of an unknown path, 405) into that shape. The core's
refusals keep their message — it already names what was wrong and what is allowed.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("web")

CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    422: "invalid",
    428: "precondition_required",
    451: "unavailable_for_legal_reasons",
}


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    """Every 4xx answer of the API."""

    error: ErrorBody


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.details = details
        self.headers = headers


def error_json(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message, "details": details}},
        headers=headers,
    )


def _validation_details(exc: RequestValidationError) -> list[dict]:
    out = []
    for e in exc.errors():
        loc = [str(x) for x in e.get("loc", ())]
        out.append({"field": ".".join(loc), "problem": e.get("msg", ""), "type": e.get("type")})
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_json(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        first = details[0] if details else {"field": "?", "problem": "invalid"}
        return error_json(
            422, "invalid", f"invalid request: {first['field']}: {first['problem']}", details
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        from jutong.catalog.loader import CatalogError
        from jutong.governance.access import PolicyError

        if isinstance(exc, CatalogError | PolicyError):  # the operator's files, named
            text = " / ".join(x.strip() for x in str(exc).splitlines() if x.strip())
            log.error("%s %s: %s", request.method, request.url.path, text)
            return error_json(500, "misconfigured", f"the service is misconfigured: {text}")
        # the traceback goes to the service log, never to the caller
        log.exception("%s %s failed", request.method, request.url.path)
        return error_json(
            500,
            "internal",
            f"internal error ({type(exc).__name__}); the service log has the details",
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else CODES.get(exc.status_code, "")
        return error_json(
            exc.status_code,
            CODES.get(exc.status_code, "error"),
            message,
            None,
            getattr(exc, "headers", None),
        )


# documented on every route that can answer them (OpenAPI `responses`)
ERRORS = {
    s: {"model": ErrorResponse, "description": d}
    for s, d in (
        (400, "Bad request"),
        (401, "Not authenticated: missing, unknown, expired or revoked token"),
        (403, "Permission denied (audited as access.denied)"),
        (404, "No such record"),
        (409, "Refused by the rules, or a stale version"),
        (422, "Invalid input"),
    )
}
