"""The life of an open-data release in the governance database (GX-Open art. 22).

Each built version is recorded in ``release_versions``; each change of status in
``release_events`` with its reason, actor and time. Each suspension, withdrawal and restoration is also an audit event (``release.<action>``) in
the same transaction. Statuses and the allowed actions:

| action | from | to |
|---|---|---|
| publish (a build) | never published | published |
| reopen (a build) | withdrawn | published |
| suspend | published | suspended |
| withdraw | published, suspended | withdrawn (every version stops being served) |
| restore | suspended | published |

Complaints: whoever believes an opened dataset infringes privacy or trade secrets reports it;
the provider suspends the opening at once, verifies, then withdraws or restores it, or reopens
it after processing (a new build). A suspended release is not rebuilt before it is restored or
withdrawn; ``serve_path`` refuses a release that is suspended or withdrawn.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa

from jutong.catalog.releases import ReleaseError
from jutong.governance.audit import log as audit
from jutong.governance.db import engine, utcnow
from jutong.governance.schema import release_events, release_versions
from jutong.settings import Settings

SERVED_FILES = ("data.csv", "data.parquet", "metadata.json", "report.json", "SHA256SUMS")


class Status(StrEnum):
    published = "published"
    suspended = "suspended"
    withdrawn = "withdrawn"


class ReleaseRefused(ReleaseError):
    """The gate refused the release (anonymity or residual PII); nothing was published."""

    def __init__(self, message: str, report: dict | None = None):
        super().__init__(message)
        self.report = report or {}


class ReleaseNotServed(ReleaseError):
    """The release is suspended or withdrawn (GX-Open art. 22), or has no published version."""


TRANSITIONS: dict[str, tuple[frozenset[Status], Status]] = {
    # action: (allowed from, to)
    "suspend": (frozenset({Status.published}), Status.suspended),
    "withdraw": (frozenset({Status.suspended, Status.published}), Status.withdrawn),
    "restore": (frozenset({Status.suspended}), Status.published),
}


def actor_name(actor: str | None) -> str:
    """The given actor, else the operating-system user."""
    if actor:
        return actor
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return "unknown"


def _last_status(conn: sa.Connection, release_id: str) -> Status | None:
    row = conn.execute(
        sa.select(release_events.c.to_status)
        .where(release_events.c.release_id == release_id)
        .order_by(release_events.c.id.desc())
        .limit(1)
    ).first()
    return Status(row[0]) if row else None


def status(settings: Settings, release_id: str) -> Status | None:
    """The release's current status (None: never published)."""
    with engine(settings).connect() as conn:
        return _last_status(conn, release_id)


def _rows_of(settings: Settings, table: sa.Table, release_id: str, order) -> list[dict]:
    with engine(settings).connect() as conn:
        rows = conn.execute(
            sa.select(table).where(table.c.release_id == release_id).order_by(order)
        ).mappings()
        return [dict(r) for r in rows]


def versions(settings: Settings, release_id: str) -> list[dict]:
    return _rows_of(settings, release_versions, release_id, release_versions.c.version)


def events(settings: Settings, release_id: str) -> list[dict]:
    return _rows_of(settings, release_events, release_id, release_events.c.id)


def recorded_ids(settings: Settings) -> set[str]:
    """Every release that has a recorded version."""
    with engine(settings).connect() as conn:
        return {r[0] for r in conn.execute(sa.select(release_versions.c.release_id).distinct())}


def _transition(
    settings: Settings,
    release_id: str,
    action: str,
    reason: str,
    actor: str | None,
    role: str | None = None,
    department: str | None = None,
) -> dict:
    with engine(settings).begin() as conn:
        return transition_in(conn, release_id, action, reason, actor, role, department)


def transition_in(
    conn: sa.Connection,
    release_id: str,
    action: str,
    reason: str,
    actor: str | None,
    role: str | None = None,
    department: str | None = None,
) -> dict:
    """Suspend, withdraw or restore a release in ``conn``'s transaction, with its audit event
    (a complaint case suspends its release in the transaction that opens the case, GX-Open
    art. 22)."""
    if not reason or not reason.strip():
        raise ReleaseError(f"{action} {release_id}: a reason is required (GX-Open art. 22)")
    allowed, to = TRANSITIONS[action]
    current = _last_status(conn, release_id)
    if current is None:
        raise ReleaseError(f"release '{release_id}' has never been published")
    if current not in allowed:
        raise ReleaseError(
            f"cannot {action} release '{release_id}': it is {current.value} "
            f"(allowed from: {', '.join(sorted(s.value for s in allowed))})"
        )
    latest = conn.execute(
        sa.select(sa.func.max(release_versions.c.version)).where(
            release_versions.c.release_id == release_id
        )
    ).scalar()
    if action == "withdraw":
        # every version built so far stops being servable; a later build reopens
        conn.execute(
            release_versions.update()
            .where(release_versions.c.release_id == release_id)
            .values(withdrawn=True)
        )
    event = {
        "release_id": release_id,
        "version": latest,
        "action": action,
        "from_status": current.value,
        "to_status": to.value,
        "reason": reason.strip(),
        "actor": actor_name(actor),
        "at": utcnow(),
    }
    conn.execute(release_events.insert().values(**event))
    # the decision and its audit event commit together (GX-Dispatch art. 42)
    audit.append(
        conn,
        actor=event["actor"],
        role=role,
        department=department,
        action=f"release.{action}",
        subject=f"release:{release_id}",
        at=event["at"],
        data={
            "from": event["from_status"],
            "to": event["to_status"],
            "version": latest,
            "reason": event["reason"],
            "basis": "GX-Open art. 22",
        },
    )
    return event


def status_in(conn: sa.Connection, release_id: str) -> Status | None:
    """The release's current status, read in ``conn``'s transaction."""
    return _last_status(conn, release_id)


def suspend(
    settings: Settings,
    release_id: str,
    reason: str,
    actor: str | None = None,
    *,
    role: str | None = None,
    department: str | None = None,
) -> dict:
    """Stop serving a release at once on a complaint (GX-Open art. 22)."""
    return _transition(settings, release_id, "suspend", reason, actor, role, department)


def withdraw(
    settings: Settings,
    release_id: str,
    reason: str,
    actor: str | None = None,
    *,
    role: str | None = None,
    department: str | None = None,
) -> dict:
    """Withdraw a release after verification (GX-Open art. 22); a new build reopens it."""
    return _transition(settings, release_id, "withdraw", reason, actor, role, department)


def restore(
    settings: Settings,
    release_id: str,
    reason: str,
    actor: str | None = None,
    *,
    role: str | None = None,
    department: str | None = None,
) -> dict:
    """Serve a suspended release again when the complaint was unfounded (GX-Open art. 22)."""
    return _transition(settings, release_id, "restore", reason, actor, role, department)


def check_buildable(settings: Settings, release_id: str) -> Status | None:
    """The status before a new build; a suspended release is refused (GX-Open art. 22)."""
    current = status(settings, release_id)
    if current is Status.suspended:
        ev = events(settings, release_id)[-1]
        raise ReleaseError(
            f"release '{release_id}' is suspended ({ev['reason']}); restore or withdraw it "
            "before a new build (GX-Open art. 22)"
        )
    return current


def record_build(
    settings: Settings,
    release_id: str,
    *,
    version: int,
    path: Path,
    rows: int,
    data_sha256: str,
    built_at: dt.datetime,
    actor: str | None,
    as_of: dt.date,
    previous: Status | None,
) -> None:
    """Record a new version and its publish (or reopen, after a withdrawal) in one transaction."""
    who = actor_name(actor)
    with engine(settings).begin() as conn:
        conn.execute(
            release_versions.insert().values(
                release_id=release_id,
                version=version,
                path=str(path),
                rows=rows,
                data_sha256=data_sha256,
                built_at=built_at,
                built_by=who,
                withdrawn=False,
            )
        )
        conn.execute(
            release_events.insert().values(
                release_id=release_id,
                version=version,
                action="reopen" if previous is Status.withdrawn else "publish",
                from_status=previous.value if previous else None,
                to_status=Status.published.value,
                reason=f"build v{version} as of {as_of.isoformat()}",
                actor=who,
                at=built_at,
            )
        )


def is_served(settings: Settings, release_id: str) -> bool:
    return status(settings, release_id) is Status.published


def serve_path(
    settings: Settings, release_id: str, version: int | None = None, file: str = "data.csv"
) -> Path:
    """The path of a file of a served release version; refuses suspended or withdrawn ones."""
    st = status(settings, release_id)
    if st is None:
        raise ReleaseNotServed(f"release '{release_id}' has no published version")
    if st is not Status.published:
        ev = events(settings, release_id)[-1]
        raise ReleaseNotServed(
            f"release '{release_id}' is {st.value} since {ev['at']:%Y-%m-%d %H:%M} UTC "
            f"({ev['reason']}); it is not served (GX-Open art. 22)"
        )
    vs = [v for v in versions(settings, release_id) if not v["withdrawn"]]
    if version is not None:
        vs = [v for v in vs if v["version"] == version]
    if not vs:
        raise ReleaseNotServed(
            f"release '{release_id}': version {version} is not served (withdrawn or unknown)"
        )
    if file not in SERVED_FILES:
        raise ReleaseNotServed(f"release '{release_id}': no file '{file}'")
    path = Path(vs[-1]["path"]) / file
    if not path.is_file():
        raise ReleaseNotServed(f"release '{release_id}': {path} is missing")
    return path


__all__ = [
    "ReleaseNotServed",
    "ReleaseRefused",
    "Status",
    "check_buildable",
    "events",
    "is_served",
    "record_build",
    "recorded_ids",
    "restore",
    "serve_path",
    "status",
    "status_in",
    "suspend",
    "transition_in",
    "versions",
    "withdraw",
]
