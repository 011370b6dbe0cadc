"""Portal accounts of citizens and organisations (数据使用主体, GX-Open art. 20(1)).

An account acts with the ``public`` role (``USER:public@ACCOUNT``). It is registered once with
its kind and name (an organisation with its unified social credit code, GB 32100), so a request,
an accepted agreement or a rating names who it was. Passwords and sign-in belong to the web
service; the core knows the account and checks that an actor's account exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from jutong.governance.audit import log as audit
from jutong.governance.cases.actors import ACCOUNT, Actor
from jutong.governance.cases.model import CaseError, utc_naive
from jutong.governance.db import engine
from jutong.governance.schema import open_accounts
from jutong.identifiers.uscc import is_valid_uscc
from jutong.settings import Settings

KINDS = {"person": "自然人", "organisation": "法人和非法人组织"}


@dataclass(frozen=True)
class Account:
    id: str
    kind: str
    name: str
    uscc: str | None
    contact: str | None
    created_at: dt.datetime


def register_account(
    settings: Settings,
    account_id: str,
    *,
    kind: str,
    name: str,
    uscc_code: str | None = None,
    contact: str | None = None,
    by: str = "portal",
    departments: dict | None = None,
    at: dt.datetime | None = None,
) -> Account:
    """Register a portal account; refused when the id is taken, malformed or a department's."""
    if departments is None:
        from jutong.catalog.loader import load_catalog

        departments = load_catalog(settings.catalog_dir).departments
    if not ACCOUNT.match(account_id or ""):
        raise CaseError(f"account id '{account_id}': use a-z, 0-9, _ . - (2–64 characters)")
    if departments is not None and account_id in departments:
        raise CaseError(f"account id '{account_id}' is a department's id")
    if kind not in KINDS:
        raise CaseError(f"account kind '{kind}' is not one of {', '.join(KINDS)}")
    if not (name or "").strip():
        raise CaseError("account: a name is required")
    if kind == "organisation":
        code = (uscc_code or "").strip().upper()
        if not is_valid_uscc(code):
            raise CaseError(
                f"account: '{uscc_code}' is not a valid unified social credit code (GB 32100)"
            )
        uscc_code = code
    else:
        uscc_code = None
    at = utc_naive(at)
    with engine(settings).begin() as conn:
        if conn.execute(
            sa.select(open_accounts.c.id).where(open_accounts.c.id == account_id)
        ).first():
            raise CaseError(f"account '{account_id}' already exists")
        conn.execute(
            open_accounts.insert().values(
                id=account_id,
                kind=kind,
                name=name.strip(),
                uscc=uscc_code,
                contact=contact,
                created_at=at,
                created_by=by,
            )
        )
        audit.append(
            conn,
            actor=by,
            action="account.register",
            subject=f"account:{account_id}",
            at=at,
            data={"kind": kind, "name": name.strip(), "uscc": uscc_code},
        )
    return get_account(settings, account_id)


def get_account(settings: Settings, account_id: str) -> Account:
    with engine(settings).connect() as conn:
        row = conn.execute(sa.select(open_accounts).where(open_accounts.c.id == account_id)).first()
    if row is None:
        raise CaseError(
            f"account '{account_id}' is not registered (jutong open account register …)"
        )
    m = row._mapping
    return Account(m["id"], m["kind"], m["name"], m["uscc"], m["contact"], m["created_at"])


def public_account(settings: Settings, actor: Actor) -> Account:
    """The registered account of a public actor; refused for department staff."""
    if not actor.is_public:
        raise CaseError(
            f"{actor}: this is done by a citizen's or organisation's account "
            "(USER:public@ACCOUNT), not by department staff"
        )
    return get_account(settings, actor.department)
