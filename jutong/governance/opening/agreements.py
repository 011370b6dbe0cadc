"""The data-use agreement (数据使用协议, GX-Open art. 20(5)): text versioned in the repository,
accepted online with time and identity.

The texts are ``catalog/agreements/<version>.md``; the jurisdiction names the one in force
(``opening.agreement``). A text is never edited in place: a change is a new version. Accepting
records the version, the SHA-256 of the exact text, the account and the actor, and moves the
case from ``agreement`` to ``agreed`` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from jutong.catalog.loader import load_catalog
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.model import Case, CaseError, utc_naive
from jutong.governance.db import engine
from jutong.governance.opening.accounts import public_account
from jutong.governance.opening.config import opening_settings
from jutong.governance.opening.requests import act
from jutong.governance.schema import open_agreements
from jutong.settings import Settings
from jutong.workdays import WorkCalendar

FOLDER = "agreements"
_VERSION = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True)
class AgreementText:
    version: str
    text: str
    sha256: str
    path: Path


def agreement_text(settings: Settings, version: str | None = None) -> AgreementText:
    """The agreement text of ``version`` (default: the one in force)."""
    if version is None:
        version = opening_settings(load_catalog(settings.catalog_dir)).agreement
    if not _VERSION.match(version or ""):
        raise CaseError(f"agreement version '{version}' is not a version name")
    path = Path(settings.catalog_dir) / FOLDER / f"{version}.md"
    if not path.is_file():
        raise CaseError(f"agreement {version}: {path} is missing (GX-Open art. 20(5))")
    raw = path.read_bytes()
    return AgreementText(version, raw.decode("utf-8"), hashlib.sha256(raw).hexdigest(), path)


def accept(
    settings: Settings,
    ref: str,
    *,
    actor: Actor,
    version: str,
    sha256: str | None = None,
    at: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    expected_version: int | None = None,
) -> Case:
    """The requester accepts the agreement in force, naming its version (and optionally the
    SHA-256 of the text it was shown): a stale or unknown text is refused."""
    current = agreement_text(settings)
    if version != current.version:
        raise CaseError(
            f"{ref}: agreement '{version}' is not the one in force ('{current.version}'); "
            "read the current text and accept it"
        )
    if sha256 and sha256 != current.sha256:
        raise CaseError(f"{ref}: the agreement text shown differs from {current.version}'s text")
    account = public_account(settings, actor)
    when = utc_naive(at)

    def record(conn: sa.Connection, seq: int, case: Case) -> dict:
        conn.execute(
            open_agreements.insert().values(
                case_seq=seq,
                version=current.version,
                text_sha256=current.sha256,
                account=account.id,
                accepted_by=str(actor),
                accepted_at=when,
            )
        )
        return {"agreement": current.version, "sha256": current.sha256}

    return act(
        settings,
        ref,
        "agree",
        actor=actor,
        at=when,
        calendar=calendar,
        effects=record,
        expected_version=expected_version,
    )


def acceptances(settings: Settings, case_seq: int) -> list[dict]:
    with engine(settings).connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                sa.select(open_agreements)
                .where(open_agreements.c.case_seq == case_seq)
                .order_by(open_agreements.c.id)
            ).mappings()
        ]
