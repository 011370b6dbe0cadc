"""Browser sessions shared by the staff console and the public portal: the login's session
token (``jutong.governance.users.login``) kept in an HttpOnly, SameSite=Lax cookie and resolved
exactly as the API resolves a bearer token, CSRF tokens for forms, and ``next`` addresses kept
on the site (no open redirect).

- ``csrf_for(session_token, purpose)``: an HMAC of the session token, per session and per site
  part (a page of another site, which cannot read the cookie, cannot make it);
- ``new_login_csrf()``: a random double-submit token for a form shown before there is a
  session (login, sign-up);
- ``session_principal(ctx, token)``: the caller of a session cookie, or the reason it is not
  one (expired, revoked, a deactivated user, an API key).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from jutong.governance.users import AuthError, authenticate
from web.auth.principal import Principal
from web.context import Context


def csrf_for(session_token: str, purpose: str) -> str:
    return hmac.new(session_token.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def csrf_ok(sent: str | None, expected: str | None) -> bool:
    return bool(sent) and bool(expected) and hmac.compare_digest(sent, expected)


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def safe_next(value: str | None, prefix: str, default: str) -> str:
    """``value`` when it is a path under ``prefix`` of this site (no other host), else
    ``default``."""
    if (
        value
        and value.startswith(prefix)
        and value.startswith("/")
        and not any(bad in value for bad in ("//", "\\", ".."))
    ):
        return value
    return default


def session_principal(ctx: Context, token: str) -> Principal | str:
    """The signed-in caller of a session token, or why there is none (a message)."""
    try:
        user, kind = authenticate(ctx.settings, token)
    except AuthError as err:
        return f"请重新登录 (session ended: {err})"
    if kind != "session":  # an API key is for systems, not for a browser
        return "an API key cannot sign in here"
    return Principal(user, user.grants, kind, token)
