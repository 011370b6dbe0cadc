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

from urllib.parse import quote

from fastapi import Request

from web import sessions
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
    return sessions.csrf_for(session_token, "jutong-console-csrf")


new_login_csrf = sessions.new_login_csrf


def safe_next(value: str | None) -> str:
    """Only a path of the console itself (no other host: no open redirect)."""
    return sessions.safe_next(value, PREFIX + "/", PREFIX + "/")


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
    p = sessions.session_principal(ctx, token)
    if isinstance(p, str):
        raise LoginRequired(_here(request), p)
    request.state.principal = p
    return p


def check_csrf(request: Request, p: Principal, sent: str | None) -> None:
    """Refuse a POST whose form lacks this session's CSRF token (403; nothing changes)."""
    if not sessions.csrf_ok(sent, csrf_for(p.token)):
        raise ApiError(
            403,
            "表单校验失败 (CSRF check failed): the form did not carry this session's token; "
            "reload the page and submit again",
            code="csrf",
        )
