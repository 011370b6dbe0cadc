"""``/api/v1/releases``: open-data releases — definitions, versions and status — and the
complaint actions of open-data staff: suspend at once, withdraw, restore (GX-Open art. 22)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from jutong.catalog.releases import ReleaseError, load_definitions
from jutong.governance import releases as rel
from web.api.pagination import Page, PageParams, page_params, paginate
from web.api.serialize import jsonable
from web.auth import Principal, principal, require
from web.auth.policy import visible_departments
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/releases", tags=["open-data releases 开放数据"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, description="why (the complaint, the verification)")


def _definitions(ctx: Context) -> dict:
    try:
        return load_definitions(ctx.settings)
    except ReleaseError:
        return {}


def _summary(ctx: Context, release_id: str, definition) -> dict:
    versions = rel.versions(ctx.settings, release_id)
    st = rel.status(ctx.settings, release_id)
    return {
        "id": release_id,
        "title": definition.title if definition else None,
        "title_en": definition.title_en if definition else None,
        "catalog_entry": definition.catalog_entry if definition else None,
        "status": st.value if st else "unpublished",
        "served": st is rel.Status.published,
        "latest_version": versions[-1]["version"] if versions else None,
        "versions": len(versions),
    }


def _known(ctx: Context, release_id: str) -> dict:
    defs = _definitions(ctx)
    if release_id not in defs and release_id not in rel.recorded_ids(ctx.settings):
        raise ApiError(404, f"no release '{release_id}'")
    return defs


@router.get("", summary="Releases: status and latest version", response_model=Page)
def list_(
    request: Request, ctx: Ctx, p: Caller, pg: Annotated[PageParams, Depends(page_params)]
) -> Page:
    defs = _definitions(ctx)
    ids = sorted(set(defs) | rel.recorded_ids(ctx.settings))
    return paginate(request, [_summary(ctx, i, defs.get(i)) for i in ids], pg)


@router.get("/{release_id}", summary="One release: status, versions, status history")
def get(release_id: str, ctx: Ctx, p: Caller) -> dict:
    defs = _known(ctx, release_id)
    out = _summary(ctx, release_id, defs.get(release_id))
    out["version_list"] = [
        jsonable({k: v for k, v in r.items() if k not in ("id", "path")})
        for r in rel.versions(ctx.settings, release_id)
    ]
    # who suspended or withdrew, and why: for the roles with release.read
    if visible_departments(ctx, p, "release.read") is None:
        out["events"] = [
            jsonable({k: v for k, v in r.items() if k != "id"})
            for r in rel.events(ctx.settings, release_id)
        ]
    return out


def _act(action: str, release_id: str, body: ReasonIn, ctx: Context, p: Principal) -> dict:
    actor = require(ctx, p, "release.manage", subject=f"release:{release_id}")
    _known(ctx, release_id)
    fn = {"suspend": rel.suspend, "withdraw": rel.withdraw, "restore": rel.restore}[action]
    try:  # the core writes the audit event in the same transaction
        fn(
            ctx.settings,
            release_id,
            body.reason,
            actor=p.name,
            role=actor.role.value,
            department=actor.department,
        )
    except ReleaseError as err:
        raise ApiError(409, str(err), code="refused") from None
    return get(release_id, ctx, p)


@router.post("/{release_id}/suspend", summary="Suspend at once on a complaint (GX-Open art. 22)")
def suspend(release_id: str, body: ReasonIn, ctx: Ctx, p: Caller) -> dict:
    return _act("suspend", release_id, body, ctx, p)


@router.post("/{release_id}/withdraw", summary="Withdraw after verification (GX-Open art. 22)")
def withdraw(release_id: str, body: ReasonIn, ctx: Ctx, p: Caller) -> dict:
    return _act("withdraw", release_id, body, ctx, p)


@router.post("/{release_id}/restore", summary="Serve a suspended release again")
def restore(release_id: str, body: ReasonIn, ctx: Ctx, p: Caller) -> dict:
    return _act("restore", release_id, body, ctx, p)
