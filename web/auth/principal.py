"""The caller of a request: ``Authorization: Bearer <token>`` (a login session or an API key),
the user it belongs to and the roles the user holds per department.

A user with several roles acts with all of them (a read is allowed when one of them allows it;
a case event is fired with the role the case rules name). ``X-Act-As: ROLE@DEPT`` narrows a
request to one of the user's roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from jutong.governance.audit import log as audit
from jutong.governance.cases.actors import Actor
from jutong.governance.users import AuthError, Grant, User, UserError, authenticate, parse_grant
from web.context import Context, get_context
from web.errors import ApiError

bearer = HTTPBearer(
    auto_error=False,
    description="A login session (POST /api/v1/auth/login) or an API key (jutong users token)",
)


@dataclass(frozen=True)
class Principal:
    user: User
    grants: tuple[Grant, ...]
    token_kind: str  # session | api_key
    token: str

    @property
    def name(self) -> str:
        return self.user.name

    def actors(self) -> list[Actor]:
        return [self.user.actor(g) for g in self.grants]

    def describe(self) -> str:
        return f"{self.name} ({', '.join(str(g) for g in self.grants) or 'no role'})"


def _unauthenticated(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="jutong"'})


def _resolve(
    ctx: Context, creds: HTTPAuthorizationCredentials | None, act_as: str | None
) -> Principal:
    if creds is None or not creds.credentials:
        raise _unauthenticated(
            "authentication required: send 'Authorization: Bearer <token>' (POST "
            "/api/v1/auth/login, or an API key from `jutong users token`)"
        )
    try:
        user, kind = authenticate(ctx.settings, creds.credentials)
    except AuthError as err:
        raise _unauthenticated(f"authentication failed: {err}") from None
    grants = user.grants
    if act_as:
        try:
            wanted = parse_grant(act_as, ctx.catalog.departments)
        except UserError as err:
            raise ApiError(400, f"X-Act-As: {err}") from None
        if wanted not in user.grants:
            audit.record(
                ctx.settings,
                actor=user.name,
                role=wanted.role.value,
                department=wanted.department,
                action="access.denied",
                subject=f"user:{user.name}",
                data={"reason": f"X-Act-As {wanted}: a role the user does not hold"},
            )
            raise ApiError(
                403,
                f"X-Act-As: {user.name} does not hold {wanted} "
                f"(holds: {', '.join(str(g) for g in user.grants) or 'none'})",
            )
        grants = (wanted,)
    return Principal(user, grants, kind, creds.credentials)


def principal(
    request: Request,
    ctx: Annotated[Context, Depends(get_context)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    act_as: Annotated[
        str | None,
        Header(
            alias="X-Act-As",
            description="act with one of your roles only: ROLE@DEPT (e.g. provider_staff@gongan)",
        ),
    ] = None,
) -> Principal:
    p = _resolve(ctx, creds, act_as)
    request.state.principal = p
    return p
