"""Complaints about opened data (GX-Open art. 22), filed by anyone, as cases.

Whoever believes an opened dataset infringes a trade secret, personal privacy or another lawful
right reports it with evidence. The release is **suspended at once**: in the same transaction
that opens the case (``releases.transition_in``), so from the moment the complaint exists the
release is no longer served and its API keys answer 451 with the reason. Open-data staff then
verify (5 wd) and withdraw the release, restore it (the complaint was unfounded), or have it
reprocessed and reopened by a new build — each step a case event with its reasons.

A second complaint about a release already suspended opens its own case without a second
suspension; the release is restored only when no other complaint about it is still open.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jutong.catalog.loader import Catalog, load_catalog
from jutong.catalog.releases import ReleaseError, get_definition
from jutong.governance import releases as rel
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.engine import fire, open_case
from jutong.governance.cases.model import Case, CaseError, utc_naive
from jutong.governance.cases.queries import get_case
from jutong.governance.db import engine
from jutong.governance.opening.accounts import get_account
from jutong.governance.opening.config import opening_settings
from jutong.governance.schema import cases, release_events
from jutong.settings import Settings
from jutong.workdays import WorkCalendar

KIND = "complaint"
GROUNDS = {
    "privacy": "个人隐私 personal privacy",
    "trade_secret": "商业秘密 trade secret",
    "other": "其他合法权益 other lawful rights",
}
OPEN_STATES = ("suspended", "verified", "reprocessing")


def file_complaint(
    settings: Settings,
    *,
    actor: Actor,
    release_id: str,
    grounds: str,
    evidence: str,
    at: dt.datetime | None = None,
    catalog: Catalog | None = None,
    calendar: WorkCalendar | None = None,
) -> Case:
    """File a complaint: the case opens and the release is suspended in one transaction."""
    catalog = catalog or load_catalog(settings.catalog_dir)
    calendar = calendar or WorkCalendar.from_catalog(catalog)
    conf = opening_settings(catalog)
    if grounds not in GROUNDS:
        raise CaseError(f"complaint: grounds '{grounds}' is not one of {', '.join(GROUNDS)}")
    if not (evidence or "").strip():
        raise CaseError(
            "complaint: describe the infringement and its evidence (GX-Open art. 22: "
            "提交相关证据材料)"
        )
    if actor.is_public:
        get_account(settings, actor.department)  # a registered account
    try:
        definition = get_definition(settings, release_id)
    except ReleaseError as err:
        raise CaseError(f"complaint: {err}") from None
    provider = catalog.get(definition.catalog_entry).department
    when = utc_naive(at)
    with engine(settings).begin() as conn:
        current = rel.status_in(conn, release_id)
        if current is None:
            raise CaseError(f"complaint: release '{release_id}' has never been published")
        if current is rel.Status.withdrawn:
            raise CaseError(f"complaint: release '{release_id}' is withdrawn; it is not served")
        case = open_case(
            conn,
            kind=KIND,
            flow_name="complaint",
            actor=actor,
            requester=actor.department,
            provider=provider,
            bureau=conf.bureau,
            resource=release_id,
            title=f"开放数据异议 {definition.title}",
            data={
                "grounds": grounds,
                "evidence": evidence.strip(),
                "release": release_id,
                "catalog_entry": definition.catalog_entry,
                "already_suspended": current is rel.Status.suspended,
            },
            calendar=calendar,
            at=when,
            audit_data={"rule": "GX-Open art. 22 (中止开放)"},
        )
        if current is rel.Status.published:
            rel.transition_in(
                conn,
                release_id,
                "suspend",
                f"complaint {case.ref} ({GROUNDS[grounds]}) GX-Open art. 22",
                str(actor),
                actor.role.value,
                actor.department,
            )
    return case


def _other_open(conn: sa.Connection, release_id: str, seq: int) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            sa.select(cases.c.ref)
            .where(
                cases.c.kind == KIND,
                cases.c.resource == release_id,
                cases.c.state.in_(OPEN_STATES),
                cases.c.seq != seq,
            )
            .order_by(cases.c.seq)
        )
    ]


def decide(
    settings: Settings,
    ref: str,
    event: str,
    *,
    actor: Actor,
    reason: str | None = None,
    at: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    expected_version: int | None = None,
) -> Case:
    """verify | withdraw | restore | reprocess | reopen a complaint (open-data staff)."""
    case = get_case(settings, ref)
    if case.kind != KIND:
        raise CaseError(f"{case.ref}: is a {case.kind}, not a complaint")
    release_id = case.resource
    when = utc_naive(at)
    note = f"complaint {case.ref}: {reason or ''}".strip()

    def effects(conn: sa.Connection, seq: int, c: Case) -> dict | None:
        current = rel.status_in(conn, release_id)
        if event == "withdraw" or event == "reprocess":
            if current is not rel.Status.withdrawn:
                rel.transition_in(
                    conn,
                    release_id,
                    "withdraw",
                    note,
                    str(actor),
                    actor.role.value,
                    actor.department,
                )
            return {"release": release_id, "now": "withdrawn"}
        if event == "restore":
            others = _other_open(conn, release_id, seq)
            if others:
                raise CaseError(
                    f"{case.ref}: release '{release_id}' stays suspended while complaint(s) "
                    f"{', '.join(others)} are open"
                )
            if current is rel.Status.suspended:
                rel.transition_in(
                    conn,
                    release_id,
                    "restore",
                    note,
                    str(actor),
                    actor.role.value,
                    actor.department,
                )
            return {"release": release_id, "now": "published"}
        if event == "reopen":
            last = conn.execute(
                sa.select(release_events.c.action)
                .where(release_events.c.release_id == release_id)
                .order_by(release_events.c.id.desc())
                .limit(1)
            ).scalar()
            if current is not rel.Status.published or last != "reopen":
                raise CaseError(
                    f"{case.ref}: release '{release_id}' is {current.value if current else '-'}; "
                    "rebuild it after processing (jutong release build) before reopening"
                )
            return {"release": release_id, "now": "published"}
        return None

    return fire(
        settings,
        case.ref,
        event,
        actor=actor,
        reason=reason,
        at=when,
        calendar=calendar,
        effects=effects,
        expected_version=expected_version,
    )
