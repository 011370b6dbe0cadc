"""``/api/v1/auth``: log in (user name and password → a bearer token that expires), log out
(the token is revoked), and who the caller is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from jutong.governance.users import AuthError, login, revoke_token
from web.auth import Principal, principal
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/auth", tags=["authentication 认证"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]


class LoginIn(BaseModel):
    username: str = Field(min_length=1)
    password: str = Field(min_length=1)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
    prefix: str
    kind: str
    user: str
    name: str | None = None
    expires_at: str | None = None


@router.post("/login", summary="Log in: a bearer token (expires after api_token_hours)")
def login_(body: LoginIn, ctx: Ctx) -> TokenOut:
    try:
        issued = login(ctx.settings, body.username, body.password)
    except AuthError as err:
        raise ApiError(
            401, f"login failed: {err}", headers={"WWW-Authenticate": 'Bearer realm="jutong"'}
        ) from None
    return TokenOut(**issued.to_dict())


@router.post("/logout", status_code=204, summary="Revoke the token of this request")
def logout(ctx: Ctx, p: Annotated[Principal, Depends(principal)]) -> None:
    revoke_token(ctx.settings, p.token, by=p.name)


@router.get("/me", summary="The caller: user, roles per department, token kind")
def me(p: Annotated[Principal, Depends(principal)]) -> dict:
    return {
        **p.user.to_dict(),
        "acting_as": [str(a) for a in p.actors()],
        "token_kind": p.token_kind,
    }
