"""API keys for opened data (GX-Open art. 20(5): 接口访问): random, stored hashed, scoped to
one delivery (the approved dataset and period), revocable, checked by ``check_key``.

A key is ``jtk_<key id>_<secret>``: the key id (16 hex digits) finds the record, the secret
(32 random bytes, URL-safe) is stored only as its SHA-256 — a high-entropy random secret needs
no slow password hash — and compared in constant time. It is shown once, when issued.

``check_key`` is what the API and the portal call on every request: it answers with an HTTP
status and a reason — 200; 401 (malformed, unknown, wrong secret); 403 (revoked, outside the
dataset or the period, delivery or case revoked); 451 when the data is suspended or withdrawn
after a complaint (GX-Open art. 22), with the release's reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from jutong.catalog.releases import ReleaseError, load_definitions
from jutong.governance import releases as rel
from jutong.governance.audit import log as audit
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.model import CaseError, PermissionDenied, beijing_day, utc_naive
from jutong.governance.cases.rules import Role
from jutong.governance.db import engine
from jutong.governance.schema import cases, open_api_keys, open_deliveries, release_events
from jutong.settings import Settings

PREFIX = "jtk"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_in(conn: sa.Connection, delivery_id: int, *, by: str, at: dt.datetime) -> str:
    """Issue a key for a delivery in ``conn``'s transaction; returns the token (shown once)."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    conn.execute(
        open_api_keys.insert().values(
            key_id=key_id,
            secret_sha256=_hash(secret),
            delivery_id=delivery_id,
            status="active",
            issued_at=utc_naive(at),
            issued_by=by,
        )
    )
    return f"{PREFIX}_{key_id}_{secret}"


def key_id_of(token: str) -> str | None:
    parts = (token or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 16 or not parts[2]:
        return None
    return parts[1]


@dataclass(frozen=True)
class KeyCheck:
    """The answer to a request made with a key: ``status`` is the HTTP status to return."""

    status: int
    reason: str
    key_id: str | None = None
    account: str | None = None
    resource: str | None = None
    release_id: str | None = None
    case_ref: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


def release_block(conn: sa.Connection, release_id: str) -> KeyCheck | None:
    st = rel.status_in(conn, release_id)
    if st is None or st is rel.Status.published:
        return None
    ev = conn.execute(
        sa.select(release_events)
        .where(release_events.c.release_id == release_id)
        .order_by(release_events.c.id.desc())
        .limit(1)
    ).first()
    return KeyCheck(
        451,
        f"release '{release_id}' is {st.value} since {ev.at:%Y-%m-%d %H:%M} UTC: {ev.reason} "
        "(GX-Open art. 22)",
    )


def check_key(
    settings: Settings,
    token: str,
    *,
    dataset: str | None = None,
    at: dt.datetime | None = None,
) -> KeyCheck:
    """Check a presented key for ``dataset`` (a catalog entry id or a release id; default: the
    key's own) at ``at`` (default now). Records the last use of a key that passes."""
    key_id = key_id_of(token)
    if key_id is None:
        return KeyCheck(401, "malformed API key (expected jtk_<id>_<secret>)")
    secret = token.strip().split("_", 2)[2]
    now = utc_naive(at)
    day = beijing_day(now)
    with engine(settings).begin() as conn:
        row = conn.execute(
            sa.select(open_api_keys, open_deliveries, cases.c.ref, cases.c.state, cases.c.closed)
            .join(open_deliveries, open_deliveries.c.id == open_api_keys.c.delivery_id)
            .join(cases, cases.c.seq == open_deliveries.c.case_seq)
            .where(open_api_keys.c.key_id == key_id)
        ).first()
        if row is None or not hmac.compare_digest(row.secret_sha256, _hash(secret)):
            return KeyCheck(401, "unknown API key")
        m = row._mapping
        base = {
            "key_id": key_id,
            "account": m["account"],
            "resource": m["resource"],
            "release_id": m["release_id"],
            "case_ref": m["ref"],
        }
        if m[open_api_keys.c.status] != "active":
            return KeyCheck(
                403,
                f"key revoked on {m['revoked_at']:%Y-%m-%d %H:%M} UTC: {m['revoke_reason']}",
                **base,
            )
        if m[open_deliveries.c.status] != "active" or m["state"] == "revoked":
            return KeyCheck(403, f"the delivery of {m['ref']} is revoked", **base)
        if dataset and dataset not in (m["resource"], m["release_id"]):
            try:
                d = load_definitions(settings).get(dataset)
            except ReleaseError:
                d = None
            if d is None or d.catalog_entry != m["resource"]:
                return KeyCheck(
                    403,
                    f"key is for {m['resource']}, not for '{dataset}' (approved dataset only)",
                    **base,
                )
        if not (m["valid_from"] <= day <= m["valid_until"]):
            return KeyCheck(
                403,
                f"key valid {m['valid_from']} to {m['valid_until']}; it is {day} "
                "(approved period only)",
                **base,
            )
        for release_id in dict.fromkeys(x for x in (m["release_id"], dataset) if x):
            blocked = release_block(conn, release_id)
            if blocked:
                return KeyCheck(blocked.status, blocked.reason, **base)
        conn.execute(
            open_api_keys.update().where(open_api_keys.c.key_id == key_id).values(last_used_at=now)
        )
        return KeyCheck(200, "ok", **base)


def revoke_in(conn: sa.Connection, where, *, by: str, reason: str, at: dt.datetime) -> list[str]:
    """Revoke the active keys matching ``where`` (a SQL condition); returns their ids."""
    ids = [
        r[0]
        for r in conn.execute(
            sa.select(open_api_keys.c.key_id)
            .where(where, open_api_keys.c.status == "active")
            .order_by(open_api_keys.c.id)
        )
    ]
    if ids:
        conn.execute(
            open_api_keys.update()
            .where(open_api_keys.c.key_id.in_(ids))
            .values(status="revoked", revoked_at=utc_naive(at), revoked_by=by, revoke_reason=reason)
        )
    return ids


def revoke(
    settings: Settings,
    key_id: str,
    *,
    actor: Actor,
    reason: str,
    at: dt.datetime | None = None,
) -> list[str]:
    """Revoke one key: by its account, the provider's staff or the bureau administrator."""
    if not (reason or "").strip():
        raise CaseError(f"key {key_id}: a reason is required to revoke it")
    at = utc_naive(at)
    with engine(settings).connect() as conn:
        row = conn.execute(
            sa.select(
                open_api_keys.c.status,
                open_deliveries.c.account,
                cases.c.provider,
                cases.c.bureau,
            )
            .join(open_deliveries, open_deliveries.c.id == open_api_keys.c.delivery_id)
            .join(cases, cases.c.seq == open_deliveries.c.case_seq)
            .where(open_api_keys.c.key_id == key_id)
        ).first()
    if row is None:
        raise CaseError(f"key {key_id}: no such key")
    may = (
        (actor.is_public and actor.department == row.account)
        or (actor.role is Role.provider_staff and actor.department == row.provider)
        or (actor.role is Role.bureau_admin and actor.department == row.bureau)
    )
    if not may:
        why = f"{actor} may not revoke key {key_id} (its account, the provider or the bureau)"
        with engine(settings).begin() as conn:
            audit.append(
                conn,
                actor=actor.user,
                role=actor.role.value,
                department=actor.department,
                action="access.denied",
                subject=f"key:{key_id}",
                at=at,
                data={"reason": why},
            )
        raise PermissionDenied(f"permission denied: {why}")
    with engine(settings).begin() as conn:
        ids = revoke_in(
            conn, open_api_keys.c.key_id == key_id, by=str(actor), reason=reason.strip(), at=at
        )
        if not ids:
            raise CaseError(f"key {key_id}: already {row.status}")
        audit.append(
            conn,
            actor=actor.user,
            role=actor.role.value,
            department=actor.department,
            action="key.revoke",
            subject=f"key:{key_id}",
            at=at,
            data={"reason": reason.strip()},
        )
    return ids


def keys_of(settings: Settings, case_ref: str) -> list[dict]:
    """The keys of a case's deliveries (never their secrets)."""
    with engine(settings).connect() as conn:
        rows = conn.execute(
            sa.select(
                open_api_keys.c.key_id,
                open_api_keys.c.status,
                open_api_keys.c.issued_at,
                open_api_keys.c.revoked_at,
                open_api_keys.c.revoke_reason,
                open_api_keys.c.last_used_at,
                open_deliveries.c.resource,
                open_deliveries.c.valid_from,
                open_deliveries.c.valid_until,
            )
            .join(open_deliveries, open_deliveries.c.id == open_api_keys.c.delivery_id)
            .join(cases, cases.c.seq == open_deliveries.c.case_seq)
            .where(cases.c.ref == case_ref.strip().upper())
            .order_by(open_api_keys.c.id)
        ).mappings()
        return [dict(r) for r in rows]
