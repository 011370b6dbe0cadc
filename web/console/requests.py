"""A requester's share requests and deliveries, and the new-request form.

The form is two plain steps, no JavaScript: choose the catalog entry, then its items, the
purpose and the end of use; the request is made by the API's own handler
(``web.api.share.create``: the core's ``request_share``, which grants an unconditional entry
at once and refuses the negative list with its legal basis)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from jutong.governance.cases.clocks import clock_state
from jutong.governance.cases.queries import list_cases, open_clocks
from jutong.governance.cases.rules import Role
from jutong.governance.sharing.requests import KIND
from web.api import share as share_api
from web.api.case_common import load_case
from web.auth import require
from web.auth.principal import Principal
from web.console.inbox import done_message
from web.console.paging import EVERYTHING, cut
from web.console.render import ConsoleRoute, page, redirect
from web.console.session import CSRF_FIELD, PREFIX, check_csrf, current
from web.context import Context, get_context
from web.errors import ApiError

router = APIRouter(route_class=ConsoleRoute)
Me = Annotated[Principal, Depends(current)]
METHODS = ("api", "file")


def requester_departments(ctx: Context, p: Principal, subject: str) -> list[str]:
    """The departments the caller asks for data as (requester staff); else 403, audited."""
    depts = sorted({a.department for a in p.actors() if a.role is Role.requester_staff})
    if not depts:
        require(ctx, p, "share.request", subject=subject)
    return depts


@router.get("/requests")
def my_requests(request: Request, p: Me) -> Response:
    ctx = get_context(request)
    depts = requester_departments(ctx, p, "my requests")
    today = ctx.today()
    current_clock = {}
    for case, clock in open_clocks(ctx.settings):
        current_clock.setdefault(case.ref, clock)
    rows = []
    for d in depts:
        for case in list_cases(ctx.settings, kind=KIND, department=d):
            if case.requester != d:
                continue
            clock = current_clock.get(case.ref)
            state = (
                clock_state(ctx.calendar, status=clock.status, due_on=clock.due_on, as_of=today)
                if clock
                else None
            )
            rows.append({"case": case, "clock": clock, "clock_state": state})
    rows.sort(key=lambda r: r["case"].opened_at, reverse=True)
    shown, pgr = cut(request, rows)
    return page(
        request,
        "console/requests.html",
        p=p,
        rows=shown,
        pager=pgr,
        requester_depts=depts,
        done=done_message(request),
    )


def _entries(ctx: Context, depts: list[str]):
    """The share list less the requesting departments' own resources."""
    return [e for e in ctx.catalog.share_list() if e.department not in depts]


def _form(request: Request, p: Principal, *, status: int = 200, **values) -> Response:
    ctx = get_context(request)
    depts = requester_departments(ctx, p, "new share request")
    resource = values.pop("resource", None) or request.query_params.get("resource")
    entry = None
    if resource:
        try:
            entry = ctx.catalog.shareable(resource)
        except KeyError:
            raise ApiError(404, f"'{resource}' is not on the share list") from None
    return page(
        request,
        "console/request_new.html",
        status=status,
        p=p,
        entries=_entries(ctx, depts),
        entry=entry,
        requester_depts=depts,
        methods=METHODS,
        **values,
    )


@router.get("/requests/new")
def new_request(request: Request, p: Me) -> Response:
    return _form(request, p, sent={})


@router.post("/requests/new")
async def submit_request(request: Request, p: Me) -> Response:
    form = await request.form()
    check_csrf(request, p, form.get(CSRF_FIELD))
    ctx = get_context(request)
    items = [str(v) for v in form.getlist("items")]
    sent = {k: str(form.get(k) or "") for k in ("resource", "purpose", "until", "method")}
    sent["department"] = str(form.get("department") or "")
    sent["items"] = items
    try:
        body = share_api.ShareRequestIn(
            resource=sent["resource"],
            items=items,
            purpose=sent["purpose"].strip(),
            until=dt.date.fromisoformat(sent["until"]) if sent["until"] else None,
            method=sent["method"] or None,
            department=sent["department"] or None,
        )
    except (ValidationError, ValueError) as err:
        problems = (
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
            if isinstance(err, ValidationError)
            else f"until: {err}"
        )
        return _form(
            request,
            p,
            status=422,
            resource=sent["resource"],
            sent=sent,
            error=f"未提交 (not submitted): {problems}",
        )
    try:
        made = share_api.create(body, ctx, p, Response())
    except ApiError as err:
        if err.status == 403:
            raise
        return _form(
            request,
            p,
            status=err.status,
            resource=sent["resource"],
            sent=sent,
            error=f"未提交 (not submitted): {err.message}",
        )
    return redirect(f"{PREFIX}/cases/{made['ref']}")


@router.get("/requests/{ref}/deliveries")
def deliveries(request: Request, ref: str, p: Me) -> Response:
    ctx = get_context(request)
    case = load_case(ctx, ref, KIND)
    found = share_api.deliveries(ref, request, ctx, p, EVERYTHING)
    return page(request, "console/deliveries.html", p=p, case=case, rows=found.items)
