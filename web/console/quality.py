"""A quality owner's pages: correction tickets (resolve; extend once by 1–5 working days,
GX-Reg art. 18), quality gate runs with their six-dimension scores, and the clerical review
queue with each pair side by side (accept or reject) — each through the API's handlers, so
the same permissions (catalog/roles.yaml) and the core's audit events apply."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from jutong.catalog.model import BaseDatabase
from jutong.governance.access import allowed
from jutong.quality.scores import DIMENSIONS
from web.api import quality as quality_api
from web.api import review as review_api
from web.api import tickets as tickets_api
from web.auth.principal import Principal
from web.console.charts import bars, line
from web.console.paging import EVERYTHING, pager, params
from web.console.render import ConsoleRoute, done_note, page, redirect
from web.console.session import CSRF_FIELD, PREFIX, check_csrf, current, safe_next
from web.context import get_context
from web.errors import ApiError

router = APIRouter(route_class=ConsoleRoute)
Me = Annotated[Principal, Depends(current)]

DONE = {
    "resolved": "工单已办结 ticket resolved",
    "extended": "工单已延期 ticket extended",
    "accepted": "已确认为同一对象 pair accepted (merged at the next build)",
    "rejected": "已确认为不同对象 pair rejected (kept apart)",
}


def _done(request: Request) -> str | None:
    return done_note(request, DONE)


def _problems(err: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())


# ---- correction tickets ---------------------------------------------------------------------


def _tickets_page(request: Request, p: Principal, *, status: int = 200, **values) -> Response:
    ctx = get_context(request)
    show_all = request.query_params.get("all") == "1"
    pg = params(request)
    found = tickets_api.list_(
        request,
        ctx,
        p,
        pg,
        department=None,
        status="open",
        overdue=False,
        as_of=None,
        all=show_all,
    )
    manage = {
        t["id"]: any(
            allowed(ctx.policies, a, "tickets.manage", [t["department"]]) for a in p.actors()
        )
        for t in found.items
    }
    return page(
        request,
        "console/tickets.html",
        status=status,
        p=p,
        tickets=found.items,
        pager=pager(request, found.total, pg, len(found.items)),
        manage=manage,
        show_all=show_all,
        done=_done(request),
        **values,
    )


@router.get("/tickets")
def tickets(request: Request, p: Me) -> Response:
    return _tickets_page(request, p)


def _refused(request: Request, p: Principal, ticket_id: str, back: str, status: int, error: str):
    """A refused ticket action: the page it came from (the tickets list or the ticket's case
    page) again, with the message; nothing was changed."""
    if back.startswith(f"{PREFIX}/cases/"):
        from web.console.inbox import case_page_with

        return case_page_with(request, p, ticket_id, status=status, error=error)
    return _tickets_page(request, p, status=status, error=error)


def _after(back: str, event: str, done: str, ticket_id: str) -> Response:
    """Back to the ticket's case page (its confirmation names the event) or the list."""
    if back.startswith(f"{PREFIX}/cases/"):
        target = safe_next(back)
        sep = "&" if "?" in target else "?"
        return redirect(f"{target}{sep}done={event}&ref={ticket_id}")
    return redirect(f"{PREFIX}/tickets?done={done}&id={ticket_id}")


@router.post("/tickets/{ticket_id}/resolve")
def resolve(
    request: Request,
    ticket_id: str,
    p: Me,
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, p, csrf_token)
    ctx = get_context(request)
    try:
        body = tickets_api.ResolveIn(note=note.strip())
        tickets_api.resolve(ticket_id, body, ctx, p)
    except ValidationError as err:
        return _refused(request, p, ticket_id, back, 422, f"{ticket_id}: {_problems(err)}")
    except ApiError as err:
        if err.status in (403, 404):
            raise
        return _refused(request, p, ticket_id, back, err.status, f"{ticket_id}: {err.message}")
    return _after(back, "resolve", "resolved", ticket_id)


@router.post("/tickets/{ticket_id}/extend")
def extend(
    request: Request,
    ticket_id: str,
    p: Me,
    days: Annotated[str, Form()] = "",
    approved_by: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, p, csrf_token)
    ctx = get_context(request)
    try:
        body = tickets_api.ExtendIn(
            days=days, approved_by=approved_by.strip(), reason=reason.strip()
        )
        tickets_api.extend(ticket_id, body, ctx, p)
    except ValidationError as err:
        return _refused(request, p, ticket_id, back, 422, f"{ticket_id}: {_problems(err)}")
    except ApiError as err:
        if err.status in (403, 404):
            raise
        return _refused(request, p, ticket_id, back, err.status, f"{ticket_id}: {err.message}")
    return _after(back, "extend", "extended", ticket_id)


# ---- quality gate runs ----------------------------------------------------------------------


@router.get("/quality")
def gate_runs(request: Request, p: Me) -> Response:
    ctx = get_context(request)
    runs = quality_api.gate_runs(
        request, ctx, p, EVERYTHING, dataset=None, department=None, status=None
    ).items
    latest = quality_api.scorecard(ctx, p, department=None)
    charts = [
        (
            r["dataset"],
            bars(
                [(f"{DIMENSIONS[k]} {k}", (r["scores"] or {}).get(k)) for k in DIMENSIONS],
                title=f"{r['dataset']}: six-dimension scores of batch {r['batch_id']}",
                maximum=100,
            ),
        )
        for r in latest
    ]
    history: dict[str, list] = defaultdict(list)
    for r in runs:
        scores = [v for v in (r["scores"] or {}).values() if v is not None]
        if scores:
            history[r["dataset"]].append((r["batch_id"], sum(scores) / len(scores)))
    trends = [
        (ds, line(pts, title=f"{ds}: mean score per gate run"))
        for ds, pts in sorted(history.items())
        if len(pts) > 1
    ]
    pg = params(request)
    table = list(reversed(runs))[pg.offset : pg.offset + pg.limit]
    return page(
        request,
        "console/quality.html",
        p=p,
        runs=table,
        pager=pager(request, len(runs), pg, len(table)),
        latest=latest,
        charts=charts,
        trends=trends,
    )


# ---- clerical review ------------------------------------------------------------------------


@router.get("/review")
def review_queue(request: Request, p: Me) -> Response:
    ctx = get_context(request)
    status = request.query_params.get("status") or "pending"
    pg = params(request)
    base = request.query_params.get("base") or None
    found = review_api.list_(request, ctx, p, pg, base=base, status=status)
    items = found.items
    return page(
        request,
        "console/review.html",
        p=p,
        items=items,
        pager=pager(request, found.total, pg, len(items)),
        review_status=status,
        review_base=base or "",
        bases=[b.value for b in BaseDatabase if b is not BaseDatabase.none],
        done=_done(request),
    )


def pair_rows(details: dict) -> tuple[list[dict], str, str]:
    """The two records' fields side by side: (rows, left heading, right heading)."""
    if "mention" in details or "entity" in details:
        left, right = details.get("mention") or {}, details.get("entity") or {}
        heads = ("待定记录 Record (mention)", "已有对象 Existing entity")
    else:
        left, right = details.get("left") or {}, details.get("right") or {}
        heads = ("左 Left", "右 Right")
    keys = list(dict.fromkeys([*left, *right]))
    rows = [
        {
            "field": k,
            "left": left.get(k),
            "right": right.get(k),
            "differs": str(left.get(k)) != str(right.get(k)),
        }
        for k in keys
    ]
    return rows, heads[0], heads[1]


def _item_page(request: Request, p: Principal, item_id: int, *, status: int = 200, **values):
    ctx = get_context(request)
    item = review_api.get(item_id, ctx, p)
    rows, left, right = pair_rows(item["details"] or {})
    may_decide = any(allowed(ctx.policies, a, "review.decide", []) for a in p.actors())
    return page(
        request,
        "console/review_item.html",
        status=status,
        p=p,
        item=item,
        rows=rows,
        left=left,
        right=right,
        may_decide=may_decide,
        **values,
    )


@router.get("/review/{item_id}")
def review_item(request: Request, item_id: int, p: Me) -> Response:
    return _item_page(request, p, item_id)


@router.post("/review/{item_id}")
def review_decide(
    request: Request,
    item_id: int,
    p: Me,
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, p, csrf_token)
    ctx = get_context(request)
    try:
        body = review_api.DecisionIn(decision=decision, note=note.strip() or None)
        review_api.decision(item_id, body, ctx, p)
    except ValidationError as err:
        return _item_page(request, p, item_id, status=422, error=_problems(err))
    except ApiError as err:
        if err.status in (403, 404):
            raise
        return _item_page(request, p, item_id, status=err.status, error=err.message)
    return redirect(f"{PREFIX}/review?done={decision}&id={item_id}")
