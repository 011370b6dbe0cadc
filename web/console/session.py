"""The console's sessions: the login's session token (``jutong.governance.users.login``) in an
HttpOnly, SameSite=Lax cookie, the caller as the API's ``Principal``, and CSRF tokens.

- Signed in: the cookie holds the session token; ``authenticate`` resolves it to the user
  and its roles exactly as a bearer token of the API is resolved (expired, revoked or a
  deactivated user: back to the login page).
- CSRF: every POST form carries ``csrf_token``, an HMAC of the session token (so it is
  per session, and a page of another site, which cannot read the cookie, cannot make it).
  The login form, before there is a session, uses a random double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import quote

from fastapi import Request

from jutong.governance.users import AuthError, authenticate
from web.auth.principal import Principal
from web.context import Context, get_context
from web.errors import ApiError

PREFIX = "/console"
SESSION_COOKIE = "jutong_console"
LOGIN_CSRF_COOKIE = "jutong_console_login"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """Not signed in (or the session ended): the caller is sent to the login page."""

    def __init__(self, next_url: str, reason: str | None = None):
        super().__init__(reason or "login required")
        self.next_url = next_url
        self.reason = reason


def csrf_for(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"jutong-console-csrf", hashlib.sha256).hexdigest()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def safe_next(value: str | None) -> str:
    """Only a path of the console itself (no other host: no open redirect)."""
    if (
        value
        and value.startswith(PREFIX + "/")
        and not any(bad in value for bad in ("//", "\\", ".."))
    ):
        return value
    return PREFIX + "/"


def login_url(next_url: str) -> str:
    return f"{PREFIX}/login?next={quote(safe_next(next_url), safe='/')}"


def _here(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


def current(request: Request) -> Principal:
    """The signed-in caller (FastAPI dependency); ``LoginRequired`` when there is none."""
    ctx: Context = get_context(request)
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(_here(request))
    try:
        user, kind = authenticate(ctx.settings, token)
    except AuthError as err:
        raise LoginRequired(_here(request), f"请重新登录 (session ended: {err})") from None
    if kind != "session":  # an API key is for systems, not for a browser
        raise LoginRequired(_here(request), "an API key cannot sign in to the console")
    p = Principal(user, user.grants, kind, token)
    request.state.principal = p
    return p


def check_csrf(request: Request, p: Principal, sent: str | None) -> None:
    """Refuse a POST whose form lacks this session's CSRF token (403; nothing changes)."""
    if not sent or not hmac.compare_digest(sent, csrf_for(p.token)):
        raise ApiError(
            403,
            "表单校验失败 (CSRF check failed): the form did not carry this session's token; "
            "reload the page and submit again",
            code="csrf",
        )
