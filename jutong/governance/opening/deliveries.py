"""Delivering opened data to a requester: by download or by an API key (GX-Open art. 20(5);
GX-Dispatch art. 33: the provider opens the data).

A delivery is scoped to the approved dataset (the case's catalog entry, optionally one of its
releases) and period (from delivery to the request's ``until``). Delivery is the case step
(``deliver``: after the agreement, or when on-request data is opened) and its record — with the key
for the API method — is written in the same transaction. Revoking the case (``revoke``) revokes
its deliveries and keys with it. Active deliveries are the entry's subscribers (LZ-Rules
art. 20).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from jutong.catalog.releases import ReleaseError, load_definitions
from jutong.governance import releases as rel
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.model import Case, CaseError, beijing_day, utc_naive
from jutong.governance.cases.queries import get_case
from jutong.governance.cases.rules import Role
from jutong.governance.db import engine
from jutong.governance.opening import keys
from jutong.governance.opening.requests import act
from jutong.governance.schema import cases, open_api_keys, open_deliveries
from jutong.settings import Settings
from jutong.workdays import WorkCalendar

METHODS = ("download", "api")


@dataclass(frozen=True)
class Delivered:
    case: Case
    delivery_id: int
    method: str
    valid_from: dt.date
    valid_until: dt.date
    token: str | None  # the API key, shown once


def _check_release(settings: Settings, case: Case, release_id: str) -> None:
    try:
        d = load_definitions(settings).get(release_id)
    except ReleaseError as err:
        raise CaseError(str(err)) from None
    if d is None or d.catalog_entry != case.resource:
        raise CaseError(f"{case.ref}: release '{release_id}' is not a release of {case.resource}")
    st = rel.status(settings, release_id)
    if st is not rel.Status.published:
        raise CaseError(
            f"{case.ref}: release '{release_id}' is {st.value if st else 'not published'}; "
            "it cannot be delivered (GX-Open art. 22)"
        )


def deliver(
    settings: Settings,
    ref: str,
    *,
    actor: Actor,
    method: str,
    release_id: str | None = None,
    at: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    expected_version: int | None = None,
) -> Delivered:
    """The provider delivers the data of an approved request (agreement accepted first)."""
    if method not in METHODS:
        raise CaseError(f"delivery method '{method}' is not one of {', '.join(METHODS)}")
    case = get_case(settings, ref)
    if release_id:
        _check_release(settings, case, release_id)
    when = utc_naive(at)
    start = beijing_day(when)
    until = dt.date.fromisoformat(case.data["until"])
    if until < start:
        raise CaseError(f"{case.ref}: the approved period ended on {until}")
    out: dict = {}

    def record(conn: sa.Connection, seq: int, _case: Case) -> dict:
        did = conn.execute(
            open_deliveries.insert()
            .values(
                case_seq=seq,
                method=method,
                account=case.requester,
                resource=case.resource,
                release_id=release_id,
                valid_from=start,
                valid_until=until,
                status="active",
                delivered_at=when,
                delivered_by=str(actor),
            )
            .returning(open_deliveries.c.id)
        ).scalar_one()
        out["id"] = did
        if method == "api":
            token = keys.issue_in(conn, did, by=str(actor), at=when)
            out["token"] = token
            out["key_id"] = keys.key_id_of(token)
        return {
            "delivery": did,
            "method": method,
            "release": release_id,
            "valid": [start, until],
            **({"key_id": out["key_id"]} if "key_id" in out else {}),
        }

    done = act(
        settings,
        ref,
        "deliver",
        actor=actor,
        at=when,
        calendar=calendar,
        effects=record,
        expected_version=expected_version,
    )
    return Delivered(done, out["id"], method, start, until, out.get("token"))


def reissue_key(
    settings: Settings, ref: str, *, actor: Actor, at: dt.datetime | None = None
) -> str:
    """A new key for a case's active API delivery (after a key was revoked or lost): by the
    provider's staff."""
    from jutong.governance.audit import log as audit

    case = get_case(settings, ref)
    if actor.role is not Role.provider_staff or actor.department != case.provider:
        raise CaseError(f"{case.ref}: keys are issued by the provider ({case.provider})'s staff")
    when = utc_naive(at)
    with engine(settings).begin() as conn:
        row = conn.execute(
            sa.select(open_deliveries.c.id, open_deliveries.c.valid_until)
            .join(cases, cases.c.seq == open_deliveries.c.case_seq)
            .where(
                cases.c.ref == case.ref,
                open_deliveries.c.method == "api",
                open_deliveries.c.status == "active",
            )
            .order_by(open_deliveries.c.id.desc())
        ).first()
        if row is None:
            raise CaseError(f"{case.ref}: no active API delivery to issue a key for")
        if row.valid_until < beijing_day(when):
            raise CaseError(f"{case.ref}: the approved period ended on {row.valid_until}")
        token = keys.issue_in(conn, row.id, by=str(actor), at=when)
        audit.append(
            conn,
            actor=actor.user,
            role=actor.role.value,
            department=actor.department,
            action=f"{case.kind}.key_issue",
            subject=case.ref,
            at=when,
            data={"key_id": keys.key_id_of(token), "delivery": row.id},
        )
    return token


def revoke_effects(actor: Actor, reason: str, at: dt.datetime):
    """Effects of revoking a case: its deliveries and keys revoked in the same transaction."""

    def effect(conn: sa.Connection, seq: int, _case: Case) -> dict:
        dids = [
            r[0]
            for r in conn.execute(
                sa.select(open_deliveries.c.id)
                .where(open_deliveries.c.case_seq == seq, open_deliveries.c.status == "active")
                .order_by(open_deliveries.c.id)
            )
        ]
        conn.execute(
            open_deliveries.update().where(open_deliveries.c.id.in_(dids)).values(status="revoked")
        )
        ids = keys.revoke_in(
            conn, open_api_keys.c.delivery_id.in_(dids), by=str(actor), reason=reason, at=at
        )
        return {"deliveries_revoked": dids, "keys_revoked": ids}

    return effect


def revoke_case(
    settings: Settings,
    ref: str,
    *,
    actor: Actor,
    basis: str | None,
    reason: str | None = None,
    at: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    expected_version: int | None = None,
) -> Case:
    when = utc_naive(at)
    return act(
        settings,
        ref,
        "revoke",
        actor=actor,
        reason=reason,
        basis=basis,
        at=when,
        calendar=calendar,
        effects=revoke_effects(actor, (basis or reason or "").strip(), when),
        expected_version=expected_version,
    )


def check_download(
    settings: Settings, account: str, dataset: str, *, at: dt.datetime | None = None
) -> keys.KeyCheck:
    """May ``account`` download ``dataset`` (a catalog entry or release id) now? For the
    portal's download of data delivered by download."""
    day = beijing_day(utc_naive(at))
    try:
        defs = load_definitions(settings)
    except ReleaseError:
        defs = {}
    entry = defs[dataset].catalog_entry if dataset in defs else dataset
    with engine(settings).connect() as conn:
        rows = conn.execute(
            sa.select(open_deliveries, cases.c.ref)
            .join(cases, cases.c.seq == open_deliveries.c.case_seq)
            .where(
                open_deliveries.c.account == account,
                open_deliveries.c.resource == entry,
                open_deliveries.c.method == "download",
                open_deliveries.c.status == "active",
            )
            .order_by(open_deliveries.c.id)  # the newest last (PostgreSQL keeps no row order)
        ).all()
        valid = [r for r in rows if r.valid_from <= day <= r.valid_until]
        if not valid:
            why = "outside its approved period" if rows else "no active delivery"
            return keys.KeyCheck(403, f"{account} may not download {dataset}: {why}")
        r = valid[-1]
        for release_id in dict.fromkeys(
            x for x in (r.release_id, dataset if dataset in defs else None) if x
        ):
            blocked = keys.release_block(conn, release_id)
            if blocked:
                return keys.KeyCheck(blocked.status, blocked.reason, account=account)
    return keys.KeyCheck(
        200, "ok", account=account, resource=entry, release_id=r.release_id, case_ref=r.ref
    )
