"""``/api/v1/review-items``: the clerical review queue of the base databases — pairs in the
grey zone, side by side — and a quality owner's decision (``jutong base review``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from jutong.base.review import STATUSES, ReviewError, decide, list_items
from jutong.governance.cases.model import PermissionDenied
from web.api.pagination import Page, PageParams, page_params, paginate
from web.api.serialize import jsonable
from web.auth import Principal, principal, require
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/review-items", tags=["clerical review 人工复核"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]


class DecisionIn(BaseModel):
    decision: Literal["accepted", "rejected"]
    note: str | None = None


def _json(item) -> dict:
    return jsonable({**item.__dict__, "mentions": item.mentions})


@router.get("", summary="Review items (pending by default)", response_model=Page)
def list_(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    base: Annotated[str | None, Query(description="population | legal_entity | …")] = None,
    status: Annotated[str | None, Query(description=" | ".join(STATUSES))] = "pending",
) -> Page:
    require(ctx, p, "review.read", subject="review queue")
    try:
        items = list_items(ctx.settings, base=base, status=status)
    except ReviewError as err:
        raise ApiError(422, str(err)) from None
    return paginate(request, [_json(i) for i in items], pg)


@router.get("/{item_id}", summary="One review item: the two records side by side")
def get(item_id: int, ctx: Ctx, p: Caller) -> dict:
    require(ctx, p, "review.read", subject=f"review:{item_id}")
    found = [i for i in list_items(ctx.settings, status=None) if i.id == item_id]
    if not found:
        raise ApiError(404, f"no review item {item_id}")
    return _json(found[0])


@router.post("/{item_id}/decision", summary="Accept (merge) or reject (keep apart) a pair")
def decision(item_id: int, body: DecisionIn, ctx: Ctx, p: Caller) -> dict:
    actor = require(ctx, p, "review.decide", subject=f"review:{item_id}")
    if not [i for i in list_items(ctx.settings, status=None) if i.id == item_id]:
        raise ApiError(404, f"no review item {item_id}")
    try:  # the core writes the audit event in the same transaction
        item = decide(
            ctx.settings,
            item_id,
            body.decision,
            by=p.name,
            note=body.note,
            role=actor.role.value,
            department=actor.department,
        )
    except PermissionDenied as err:  # the case rules: the bureau's quality owner or admin
        raise ApiError(403, str(err)) from None
    except ReviewError as err:
        raise ApiError(409, str(err), code="refused") from None
    return _json(item)
