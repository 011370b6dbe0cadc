"""Bearer tokens: login sessions (expiring) and API keys for systems (until revoked, or a
chosen expiry).

A token is 32 random bytes (``secrets``), shown once when issued (``jt_`` + URL-safe text);
only its SHA-256 is stored — a high-entropy secret needs no slow hash — with a short prefix to
name it in lists. Issuing, logging in, a failed login and revoking are audit events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from jutong.governance.audit import log as audit
from jutong.governance.db import engine, utcnow
from jutong.governance.schema import api_tokens, users
from jutong.governance.users.passwords import needs_rehash, verify_password
from jutong.governance.users.store import User, UserError, get_user, user_by_id
from jutong.settings import Settings

TOKEN_PREFIX = "jt_"
KINDS = ("session", "api_key")
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


class AuthError(UserError):
    """Not authenticated: unknown, expired or revoked token, bad user name or password."""


@dataclass(frozen=True)
class IssuedToken:
    token: str  # the secret: shown once, never stored
    prefix: str
    kind: str
    user: str
    name: str | None
    expires_at: dt.datetime | None

    def to_dict(self) -> dict:
        return {
            "token": self.token,
            "token_type": "bearer",
            "prefix": self.prefix,
            "kind": self.kind,
            "user": self.user,
            "name": self.name,
            "expires_at": self.expires_at.isoformat() + "Z" if self.expires_at else None,
        }


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _issue(
    conn: sa.Connection,
    user: User,
    *,
    kind: str,
    name: str | None,
    expires_at: dt.datetime | None,
    by: str,
) -> IssuedToken:
    if kind not in KINDS:
        raise UserError(f"token kind '{kind}' is not one of {', '.join(KINDS)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix = token[: len(TOKEN_PREFIX) + 8]
    conn.execute(
        sa.insert(api_tokens).values(
            token_sha256=digest(token),
            prefix=prefix,
            user_id=user.id,
            kind=kind,
            name=name,
            created_at=utcnow(),
            expires_at=expires_at,
        )
    )
    audit.append(
        conn,
        actor=by,
        action=f"user.{kind}",
        subject=f"user:{user.name}",
        data={"prefix": prefix, "name": name, "expires_at": expires_at},
    )
    return IssuedToken(token, prefix, kind, user.name, name, expires_at)


def issue_token(
    settings: Settings,
    user_name: str,
    *,
    by: str,
    kind: str = "api_key",
    name: str | None = None,
    hours: float | None = None,
) -> IssuedToken:
    """A token for ``user_name``: an API key (``hours`` None: until revoked) or a session."""
    if hours is not None and hours <= 0:
        raise UserError(f"a token's lifetime must be positive, not {hours} hours")
    if kind == "session" and hours is None:
        hours = settings.api_token_hours
    expires = utcnow() + dt.timedelta(hours=hours) if hours is not None else None
    with engine(settings).begin() as conn:
        user = get_user(settings, user_name, conn)
        if not user.active:
            raise UserError(f"user '{user_name}' is deactivated")
        return _issue(conn, user, kind=kind, name=name, expires_at=expires, by=by)


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        from jutong.governance.users.passwords import _HASHER

        _DUMMY.append(_HASHER.hash(secrets.token_urlsafe(16)))
    return _DUMMY[0]


def login(settings: Settings, user_name: str, password: str) -> IssuedToken:
    """Check the password and open a session (``api_token_hours`` long). A failure is
    audited (``user.login_failed``) and says nothing about which part was wrong."""
    with engine(settings).begin() as conn:
        row = conn.execute(sa.select(users).where(users.c.name == user_name)).first()
        if row is None or not row.password_hash:
            # as long as a real check, so that the answer's time tells no user names apart
            verify_password(_dummy_hash(), password)
            ok = False
        else:
            ok = row.active and verify_password(row.password_hash, password)
        if not ok:
            audit.append(
                conn,
                actor=user_name or "-",
                action="user.login_failed",
                subject=f"user:{user_name or '-'}",
                data={},
            )
    if not ok:
        raise AuthError("user name or password not accepted")
    if needs_rehash(row.password_hash):
        from jutong.governance.users.passwords import _HASHER

        with engine(settings).begin() as conn:
            conn.execute(
                sa.update(users)
                .where(users.c.id == row.id)
                .values(password_hash=_HASHER.hash(password))
            )
    expires = utcnow() + dt.timedelta(hours=settings.api_token_hours)
    with engine(settings).begin() as conn:
        user = get_user(settings, user_name, conn)
        return _issue(conn, user, kind="session", name="login", expires_at=expires, by=user_name)


def authenticate(settings: Settings, token: str) -> tuple[User, str]:
    """The active user a bearer token belongs to, and the token's kind; else ``AuthError``."""
    if not token or not token.startswith(TOKEN_PREFIX):
        raise AuthError("not a Jutong bearer token")
    now = utcnow()
    t = api_tokens
    with engine(settings).begin() as conn:
        row = conn.execute(sa.select(t).where(t.c.token_sha256 == digest(token))).first()
        if row is None:
            raise AuthError("unknown token")
        if row.revoked_at is not None:
            raise AuthError(f"token {row.prefix}… was revoked")
        if row.expires_at is not None and row.expires_at <= now:
            raise AuthError(f"token {row.prefix}… expired at {row.expires_at:%Y-%m-%d %H:%M} UTC")
        user = user_by_id(conn, row.user_id)
        if user is None or not user.active:
            raise AuthError("the token's user is deactivated")
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY:
            # one write a minute per token at most: reads stay reads on SQLite
            conn.execute(sa.update(t).where(t.c.id == row.id).values(last_used_at=now))
    return user, row.kind


def revoke_token(settings: Settings, token_or_prefix: str, *, by: str) -> str:
    """Revoke a token given by itself or by its prefix (as listed); returns the prefix."""
    t = api_tokens
    key = (token_or_prefix or "").strip()
    with engine(settings).begin() as conn:
        q = sa.select(t).where(
            sa.or_(t.c.token_sha256 == digest(key), t.c.prefix == key), t.c.revoked_at.is_(None)
        )
        rows = conn.execute(q).all()
        if not rows:
            raise UserError(f"no live token '{key[:16]}'")
        if len(rows) > 1:
            raise UserError(f"'{key}' names {len(rows)} tokens; give the whole token")
        row = rows[0]
        conn.execute(sa.update(t).where(t.c.id == row.id).values(revoked_at=utcnow()))
        owner = user_by_id(conn, row.user_id)
        audit.append(
            conn,
            actor=by,
            action="user.token_revoke",
            subject=f"user:{owner.name if owner else row.user_id}",
            data={"prefix": row.prefix, "kind": row.kind},
        )
        return row.prefix


def list_tokens(settings: Settings, user_name: str | None = None) -> list[dict]:
    t = api_tokens
    q = (
        sa.select(t, users.c.name.label("user"))
        .join(users, users.c.id == t.c.user_id)
        .order_by(t.c.id)
    )
    if user_name:
        q = q.where(users.c.name == user_name)
    with engine(settings).connect() as conn:
        return [
            {
                "prefix": r.prefix,
                "user": r.user,
                "kind": r.kind,
                "name": r.name,
                "created_at": r.created_at,
                "expires_at": r.expires_at,
                "last_used_at": r.last_used_at,
                "revoked_at": r.revoked_at,
            }
            for r in conn.execute(q)
        ]
