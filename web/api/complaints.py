"""``/api/v1/complaints``: complaints about opened data (开放数据异议, GX-Open art. 22).

Anyone with an account files one (a public account, or staff): ``opening.complaints.
file_complaint`` opens the case and **suspends the release in the same transaction**, so when
the 201 answer arrives the release's downloads and API keys already answer 451. Open-data staff
then verify, withdraw, restore, reprocess and reopen it (``POST …/events``, with the case
version).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from jutong.governance import releases as G
from jutong.governance.opening import complaints
from web.api.case_common import EventIn, beijing, detail, etag
from web.api.opening_common import fire_with, list_page, read_case, run_step
from web.api.pagination import Page, PageParams, page_params
from web.auth import Principal, principal
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/complaints", tags=["complaints 开放数据异议"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]
KINDS = (complaints.KIND,)
WHAT = "a complaint"


class ComplaintIn(BaseModel):
    release: str = Field(description="the release complained about, e.g. qiye_registrations")
    grounds: Literal["privacy", "trade_secret", "other"] = Field(
        description="privacy 个人隐私 | trade_secret 商业秘密 | other 其他合法权益"
    )
    evidence: str = Field(min_length=1, description="the infringement and its evidence")
    at: dt.datetime | None = Field(None, description="naive = Beijing time; default now")
    act_as: str | None = Field(
        None, description="which of your roles files it (ROLE@DEPT), when you hold several"
    )


@router.post(
    "", status_code=201, summary="File a complaint: the release is suspended in this request"
)
def file_(body: ComplaintIn, ctx: Ctx, p: Caller, response: Response) -> dict:
    actors = p.actors()
    if body.act_as:
        actors = [a for a in actors if f"{a.role.value}@{a.department}" == body.act_as]
    if not actors:
        raise ApiError(
            403,
            f"{p.name} holds no role to file with"
            + (f" (not {body.act_as})" if body.act_as else ""),
        )
    public = [a for a in actors if a.is_public]
    actor = public[0] if public else actors[0]
    case = run_step(
        ctx,
        "complain",
        lambda: complaints.file_complaint(
            ctx.settings,
            actor=actor,
            release_id=body.release,
            grounds=body.grounds,
            evidence=body.evidence,
            at=beijing(body.at),
            catalog=ctx.catalog,
            calendar=ctx.calendar,
        ),
    )
    response.headers["ETag"] = etag(case)
    response.headers["Location"] = f"/api/v1/complaints/{case.ref}"
    out = detail(ctx, p, case, None)
    status = G.status(ctx.settings, body.release)
    out["release_status"] = status.value if status else None
    return out


@router.get("", summary="Complaints: your own (public), all (open-data staff)", response_model=Page)
def list_(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    state: str | None = None,
    all: Annotated[bool, Query(description="closed ones too")] = False,
) -> Page:
    return list_page(
        request, ctx, p, pg, KINDS, state=state, open_only=not all, subject="complaint list"
    )


@router.get("/{ref}", summary="One complaint: its deadline, history, steps allowed now")
def get(ref: str, ctx: Ctx, p: Caller, response: Response) -> dict:
    case = read_case(ctx, p, ref, KINDS, WHAT)
    response.headers["ETag"] = etag(case)
    out = detail(ctx, p, case, None)
    status = G.status(ctx.settings, case.resource)
    out["release_status"] = status.value if status else None
    return out


@router.post(
    "/{ref}/events",
    summary="verify | withdraw | restore | reprocess | reopen (open-data staff; reasons)",
)
def fire_(
    ref: str,
    body: EventIn,
    ctx: Ctx,
    p: Caller,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> dict:
    case = read_case(ctx, p, ref, KINDS, WHAT)
    out = fire_with(ctx, p, case, body, if_match, response, complaints.decide, with_basis=False)
    status = G.status(ctx.settings, case.resource)
    out["release_status"] = status.value if status else None
    return out
