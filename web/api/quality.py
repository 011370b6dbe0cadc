"""``/api/v1/quality``: quality gate runs with their six-dimension scores (GX-Open art.
20(7)), and the scorecard — the latest run of each dataset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from jutong.quality.store import runs
from web.api.pagination import Page, PageParams, page_params, paginate
from web.api.serialize import jsonable
from web.auth import Principal, principal, require, visible_departments
from web.context import Context, get_context
from web.errors import ERRORS

router = APIRouter(prefix="/quality", tags=["quality 数据质量"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]


def _runs(ctx: Context, p: Principal, dataset: str | None, department: str | None) -> list:
    seen = visible_departments(ctx, p, "gate.read")
    if seen is not None and (not seen or (department and department not in seen)):
        require(ctx, p, "gate.read", departments=[department or "-"], subject="gate runs")
    found = runs(ctx.settings, dataset)
    if department:
        found = [r for r in found if r.department == department]
    if seen is not None:
        found = [r for r in found if r.department in seen]
    return found


@router.get("/gate-runs", summary="Quality gate runs, oldest first", response_model=Page)
def gate_runs(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    dataset: str | None = None,
    department: str | None = None,
    status: Annotated[str | None, Query(description="passed | blocked")] = None,
) -> Page:
    found = _runs(ctx, p, dataset, department)
    if status:
        found = [r for r in found if r.status == status]
    return paginate(request, [jsonable(dict(r.__dict__)) for r in found], pg)


@router.get("/scorecard", summary="The latest gate run of each dataset, with its scores")
def scorecard(ctx: Ctx, p: Caller, department: str | None = None) -> list[dict]:
    latest: dict[str, object] = {}
    for r in _runs(ctx, p, None, department):
        latest[r.dataset] = r
    return [
        jsonable(
            {
                "dataset": r.dataset,
                "department": r.department,
                "batch_id": r.batch_id,
                "status": r.status,
                "rows_in": r.rows_in,
                "published": r.published,
                "quarantined": r.quarantined,
                "scores": r.scores,
                "ticket": r.ticket,
                "gated_at": r.gated_at,
            }
        )
        for r in (latest[k] for k in sorted(latest))
    ]
