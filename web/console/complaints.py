"""Open-data staff's complaints (开放数据异议, GX-Open art. 22) and the public notices (公示,
GX-Dispatch art. 22, 27(3); LZ-Rules art. 21(3)).

- ``/complaints``: every complaint with its release's status, its state and its deadline
  (verification within 5 wd), and the steps the rules allow now — verify, withdraw, restore,
  reprocess, reopen, each with its reason — posted to the opening case page's decision
  (``web.console.opening``, on ``web.api.complaints.fire_``);
- ``/notices``: the notices in force on a day (as the portal shows them) and the past ones
  (ended or withdrawn early).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from jutong.governance import releases as G
from jutong.governance.opening.notices import all_notices
from web.api import complaints as complaints_api
from web.api import notices as notices_api
from web.api.case_common import detail, load_case
from web.auth import require
from web.auth.principal import Principal
from web.console.opening import done_message, one_click
from web.console.paging import EVERYTHING, cut
from web.console.render import ConsoleRoute, page
from web.console.session import current
from web.context import get_context

router = APIRouter(route_class=ConsoleRoute)
Me = Annotated[Principal, Depends(current)]


@router.get("/complaints")
def complaints_page(request: Request, p: Me, all: bool = False) -> Response:
    ctx = get_context(request)
    require(ctx, p, "release.manage", subject="complaints")
    found = complaints_api.list_(request, ctx, p, EVERYTHING, None, all).items
    rows = []
    for item in found:
        case = load_case(ctx, item["ref"])
        d = detail(ctx, p, case, None)
        status = G.status(ctx.settings, case.resource)
        rows.append(
            {
                "case": case,
                "clocks": [c for c in d["clocks"] if c["status"] in ("running", "paused")],
                "events": one_click(case, d["events_allowed"]),
                "release_status": status.value if status else None,
            }
        )
    rows.reverse()  # newest first
    shown, pgr = cut(request, rows)
    return page(
        request,
        "console/complaints.html",
        p=p,
        rows=shown,
        pager=pgr,
        show_all=all,
        done=done_message(request),
        back=request.url.path + ("?all=true" if all else ""),
    )


@router.get("/notices")
def notices_page(request: Request, p: Me, as_of: dt.date | None = None) -> Response:
    ctx = get_context(request)
    require(ctx, p, "release.read", subject="notices")
    day = as_of or ctx.today()
    in_force = notices_api.in_force(request, ctx, EVERYTHING, day).items
    current_ids = {n["id"] for n in in_force}
    past = [
        n.to_dict()
        for n in reversed(all_notices(ctx.settings))
        if n.id not in current_ids and (n.withdrawn_at is not None or n.ends_on < day)
    ]
    coming = [
        n.to_dict()
        for n in all_notices(ctx.settings)
        if n.id not in current_ids and n.withdrawn_at is None and n.starts_on > day
    ]
    shown, pgr = cut(request, past)
    return page(
        request,
        "console/notices.html",
        p=p,
        as_of=day,
        in_force=in_force,
        coming=coming,
        past=shown,
        pager=pgr,
    )
