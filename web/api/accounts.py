"""``/api/v1/accounts``: portal accounts of citizens and organisations (数据使用主体, GX-Open
art. 20(1)). Registering needs no login: it makes the account (``opening.accounts``) and a user
holding ``public@ACCOUNT`` with an argon2-hashed password (``jutong.governance.users``), who
then logs in with ``POST /api/v1/auth/login``. Both steps are audited by the core."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from jutong.governance.cases.model import CaseError
from jutong.governance.cases.rules import Role
from jutong.governance.opening.accounts import KINDS, Account, get_account, register_account
from jutong.governance.users import (
    PasswordError,
    User,
    UserError,
    add_user,
    get_user,
    parse_grant,
)
from jutong.governance.users.passwords import check_strength
from web.api.serialize import jsonable
from web.auth import Principal, principal
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/accounts", tags=["portal accounts 开放账户"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]


class AccountIn(BaseModel):
    account: str = Field(description="account id: a-z, 0-9, _ . - (2–64), e.g. zhangsan")
    kind: Literal["person", "organisation"] = Field(
        description="person 自然人 | organisation 法人和非法人组织"
    )
    name: str = Field(min_length=1, description="the person's or organisation's name")
    uscc: str | None = Field(
        None, description="an organisation's unified social credit code (GB 32100)"
    )
    contact: str | None = Field(None, description="telephone or e-mail")
    username: str | None = Field(None, description="sign-in name (default: the account id)")
    password: str = Field(description="at least 10 characters; stored as an argon2 hash")


def account_json(a: Account) -> dict:
    return {**jsonable(dict(a.__dict__)), "kind_label": KINDS[a.kind]}


def open_account(
    ctx: Context,
    *,
    account: str,
    kind: str,
    name: str,
    password: str,
    uscc: str | None = None,
    contact: str | None = None,
    username: str | None = None,
) -> tuple[Account, User]:
    """The account and its sign-in user (``public@ACCOUNT``); refused with an ``ApiError``
    naming what was wrong, before anything is written where it can be checked first. Used by
    the API and the portal's sign-up form."""
    username = (username or account or "").strip()
    try:
        check_strength(password)
    except PasswordError as err:
        raise ApiError(422, f"password: {err}", details={"field": "password"}) from None
    try:
        get_user(ctx.settings, username)
    except UserError:
        pass  # free
    else:
        raise ApiError(409, f"user name '{username}' is taken; choose another")
    try:
        made = register_account(
            ctx.settings,
            account,
            kind=kind,
            name=name,
            uscc_code=uscc,
            contact=contact,
            by=f"portal:{username}",
            departments=ctx.catalog.departments,
        )
    except CaseError as err:
        status = 409 if "already exists" in str(err) else 422
        raise ApiError(status, str(err)) from None
    try:
        user = add_user(
            ctx.settings,
            username,
            by=f"portal:{username}",
            password=password,
            display_name=made.name,
            grants=[parse_grant(f"public@{made.id}", ctx.catalog.departments)],
        )
    except (UserError, PasswordError) as err:
        raise ApiError(
            409, f"account {made.id} registered, but its sign-in was refused: {err}"
        ) from None
    return made, user


@router.post("", status_code=201, summary="Register a portal account and its sign-in (no login)")
def register(body: AccountIn, ctx: Ctx, response: Response) -> dict:
    account, user = open_account(
        ctx,
        account=body.account,
        kind=body.kind,
        name=body.name,
        password=body.password,
        uscc=body.uscc,
        contact=body.contact,
        username=body.username,
    )
    response.headers["Location"] = "/api/v1/accounts/me"
    return {"account": account_json(account), "user": user.to_dict(), "login": "/api/v1/auth/login"}


@router.get("/me", summary="The caller's portal account(s)")
def me(ctx: Ctx, p: Annotated[Principal, Depends(principal)]) -> dict:
    ids = [a.department for a in p.actors() if a.role is Role.public]
    if not ids:
        raise ApiError(404, f"{p.name} holds no portal account (public@ACCOUNT); staff have none")
    out = []
    for account_id in ids:
        try:
            out.append(account_json(get_account(ctx.settings, account_id)))
        except CaseError as err:
            raise ApiError(404, str(err)) from None
    return {"user": p.name, "accounts": out}
