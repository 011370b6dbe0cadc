"""``/api/v1/share-requests``: share requests between departments (GX-Dispatch art. 29–30;
LZ-Rules art. 26) through the case engine, and the deliveries they were granted."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from jutong.governance.cases.model import CaseError
from jutong.governance.cases.queries import list_cases
from jutong.governance.cases.rules import Role
from jutong.governance.db import engine
from jutong.governance.schema import cases as cases_table
from jutong.governance.schema import share_deliveries
from jutong.governance.sharing.requests import KIND, request_share
from jutong.workdays import CalendarRangeError
from web.api.case_common import (
    EventIn,
    beijing,
    detail,
    etag,
    fire_event,
    read_case,
)
from web.api.pagination import Page, PageParams, page_params, paginate
from web.api.serialize import case_json, jsonable
from web.auth import Principal, principal, require, visible_departments
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/share-requests", tags=["share requests 数据共享"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]


class ShareRequestIn(BaseModel):
    resource: str = Field(
        description="a resource of the share list (GET /catalog/share-list): a catalog entry "
        "(gongan.huji) or the bureau's base or theme table (base.population, "
        "theme.ss_insurance_coverage)"
    )
    items: list[str] = Field(min_length=1, description="item names or labels")
    purpose: str = Field(min_length=1, description="what the data is used for (GX-Reg art. 38)")
    until: dt.date | None = Field(None, description="end of use")
    method: str | None = Field(None, description="file | api")
    at: dt.datetime | None = Field(
        None, description="when the request was made (naive = Beijing time); default now"
    )
    department: str | None = Field(
        None, description="requesting department, when you are requester staff of several"
    )


@router.post("", status_code=201, summary="Ask for items of a resource on the share list")
def create(body: ShareRequestIn, ctx: Ctx, p: Caller, response: Response) -> dict:
    actors = [a for a in p.actors() if a.role is Role.requester_staff]
    if body.department:
        actors = [a for a in actors if a.department == body.department]
    if not actors:
        require(ctx, p, "share.request", subject=f"share request {body.resource}")
    if len(actors) > 1:
        raise ApiError(
            422,
            "you are requester staff of several departments: name the requesting one "
            f"(department: {', '.join(a.department for a in actors)})",
        )
    try:
        case = request_share(
            ctx.settings,
            actor=actors[0],
            resource=body.resource,
            items=body.items,
            purpose=body.purpose,
            until=body.until,
            method=body.method,
            at=beijing(body.at),
            catalog=ctx.catalog,
            calendar=ctx.calendar,
        )
    except (CaseError, CalendarRangeError) as err:
        raise ApiError(422, str(err), code="refused") from None
    response.headers["ETag"] = etag(case)
    response.headers["Location"] = f"/api/v1/share-requests/{case.ref}"
    return detail(ctx, p, case, None)


@router.get("", summary="Share requests the caller may see", response_model=Page)
def list_(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    state: str | None = None,
    department: Annotated[
        str | None, Query(description="requested or provided by this department")
    ] = None,
    all: Annotated[bool, Query(description="closed ones too")] = False,
) -> Page:
    seen = visible_departments(ctx, p, "share.read")
    if seen is not None and (not seen or (department and department not in seen)):
        require(ctx, p, "share.read", departments=[department or "-"], subject="share list")
    found = list_cases(
        ctx.settings,
        kind=KIND,
        department=department,
        state=state,
        open_only=not all,
    )
    if seen is not None:
        found = [c for c in found if c.requester in seen or c.provider in seen]
    return paginate(request, [case_json(c) for c in found], pg)


@router.get("/{ref}", summary="One request: items, deadlines (clocks), history, events now")
def get(
    ref: str,
    ctx: Ctx,
    p: Caller,
    response: Response,
    as_of: Annotated[dt.date | None, Query(description="clocks as of this day")] = None,
) -> dict:
    case = read_case(ctx, p, ref, "share.read", KIND)
    response.headers["ETag"] = etag(case)
    return detail(ctx, p, case, as_of)


@router.get("/{ref}/events", summary="The events of the flow from the current state")
def allowed(ref: str, ctx: Ctx, p: Caller) -> list[dict]:
    case = read_case(ctx, p, ref, "share.read", KIND)
    return detail(ctx, p, case, None)["events_allowed"]


@router.post(
    "/{ref}/events",
    summary="Fire an event of the flow (pass, approve, refuse --basis, push, subscribe, …)",
)
def fire_(
    ref: str,
    body: EventIn,
    ctx: Ctx,
    p: Caller,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> dict:
    from web.api.case_common import load_case

    case = load_case(ctx, ref, KIND)
    return fire_event(ctx, p, case, body, if_match, response)


@router.get(
    "/{ref}/deliveries",
    summary="Deliveries of a request (the requester's; LZ-Rules art. 31)",
    response_model=Page,
)
def deliveries(
    ref: str,
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
) -> Page:
    from web.api.case_common import load_case

    case = load_case(ctx, ref, KIND)
    require(ctx, p, "delivery.read", departments=[case.requester], subject=case.ref)
    d = share_deliveries
    with engine(ctx.settings).connect() as conn:
        rows = conn.execute(
            sa.select(d)
            .join(cases_table, cases_table.c.seq == d.c.case_seq)
            .where(cases_table.c.ref == case.ref)
            .order_by(d.c.version)
        ).mappings()
        items = [
            jsonable({k: v for k, v in r.items() if k not in ("id", "case_seq")}) for r in rows
        ]
    return paginate(request, items, pg)
