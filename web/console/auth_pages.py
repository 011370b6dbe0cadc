"""Signing in and out of the console, the start page, and the console's stylesheet.

The login checks the password with ``jutong.governance.users.login`` (the same store, the
same audit events ``user.login_failed`` and ``user.session`` as the API's login) and keeps
the session token in an HttpOnly, SameSite=Lax cookie; logging out revokes it."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, Response

from jutong.governance.users import AuthError, UserError, login, revoke_token
from web.auth.principal import Principal
from web.console.render import ConsoleRoute, page, redirect
from web.console.session import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    LoginRequired,
    check_csrf,
    current,
    new_login_csrf,
    safe_next,
)
from web.context import get_context

router = APIRouter(route_class=ConsoleRoute)
Me = Annotated[Principal, Depends(current)]
STATIC = Path(__file__).parent / "static"


def _login_form(request: Request, *, status: int = 200, **values) -> Response:
    token = new_login_csrf()
    response = page(request, "console/login.html", status=status, login_csrf=token, **values)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=PREFIX,
    )
    return response


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if request.cookies.get(SESSION_COOKIE):
        try:  # already signed in: straight on
            current(request)
            return redirect(safe_next(next))
        except LoginRequired as err:
            return _login_form(request, next=safe_next(next), reason=err.reason)
    return _login_form(request, next=safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    ctx = get_context(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not csrf_token or expected != csrf_token:
        return _login_form(
            request,
            status=403,
            next=safe_next(next),
            username=username,
            reason="表单已过期，请重新提交 (CSRF check failed: the login form expired or came "
            "from another site)",
        )
    try:
        issued = login(ctx.settings, username.strip(), password)
    except AuthError:
        return _login_form(
            request,
            status=401,
            next=safe_next(next),
            username=username,
            reason="用户名或密码错误 (user name or password not accepted)",
        )
    response = redirect(safe_next(next))
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=int(ctx.settings.api_token_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=PREFIX,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    return response


@router.post("/logout")
def logout(
    request: Request, p: Me, csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = ""
) -> Response:
    check_csrf(request, p, csrf_token)
    with suppress(UserError):  # already revoked: the cookie goes all the same
        revoke_token(get_context(request).settings, p.token, by=p.name)
    response = redirect(f"{PREFIX}/login")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.get("/")
def home(request: Request, p: Me) -> Response:
    return page(request, "console/home.html", p=p)


@router.api_route("/static/console.css", methods=["GET", "HEAD"])
def stylesheet() -> FileResponse:
    return FileResponse(STATIC / "console.css", media_type="text/css")
