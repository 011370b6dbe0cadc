"""``/api/v1/catalog-lifecycle``: the catalog's and the data's lifecycle as cases
(``opening.lifecycle``; the jurisdiction settings choose the flow and the rule cites which):

- ``POST …/changes``: a change of law or mandate reported (by the provider or the bureau); the
  provider updates the entry within 10 wd (GX-Open art. 15; LZ-Rules art. 14) or 15 wd
  (GX-Dispatch art. 39);
- ``POST …/offline``: the provider applies to take a catalog entry offline (GX-Dispatch art.
  21–22: reply 3 wd, 30 days' notice; LZ-Rules art. 20) or its data (GX-Dispatch art. 27: 30 wd
  ahead, reply 5 wd, 30 wd notice; LZ-Rules art. 21); an entry with subscribers goes to
  coordination (LZ-Rules art. 20);
- ``POST …/{ref}/events``: approve (publishes the notice), reject, keep, withdraw, remove /
  take-offline (after the notice), update, cancel — as the role the rules name.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from jutong.governance.cases.rules import Role
from jutong.governance.opening import lifecycle
from web.api.case_common import EventIn, beijing, detail, etag
from web.api.opening_common import fire_with, list_page, one_actor, read_case, run_step
from web.api.pagination import Page, PageParams, page_params
from web.auth import Principal, principal
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(
    prefix="/catalog-lifecycle", tags=["catalog lifecycle 目录更新与下线"], responses=ERRORS
)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]
WHAT = "a catalog or offline case"


class ChangeIn(BaseModel):
    resource: str = Field(description="the catalog entry concerned")
    change: str = Field(min_length=1, description="the change of law or mandate")
    changed_on: dt.date | None = Field(None, description="the day it took effect (default today)")
    at: dt.datetime | None = None
    act_as: str | None = Field(None, description="ROLE@DEPT when you hold several roles")


class OfflineIn(BaseModel):
    what: Literal["catalog", "data"] = Field(description="catalog 目录下线 | data 数据下线")
    resource: str = Field(description="the catalog entry")
    reason: str = Field(min_length=1)
    basis: str | None = Field(None, description="legal basis (data offline, LZ-Rules art. 21)")
    planned_on: dt.date | None = Field(
        None, description="data offline: the day it goes offline (GX-Dispatch art. 27: 30 wd ahead)"
    )
    at: dt.datetime | None = None


def _created(ctx: Context, p: Principal, case, response: Response) -> dict:
    response.headers["ETag"] = etag(case)
    response.headers["Location"] = f"/api/v1/catalog-lifecycle/{case.ref}"
    return detail(ctx, p, case, None)


@router.post("/changes", status_code=201, summary="Report a change of law or mandate (目录更新)")
def report_change(body: ChangeIn, ctx: Ctx, p: Caller, response: Response) -> dict:
    actors = [a for a in p.actors() if not a.is_public]
    if body.act_as:
        actors = [a for a in actors if f"{a.role.value}@{a.department}" == body.act_as]
    if not actors:
        raise ApiError(403, f"a change is reported by department staff; {p.describe()}")
    try:
        entry = ctx.catalog.get(body.resource)
    except KeyError:
        raise ApiError(404, f"no catalog entry '{body.resource}'") from None
    # the provider's staff, else the bureau's (the core checks which department may)
    actor = next((a for a in actors if a.department == entry.department), actors[0])
    case = run_step(
        ctx,
        "report",
        lambda: lifecycle.report_change(
            ctx.settings,
            actor=actor,
            resource=body.resource,
            change=body.change,
            changed_on=body.changed_on,
            at=beijing(body.at),
            catalog=ctx.catalog,
            calendar=ctx.calendar,
        ),
    )
    return _created(ctx, p, case, response)


@router.post(
    "/offline", status_code=201, summary="Apply to take a catalog entry or its data offline"
)
def apply_offline(body: OfflineIn, ctx: Ctx, p: Caller, response: Response) -> dict:
    try:
        entry = ctx.catalog.get(body.resource)
    except KeyError:
        raise ApiError(404, f"no catalog entry '{body.resource}'") from None
    actor = one_actor(ctx, p, Role.provider_staff, "an offline application", entry.department)
    if body.what == "catalog":
        do = lambda: lifecycle.apply_catalog_offline(  # noqa: E731
            ctx.settings,
            actor=actor,
            resource=body.resource,
            reason=body.reason,
            at=beijing(body.at),
            catalog=ctx.catalog,
            calendar=ctx.calendar,
        )
    else:
        do = lambda: lifecycle.apply_data_offline(  # noqa: E731
            ctx.settings,
            actor=actor,
            resource=body.resource,
            reason=body.reason,
            basis=body.basis,
            planned_on=body.planned_on,
            at=beijing(body.at),
            catalog=ctx.catalog,
            calendar=ctx.calendar,
        )
    return _created(ctx, p, run_step(ctx, "apply", do), response)


@router.get("", summary="Lifecycle cases the caller may see", response_model=Page)
def list_(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    kind: Literal["catalog_update", "catalog_offline", "data_offline"] | None = None,
    state: str | None = None,
    all: Annotated[bool, Query(description="closed ones too")] = False,
) -> Page:
    kinds = (kind,) if kind else lifecycle.KINDS
    return list_page(
        request, ctx, p, pg, kinds, state=state, open_only=not all, subject="lifecycle list"
    )


@router.get("/{ref}", summary="One case: deadlines, notice, subscribers, history")
def get(ref: str, ctx: Ctx, p: Caller, response: Response) -> dict:
    case = read_case(ctx, p, ref, lifecycle.KINDS, WHAT)
    response.headers["ETag"] = etag(case)
    return detail(ctx, p, case, None)


@router.post(
    "/{ref}/events",
    summary="approve | reject | keep | withdraw | remove | take-offline | update | cancel",
)
def fire_(
    ref: str,
    body: EventIn,
    ctx: Ctx,
    p: Caller,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> dict:
    case = read_case(ctx, p, ref, lifecycle.KINDS, WHAT)
    return fire_with(ctx, p, case, body, if_match, response, lifecycle.decide)
