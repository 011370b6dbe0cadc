"""``/api/v1/users``: the bureau administrator manages users, their roles per department and
API keys for systems over the API, as ``jutong users`` does on the command line (every change
is an audit event; SX-Reg art. 24: permission management)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from jutong.governance.users import (
    PasswordError,
    UserError,
    add_user,
    get_user,
    grant_role,
    issue_token,
    list_tokens,
    list_users,
    parse_grant,
    revoke_role,
    revoke_token,
    set_active,
)
from web.api.pagination import Page, PageParams, page_params, paginate
from web.api.serialize import jsonable
from web.auth import Principal, principal, require
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/users", tags=["users 用户"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    display_name: str | None = None
    password: str | None = Field(None, description="none for a system that uses API keys only")
    roles: list[str] = Field(
        default_factory=list, description="ROLE@DEPT, e.g. provider_staff@gongan"
    )


class RoleIn(BaseModel):
    role: str = Field(description="ROLE@DEPT, e.g. provider_staff@gongan")


class ApiKeyIn(BaseModel):
    label: str | None = Field(None, description="what the key is for (the system's name)")
    days: float | None = Field(None, gt=0, description="expire after this many days; none: never")


def _admin(ctx: Context, p: Principal, subject: str) -> None:
    require(ctx, p, "users.manage", subject=subject)


def _grant(ctx: Context, text: str):
    try:
        return parse_grant(text, ctx.catalog.departments)
    except UserError as err:
        raise ApiError(422, str(err)) from None


def _user(ctx: Context, name: str):
    try:
        return get_user(ctx.settings, name)
    except UserError as err:
        raise ApiError(404, str(err)) from None


@router.get("", summary="Users and their roles", response_model=Page)
def list_(
    request: Request, ctx: Ctx, p: Caller, pg: Annotated[PageParams, Depends(page_params)]
) -> Page:
    _admin(ctx, p, "users")
    return paginate(request, [u.to_dict() for u in list_users(ctx.settings)], pg)


@router.post("", status_code=201, summary="Add a user (a person with a password, or a system)")
def create(body: UserIn, ctx: Ctx, p: Caller) -> dict:
    _admin(ctx, p, f"user:{body.name}")
    grants = [_grant(ctx, r) for r in body.roles]
    try:
        user = add_user(
            ctx.settings,
            body.name,
            by=p.name,
            password=body.password,
            display_name=body.display_name,
            grants=grants,
        )
    except (UserError, PasswordError) as err:
        status = 409 if "already exists" in str(err) else 422
        raise ApiError(status, str(err)) from None
    return user.to_dict()


@router.get("/{name}", summary="One user, its roles and tokens (prefixes only)")
def get(name: str, ctx: Ctx, p: Caller) -> dict:
    _admin(ctx, p, f"user:{name}")
    user = _user(ctx, name)
    return {**user.to_dict(), "tokens": jsonable(list_tokens(ctx.settings, name))}


@router.post("/{name}/roles", summary="Grant a role in a department")
def grant(name: str, body: RoleIn, ctx: Ctx, p: Caller) -> dict:
    _admin(ctx, p, f"user:{name}")
    _user(ctx, name)
    try:
        return grant_role(ctx.settings, name, _grant(ctx, body.role), by=p.name).to_dict()
    except UserError as err:
        raise ApiError(409, str(err), code="refused") from None


@router.delete("/{name}/roles/{role}", summary="Take a role away (ROLE@DEPT)")
def revoke(name: str, role: str, ctx: Ctx, p: Caller) -> dict:
    _admin(ctx, p, f"user:{name}")
    _user(ctx, name)
    try:
        return revoke_role(ctx.settings, name, _grant(ctx, role), by=p.name).to_dict()
    except UserError as err:
        raise ApiError(409, str(err), code="refused") from None


@router.post("/{name}/deactivate", summary="Deactivate: the user's tokens stop working at once")
def deactivate(name: str, ctx: Ctx, p: Caller) -> dict:
    _admin(ctx, p, f"user:{name}")
    _user(ctx, name)
    return set_active(ctx.settings, name, False, by=p.name).to_dict()


@router.post("/{name}/activate", summary="Activate a deactivated user")
def activate(name: str, ctx: Ctx, p: Caller) -> dict:
    _admin(ctx, p, f"user:{name}")
    _user(ctx, name)
    return set_active(ctx.settings, name, True, by=p.name).to_dict()


@router.post("/{name}/api-keys", status_code=201, summary="Issue an API key (shown once)")
def api_key(name: str, body: ApiKeyIn, ctx: Ctx, p: Caller) -> dict:
    _admin(ctx, p, f"user:{name}")
    _user(ctx, name)
    try:
        issued = issue_token(
            ctx.settings,
            name,
            by=p.name,
            kind="api_key",
            name=body.label,
            hours=body.days * 24 if body.days else None,
        )
    except UserError as err:
        raise ApiError(409, str(err), code="refused") from None
    return issued.to_dict()


@router.delete("/{name}/api-keys/{prefix}", status_code=204, summary="Revoke a token by prefix")
def revoke_key(name: str, prefix: str, ctx: Ctx, p: Caller) -> None:
    _admin(ctx, p, f"user:{name}")
    if not any(t["prefix"] == prefix for t in list_tokens(ctx.settings, name)):
        raise ApiError(404, f"user '{name}' has no token {prefix}")
    try:
        revoke_token(ctx.settings, prefix, by=p.name)
    except UserError as err:
        raise ApiError(409, str(err), code="refused") from None
