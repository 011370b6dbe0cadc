"""``/api/v1/cases``: every governed process as a case — lists filtered by kind, state,
department and overdue steps, one case with its clocks and history, the events allowed now,
firing an event (optimistic concurrency), the rules, and the overdue board."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from jutong.governance.cases.clocks import clock_state
from jutong.governance.cases.queries import list_cases, open_clocks
from jutong.governance.cases.rules import FLOWS, RESUME, Party
from web.api.case_common import EventIn, detail, etag, fire_event, load_case, read_case
from web.api.pagination import Page, PageParams, page_params, paginate
from web.api.serialize import case_json
from web.auth import Principal, principal, require, visible_departments
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/cases", tags=["cases 案件"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]


def _scope(ctx: Context, p: Principal, department: str | None, subject: str) -> set[str] | None:
    seen = visible_departments(ctx, p, "cases.read")
    if seen is not None and (not seen or (department and department not in seen)):
        require(ctx, p, "cases.read", departments=[department or "-"], subject=subject)
    return seen


@router.get("/rules", summary="The transition tables: who fires what, deadlines, articles")
def rules(p: Caller, flow: str | None = None) -> list[dict]:
    if flow and flow not in FLOWS:
        raise ApiError(404, f"unknown flow '{flow}' (known: {', '.join(FLOWS)})")
    out = []
    for f in [FLOWS[flow]] if flow else FLOWS.values():
        out.append(
            {
                "flow": f.name,
                "title": f.title,
                "basis": f.basis,
                "initial": f.initial,
                "pausing": sorted(f.pausing),
                "terminal": sorted(f.terminal),
                "transitions": [
                    {
                        "state": t.state,
                        "event": t.event,
                        "to": "(back to the paused step)" if t.to == RESUME else t.to,
                        "party": t.party.value,
                        "roles": [r.value for r in t.roles],
                        "needs_basis": t.needs_basis,
                        "needs_reason": t.needs_reason,
                        "basis": t.basis,
                    }
                    for t in f.transitions
                ],
                "clocks": {
                    state: {
                        "owed_by": c.party.value,
                        "working_days": c.working_days,
                        "label": c.label,
                        "basis": c.basis,
                    }
                    for state, c in f.clocks.items()
                },
            }
        )
    return out


def _board(ctx: Context, as_of: dt.date, overdue_only: bool) -> list[dict]:
    out = []
    for case, clock in open_clocks(ctx.settings):
        st = clock_state(ctx.calendar, status=clock.status, due_on=clock.due_on, as_of=as_of)
        if st in ("overdue", "due") or (st == "due_soon" and not overdue_only):
            out.append(
                {
                    "case": case.ref,
                    "kind": case.kind,
                    "title": case.title,
                    "requester": case.requester,
                    "provider": case.provider,
                    "step": clock.state,
                    "label": clock.label,
                    "owed_by": case.party_department(Party(clock.party)),
                    "state": st,
                    "due_on": clock.due_on.isoformat(),
                    "provisional": bool(clock.provisional),
                    "basis": clock.basis,
                }
            )
    return out


@router.get("/overdue", summary="Overdue board: steps overdue, due today or due soon")
def overdue(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    as_of: dt.date | None = None,
    department: Annotated[str | None, Query(description="only steps this department owes")] = None,
    overdue_only: bool = False,
) -> Page:
    seen = _scope(ctx, p, department, "overdue board")
    rows = _board(ctx, as_of or ctx.today(), overdue_only)
    if seen is not None:
        rows = [r for r in rows if r["requester"] in seen or r["provider"] in seen]
    if department:
        rows = [r for r in rows if r["owed_by"] == department]
    return paginate(request, rows, pg)


@router.get("", summary="Cases the caller may see", response_model=Page)
def list_(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    kind: str | None = None,
    state: str | None = None,
    department: Annotated[
        str | None, Query(description="requested or provided by this department")
    ] = None,
    overdue: Annotated[bool, Query(description="only cases with a step overdue now")] = False,
    as_of: dt.date | None = None,
    all: Annotated[bool, Query(description="closed ones too")] = False,
) -> Page:
    seen = _scope(ctx, p, department, "case list")
    found = list_cases(
        ctx.settings, kind=kind, department=department, state=state, open_only=not all
    )
    if seen is not None:
        found = [c for c in found if c.requester in seen or c.provider in seen]
    if overdue:
        board = _board(ctx, as_of or ctx.today(), True)
        late = {r["case"] for r in board if r["state"] == "overdue"}
        found = [c for c in found if c.ref in late]
    return paginate(request, [case_json(c) for c in found], pg)


@router.get("/{ref}", summary="One case: clocks, history, events allowed now")
def get(
    ref: str,
    ctx: Ctx,
    p: Caller,
    response: Response,
    as_of: dt.date | None = None,
) -> dict:
    case = read_case(ctx, p, ref, "cases.read", None)
    response.headers["ETag"] = etag(case)
    return detail(ctx, p, case, as_of)


@router.get("/{ref}/events", summary="The events allowed now, and whether the caller may fire")
def allowed(ref: str, ctx: Ctx, p: Caller) -> list[dict]:
    case = read_case(ctx, p, ref, "cases.read", None)
    return detail(ctx, p, case, None)["events_allowed"]


@router.post("/{ref}/events", summary="Fire an event (If-Match or version: optimistic concurrency)")
def fire_(
    ref: str,
    body: EventIn,
    ctx: Ctx,
    p: Caller,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> dict:
    return fire_event(ctx, p, load_case(ctx, ref), body, if_match, response)
