"""Appending to the audit log, and reading it.

``append(conn, ...)`` writes one event inside the caller's transaction, so a decision and its
audit event commit together or not at all. It first moves the one-row ``audit_head`` forward,
which takes the write lock (SQLite) or the row lock (PostgreSQL): concurrent appends are
serialized and the chain never forks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from jutong.governance.audit.chain import AuditEvent, canonical_json, content, event_hash
from jutong.governance.db import engine, utcnow
from jutong.governance.schema import audit_events, audit_head
from jutong.settings import Settings

HEAD_ID = 1


class AuditChainError(RuntimeError):
    """The audit log cannot be appended to (its head row is missing or inconsistent)."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"audit data: {type(value).__name__} is not JSON: {value!r}")


def append(
    conn: sa.Connection,
    *,
    actor: str,
    action: str,
    subject: str,
    role: str | None = None,
    department: str | None = None,
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one event in ``conn``'s transaction and return it."""
    return append_many(
        conn,
        [
            {
                "actor": actor,
                "action": action,
                "subject": subject,
                "role": role,
                "department": department,
                "data": data,
                "at": at,
            }
        ],
    )[0]


def append_many(conn: sa.Connection, items: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append several events (dicts with the fields of ``append``) in ``conn``'s transaction,
    in order: the head is locked and moved once, the rows inserted in one statement."""
    if not items:
        return []
    for it in items:
        if not it.get("actor") or not it.get("action") or not it.get("subject"):
            raise ValueError("audit event: actor, action and subject must not be empty")
    moved = conn.execute(
        sa.update(audit_head)
        .where(audit_head.c.id == HEAD_ID)
        .values(seq=audit_head.c.seq + len(items))
    )
    if moved.rowcount != 1:
        raise AuditChainError(
            "governance database: the audit chain's head row is missing; run "
            "`jutong audit verify` — the log may have been tampered with"
        )
    last, prev = conn.execute(
        sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == HEAD_ID)
    ).one()
    seq = last - len(items)
    now = utcnow()
    out: list[AuditEvent] = []
    rows: list[dict[str, Any]] = []
    for it in items:
        seq += 1
        payload = json.loads(json.dumps(it.get("data") or {}, default=_jsonable))
        at = it.get("at") or now
        role, dept = it.get("role"), it.get("department")
        body = content(seq, at, it["actor"], role, dept, it["action"], it["subject"], payload)
        digest = event_hash(prev, body)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": it["actor"],
                "role": role,
                "department": dept,
                "action": it["action"],
                "subject": it["subject"],
                "data": canonical_json(payload),
                "prev_hash": prev,
                "hash": digest,
            }
        )
        out.append(
            AuditEvent(
                seq, at, it["actor"], role, dept, it["action"], it["subject"], payload, prev, digest
            )
        )
        prev = digest
    conn.execute(sa.insert(audit_events), rows)
    conn.execute(sa.update(audit_head).where(audit_head.c.id == HEAD_ID).values(hash=prev))
    return out


def record(settings: Settings, **event: Any) -> AuditEvent:
    """Append one event in a transaction of its own (see ``append`` for the fields)."""
    with engine(settings).begin() as conn:
        return append(conn, **event)


def row_to_event(row: sa.Row) -> AuditEvent:
    m = row._mapping
    try:
        data = json.loads(m["data"])
    except (TypeError, ValueError):
        data = {"_unparsable": m["data"]}  # verify reports it: the hash will not match
    return AuditEvent(
        m["seq"],
        m["at"],
        m["actor"],
        m["role"],
        m["department"],
        m["action"],
        m["subject"],
        data,
        m["prev_hash"],
        m["hash"],
    )


def events(
    settings: Settings,
    *,
    subject: str | None = None,
    action: str | None = None,
    department: str | None = None,
    after: int = 0,
    limit: int | None = None,
    newest_first: bool = False,
) -> Iterator[AuditEvent]:
    """Events in chain order (or newest first), optionally filtered."""
    ev = audit_events
    q = sa.select(ev).where(ev.c.seq > after)
    if subject:
        q = q.where(ev.c.subject == subject)
    if action:
        q = q.where(ev.c.action == action)
    if department:
        q = q.where(ev.c.department == department)
    q = q.order_by(ev.c.seq.desc() if newest_first else ev.c.seq)
    if limit:
        q = q.limit(limit)
    with engine(settings).connect() as conn:
        for row in conn.execution_options(yield_per=1000).execute(q):
            yield row_to_event(row)


def head(settings: Settings) -> tuple[int, str] | None:
    """The chain head ``(seq, hash)`` as the head row says, or None when it is missing."""
    with engine(settings).connect() as conn:
        row = conn.execute(
            sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == HEAD_ID)
        ).first()
    return (row[0], row[1]) if row else None
