"""The hash chain: an event's canonical content and how its hash is computed.

``hash = SHA-256(prev_hash || "\\n" || canonical JSON of the event's content)``, where the
content is ``seq``, ``at`` (ISO, UTC), ``actor``, ``role``, ``department``, ``action``,
``subject`` and ``data``; canonical JSON sorts keys, uses no insignificant whitespace and keeps
Chinese text as UTF-8. The first event's ``prev_hash`` is ``GENESIS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, compact separators, UTF-8 text, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    at: dt.datetime  # naive UTC
    actor: str
    role: str | None
    department: str | None
    action: str
    subject: str
    data: dict
    prev_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        return content(
            self.seq,
            self.at,
            self.actor,
            self.role,
            self.department,
            self.action,
            self.subject,
            self.data,
        )

    def to_dict(self) -> dict[str, Any]:
        return {**self.content(), "prev_hash": self.prev_hash, "hash": self.hash}


def content(
    seq: int,
    at: dt.datetime,
    actor: str,
    role: str | None,
    department: str | None,
    action: str,
    subject: str,
    data: dict,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": at.isoformat(),
        "actor": actor,
        "role": role,
        "department": department,
        "action": action,
        "subject": subject,
        "data": data,
    }


def event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """The chained hash of an event's content after ``prev_hash``."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json(body).encode("utf-8"))
    return digest.hexdigest()
