"""``/api/v1/notices``: public notices in force (公示) — catalog entries and data going offline
(GX-Dispatch art. 22, 27(3); LZ-Rules art. 21(3)), shown for their whole period. No login."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from jutong.governance.opening.notices import notices_in_force
from web.api.pagination import Page, PageParams, page_params, paginate
from web.context import Context, get_context
from web.errors import ERRORS

router = APIRouter(prefix="/notices", tags=["notices 公示"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]


@router.get(
    "", summary="Notices in force on a day (default today, Beijing); no login", response_model=Page
)
def in_force(
    request: Request,
    ctx: Ctx,
    pg: Annotated[PageParams, Depends(page_params)],
    as_of: Annotated[dt.date | None, Query(description="the day (default today)")] = None,
) -> Page:
    day = as_of or ctx.today()
    return paginate(request, [n.to_dict() for n in notices_in_force(ctx.settings, day)], pg)
