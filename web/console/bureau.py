"""The bureau's pages: the overdue board (steps overdue, due today or due soon, and who owes
them) and the department evaluation (LZ-Rules art. 34; GX-Dispatch art. 9(3)), with charts
drawn on the server — from the API's handlers, so the same permissions apply."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from web.api import cases as cases_api
from web.api import evaluation as evaluation_api
from web.auth.principal import Principal
from web.console.charts import bars
from web.console.paging import EVERYTHING, cut
from web.console.render import ConsoleRoute, page
from web.console.session import current
from web.context import get_context

router = APIRouter(route_class=ConsoleRoute)
Me = Annotated[Principal, Depends(current)]


def _name(ctx, dept: str) -> str:
    d = ctx.catalog.departments.get(dept)
    return d.name if d else dept


@router.get("/overdue")
def overdue_board(
    request: Request,
    p: Me,
    as_of: dt.date | None = None,
    department: str | None = None,
    overdue_only: bool = False,
) -> Response:
    ctx = get_context(request)
    day = as_of or ctx.today()
    rows = cases_api.overdue(
        request,
        ctx,
        p,
        EVERYTHING,
        as_of=day,
        department=department or None,
        overdue_only=overdue_only,
    ).items
    late = Counter(r["owed_by"] for r in rows if r["state"] == "overdue")
    soon = Counter(r["owed_by"] for r in rows if r["state"] != "overdue")
    owing = sorted(set(late) | set(soon), key=lambda d: (-late[d], -soon[d], d))
    chart = (
        bars(
            [(f"{_name(ctx, d)} 超期", late[d]) for d in owing]
            + [(f"{_name(ctx, d)} 将到期", soon[d]) for d in owing],
            title="steps overdue and due soon per owing department",
            css=["bad"] * len(owing) + ["warn"] * len(owing),
        )
        if owing
        else None
    )
    shown, pgr = cut(request, rows)
    return page(
        request,
        "console/overdue.html",
        p=p,
        rows=shown,
        pager=pgr,
        chart=chart,
        as_of=day,
        department=department or "",
        overdue_only=overdue_only,
    )


@router.get("/evaluation")
def evaluation(request: Request, p: Me, as_of: dt.date | None = None) -> Response:
    ctx = get_context(request)
    result = evaluation_api.departments(ctx, p, as_of)
    scores = result["departments"]
    met = bars(
        [
            (
                _name(ctx, s["department"]),
                None if s["met_rate"] is None else round(100 * s["met_rate"], 1),
            )
            for s in scores
        ],
        title="share of steps answered within the deadline, per department (%)",
        maximum=100,
        unit="%",
        css=[
            "good" if (s["met_rate"] or 0) >= 0.9 else "warn" if s["met_rate"] else "bar"
            for s in scores
        ],
    )
    median = bars(
        [(_name(ctx, s["department"]), s["median_answer_days"]) for s in scores],
        title="median working days to answer, per department",
        unit=" wd",
    )
    late = bars(
        [(_name(ctx, s["department"]), s["overdue_now"]) for s in scores],
        title="steps overdue now, per department",
        css=["bad"] * len(scores),
    )
    return page(
        request,
        "console/evaluation.html",
        p=p,
        scores=scores,
        as_of=result["as_of"],
        charts=[
            ("按期办结率 Answered in time", met),
            ("办理用时中位数 Median answer (working days)", median),
            ("当前超期 Overdue now", late),
        ],
    )
