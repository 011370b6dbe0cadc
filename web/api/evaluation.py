"""``/api/v1/evaluation/departments``: how each department answers the steps it owes
(LZ-Rules art. 34; GX-Dispatch art. 9(3))."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends

from jutong.governance.evaluation import evaluate_departments
from web.auth import Principal, principal, require
from web.context import Context, get_context
from web.errors import ERRORS

router = APIRouter(prefix="/evaluation", tags=["evaluation 考核评价"], responses=ERRORS)


@router.get("/departments", summary="Per department: deadlines met, median answer days, …")
def departments(
    ctx: Annotated[Context, Depends(get_context)],
    p: Annotated[Principal, Depends(principal)],
    as_of: dt.date | None = None,
) -> dict:
    require(ctx, p, "evaluation.read", subject="evaluation")
    as_of = as_of or ctx.today()
    scores = evaluate_departments(ctx.settings, as_of=as_of, calendar=ctx.calendar)
    return {"as_of": as_of.isoformat(), "departments": [s.to_dict() for s in scores]}
