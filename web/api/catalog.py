"""``/api/v1/catalog``: the resource catalog (政务数据资源目录), read only — departments,
entries with their items, share and open types, and the share list (共享目录: the entries and
the bureau's base and theme resources a share request may name)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from web.api.pagination import Page, PageParams, page_params, paginate
from web.auth import Principal, principal
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/catalog", tags=["catalog 资源目录"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]


@router.get("/departments", summary="Departments")
def departments(ctx: Ctx, p: Caller) -> list[dict]:
    return [
        {"id": k, "name": d.name, "name_en": d.name_en}
        for k, d in sorted(ctx.catalog.departments.items())
    ]


def _summary(e) -> dict:
    return {
        "id": e.id,
        "title": e.title,
        "department": e.department,
        "summary": e.summary,
        "update_cycle": e.update_cycle.value,
        "share_type": e.share.type.value,
        "open_type": e.open.type.value,
        "items": len(e.items),
    }


@router.get("/entries", summary="Catalog entries", response_model=Page)
def entries(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    department: str | None = None,
    share_type: str | None = None,
) -> Page:
    found = [
        _summary(e)
        for e in sorted(ctx.catalog, key=lambda e: e.id)
        if (not department or e.department == department)
        and (not share_type or e.share.type.value == share_type)
    ]
    return paginate(request, found, pg)


@router.get("/entries/{entry_id}", summary="One entry with its data items")
def entry(entry_id: str, ctx: Ctx, p: Caller) -> dict:
    try:
        e = ctx.catalog.get(entry_id)
    except KeyError:
        raise ApiError(404, f"no catalog entry '{entry_id}'") from None
    return e.model_dump(mode="json")


def _shared_summary(r) -> dict:
    return {
        "id": r.id,
        "title": r.title,
        "kind": r.kind,
        "provider": r.department,
        "summary": r.summary,
        "share_type": r.share.type.value,
        "method": r.share.method,
        "legal_basis": r.share.legal_basis,
        "source_table": r.source_table,
        "items": [{"name": i.name, "label": i.label} for i in r.items],
    }


@router.get(
    "/share-list",
    summary="The share list: department entries and the bureau's base and theme resources",
    response_model=Page,
)
def share_list(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    kind: str | None = None,
    provider: str | None = None,
) -> Page:
    found = [
        _shared_summary(r)
        for r in ctx.catalog.share_list()
        if (not kind or r.kind == kind) and (not provider or r.department == provider)
    ]
    return paginate(request, found, pg)


@router.get("/share-list/{resource_id}", summary="One resource of the share list")
def shared(resource_id: str, ctx: Ctx, p: Caller) -> dict:
    try:
        r = ctx.catalog.shareable(resource_id)
    except KeyError:
        raise ApiError(404, f"'{resource_id}' is not on the share list") from None
    return {**r.model_dump(mode="json"), "kind": r.kind, "source_table": r.source_table}
