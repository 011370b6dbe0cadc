"""The portal's sessions for requesters (citizens' and organisations' accounts): the session
token of ``jutong.governance.users.login`` in an HttpOnly, SameSite=Lax cookie, CSRF tokens in
every form (``web.sessions``, shared with the staff console). Browsing and downloading need
no session; requesting, accepting, rating and complaining do."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from web import sessions
from web.auth.principal import Principal
from web.context import get_context

SESSION_COOKIE = "jutong_portal"
LOGIN_CSRF_COOKIE = "jutong_portal_form"
CSRF_FIELD = "csrf_token"
PURPOSE = "jutong-portal-csrf"
HOME = "/account/requests"


def signed_in(request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    p = sessions.session_principal(get_context(request), token)
    if isinstance(p, str):
        return None
    request.state.principal = p
    return p


def csrf_for(p: Principal) -> str:
    return sessions.csrf_for(p.token, PURPOSE)


def csrf_ok(p: Principal, sent: str | None) -> bool:
    return sessions.csrf_ok(sent, csrf_for(p))


def safe_next(value: str | None) -> str:
    """A path of this portal (never another host, never the console or the API)."""
    nxt = sessions.safe_next(value, "/", HOME)
    if nxt.startswith(("/console", "/api")):
        return HOME
    return nxt


def here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def to_login(request: Request, next_url: str | None = None) -> RedirectResponse:
    target = safe_next(next_url or here(request))
    return RedirectResponse(f"/account/login?next={quote(target, safe='/')}", status_code=303)


def set_session(request: Request, response, token: str, hours: float) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(hours * 3600),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/account")
