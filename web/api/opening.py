"""``/api/v1/open-requests``: requests to open data by citizens and organisations, on the
opening core (``jutong.governance.opening``; never a second copy of its rules).

- conditional-open requests (有条件开放, GX-Open art. 20) with their urgency (normal / 加急 /
  特急): the information centre's normative review, the provider's answer and the bureau's
  approval, each with its deadline (``clocks``: ``due_on``, and ``due_at`` for a clock-hour
  one), then the data-use agreement (``GET /open-requests/agreement``; ``POST …/agreement``),
  delivery by download or API key (the key is in the answer once), the quality check and the
  rating of the six dimensions (art. 20(7));
- on-request opening (依申请开放, GX-Dispatch art. 33–34): ``"kind": "on_request"``.

Steps are fired with ``POST …/events`` through ``opening.requests.act`` as the role the rules
name (``GET …/events`` lists them), with the case version (``If-Match``; a stale one is 409).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from jutong.governance.cases.rules import Role
from jutong.governance.db import engine
from jutong.governance.opening import agreements, deliveries, keys, ratings, requests
from jutong.governance.opening.dimensions import DIMENSIONS
from jutong.governance.schema import cases
from web.api.case_common import EventIn, beijing, detail, etag
from web.api.opening_common import (
    expected_version,
    fire_with,
    list_page,
    one_actor,
    read_case,
    run_step,
)
from web.api.pagination import Page, PageParams, page_params
from web.api.serialize import jsonable
from web.auth import Principal, principal
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/open-requests", tags=["open requests 数据开放申请"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]
IfMatch = Annotated[str | None, Header(alias="If-Match")]
WHAT = "an open request"

# steps with an endpoint of their own (they record more than the state change)
OWN_ENDPOINT = {
    "agree": "POST /api/v1/open-requests/{ref}/agreement",
    "deliver": "POST /api/v1/open-requests/{ref}/delivery",
}


class OpenRequestIn(BaseModel):
    resource: str = Field(description="catalog entry id (有条件开放 or 依申请开放)")
    items: list[str] = Field(min_length=1, description="data items wanted (names or labels)")
    purpose: str = Field(min_length=1, description="what the data is used for (art. 20(1))")
    until: dt.date = Field(description="end of the period of use (the scope of delivery)")
    kind: Literal["conditional", "on_request"] = Field(
        "conditional",
        description="conditional 有条件开放 (GX-Open art. 20) | on_request 依申请开放 "
        "(GX-Dispatch art. 33)",
    )
    urgency: str = Field(
        "normal", description="normal 普通 | urgent 加急 | most_urgent 特急 (conditional only)"
    )
    at: dt.datetime | None = Field(
        None, description="when it was filed (naive = Beijing time); default now"
    )
    account: str | None = Field(None, description="your account, when you hold several")


class AgreeIn(BaseModel):
    version: str = Field(description="the agreement version read (GET …/agreement)")
    sha256: str | None = Field(None, description="SHA-256 of the text shown (optional)")
    case_version: int | None = Field(None, description="the case version (or If-Match)")
    at: dt.datetime | None = None


class DeliveryIn(BaseModel):
    method: Literal["download", "api"] = Field(description="download | api (a key, shown once)")
    release: str | None = Field(None, description="one release of the approved entry")
    case_version: int | None = Field(None, description="the case version (or If-Match)")
    at: dt.datetime | None = None


class RatingIn(BaseModel):
    conformity: int = Field(ge=1, le=5, description="规范性")
    completeness: int = Field(ge=1, le=5, description="完整性")
    accuracy: int = Field(ge=1, le=5, description="准确性")
    consistency: int = Field(ge=1, le=5, description="一致性")
    timeliness: int = Field(ge=1, le=5, description="时效性")
    usability: int = Field(ge=1, le=5, description="可用性")
    comment: str | None = None
    at: dt.datetime | None = None


def _seq(ctx: Context, ref: str) -> int:
    with engine(ctx.settings).connect() as conn:
        return conn.execute(sa.select(cases.c.seq).where(cases.c.ref == ref)).scalar_one()


def _full(ctx: Context, p: Principal, case, as_of: dt.date | None = None) -> dict:
    out = detail(ctx, p, case, as_of)
    out["agreements"] = jsonable(agreements.acceptances(ctx.settings, _seq(ctx, case.ref)))
    out["keys"] = jsonable(keys.keys_of(ctx.settings, case.ref))
    return out


@router.post("", status_code=201, summary="File a conditional-open or on-request application")
def create(body: OpenRequestIn, ctx: Ctx, p: Caller, response: Response) -> dict:
    actor = one_actor(ctx, p, Role.public, "an open request", body.account)
    common = dict(
        actor=actor,
        resource=body.resource,
        items=body.items,
        purpose=body.purpose,
        until=body.until,
        at=beijing(body.at),
        catalog=ctx.catalog,
        calendar=ctx.calendar,
    )
    if body.kind == "conditional":
        case = run_step(
            ctx,
            "request",
            lambda: requests.request_open(ctx.settings, urgency=body.urgency, **common),
        )
    else:
        case = run_step(ctx, "request", lambda: requests.request_on_demand(ctx.settings, **common))
    response.headers["ETag"] = etag(case)
    response.headers["Location"] = f"/api/v1/open-requests/{case.ref}"
    return _full(ctx, p, case)


@router.get("", summary="Open requests: your own (public), by role (staff)", response_model=Page)
def list_(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    kind: Literal["conditional", "on_request"] | None = None,
    state: str | None = None,
    all: Annotated[bool, Query(description="closed ones too")] = False,
) -> Page:
    kinds = {
        None: requests.KINDS,
        "conditional": (requests.OPEN_REQUEST,),
        "on_request": (requests.ON_REQUEST,),
    }[kind]
    return list_page(
        request, ctx, p, pg, kinds, state=state, open_only=not all, subject="open request list"
    )


@router.get("/agreement", summary="The data-use agreement in force (GX-Open art. 20(5))")
def agreement(ctx: Ctx) -> dict:
    text = run_step(ctx, "agreement", lambda: agreements.agreement_text(ctx.settings))
    return {"version": text.version, "sha256": text.sha256, "text": text.text}


@router.get("/{ref}", summary="One request: deadlines (clocks), history, events allowed now")
def get(
    ref: str,
    ctx: Ctx,
    p: Caller,
    response: Response,
    as_of: Annotated[dt.date | None, Query(description="clocks as of this day")] = None,
) -> dict:
    case = read_case(ctx, p, ref, requests.KINDS, WHAT)
    response.headers["ETag"] = etag(case)
    return _full(ctx, p, case, as_of)


@router.get("/{ref}/events", summary="The steps of the flow from the current state")
def allowed(ref: str, ctx: Ctx, p: Caller) -> list[dict]:
    case = read_case(ctx, p, ref, requests.KINDS, WHAT)
    return detail(ctx, p, case, None)["events_allowed"]


def _revoke(settings, ref, event, **kw):
    return deliveries.revoke_case(settings, ref, **kw)


@router.post(
    "/{ref}/events",
    summary="Fire a step: pass, reject, ask-info, supplement, approve, refuse (basis), "
    "overrule, withdraw, doubt, answer, close, revoke (basis), coordinate, grant, uphold, confirm",
)
def fire_(
    ref: str, body: EventIn, ctx: Ctx, p: Caller, response: Response, if_match: IfMatch = None
) -> dict:
    case = read_case(ctx, p, ref, requests.KINDS, WHAT)
    event = body.event.strip().replace("-", "_")
    if event in OWN_ENDPOINT:
        raise ApiError(
            422,
            f"'{event}' records more than a step: use {OWN_ENDPOINT[event].format(ref=case.ref)}",
        )
    step = _revoke if event == "revoke" else requests.act
    fire_with(ctx, p, case, body, if_match, response, step)
    return _full(ctx, p, read_case(ctx, p, case.ref, requests.KINDS, WHAT))


@router.post("/{ref}/agreement", summary="Accept the data-use agreement (the requester)")
def agree(
    ref: str, body: AgreeIn, ctx: Ctx, p: Caller, response: Response, if_match: IfMatch = None
) -> dict:
    case = read_case(ctx, p, ref, requests.KINDS, WHAT)
    actor = one_actor(ctx, p, Role.public, "accepting the agreement", case.requester)
    expected = expected_version(body.case_version, if_match)
    new = run_step(
        ctx,
        "agree",
        lambda: agreements.accept(
            ctx.settings,
            case.ref,
            actor=actor,
            version=body.version,
            sha256=body.sha256,
            at=beijing(body.at),
            calendar=ctx.calendar,
            expected_version=expected,
        ),
    )
    response.headers["ETag"] = etag(new)
    return _full(ctx, p, new)


@router.post(
    "/{ref}/delivery",
    status_code=201,
    summary="Deliver the approved data (the provider): download, or an API key shown once",
)
def deliver(
    ref: str, body: DeliveryIn, ctx: Ctx, p: Caller, response: Response, if_match: IfMatch = None
) -> dict:
    case = read_case(ctx, p, ref, requests.KINDS, WHAT)
    actor = one_actor(ctx, p, Role.provider_staff, "delivery", case.provider)
    expected = expected_version(body.case_version, if_match)
    done = run_step(
        ctx,
        "deliver",
        lambda: deliveries.deliver(
            ctx.settings,
            case.ref,
            actor=actor,
            method=body.method,
            release_id=body.release,
            at=beijing(body.at),
            calendar=ctx.calendar,
            expected_version=expected,
        ),
    )
    response.headers["ETag"] = etag(done.case)
    response.headers["Cache-Control"] = "no-store"  # the key is shown once
    return {
        "delivery": {
            "id": done.delivery_id,
            "method": done.method,
            "valid_from": done.valid_from.isoformat(),
            "valid_until": done.valid_until.isoformat(),
            "api_key": done.token,
            "api_key_note": "shown once; send it as 'Authorization: Bearer …' or 'X-Api-Key' "
            "to /api/v1/open-data/{dataset}"
            if done.token
            else None,
        },
        "case": _full(ctx, p, done.case),
    }


class KeyRevokeIn(BaseModel):
    reason: str = Field(min_length=1, description="why the key is revoked")


@router.post(
    "/{ref}/keys",
    status_code=201,
    summary="A new API key for the active API delivery (the provider; shown once)",
)
def reissue(ref: str, ctx: Ctx, p: Caller) -> dict:
    case = read_case(ctx, p, ref, requests.KINDS, WHAT)
    actor = one_actor(ctx, p, Role.provider_staff, "issuing a key", case.provider)
    token = run_step(
        ctx, "key_issue", lambda: deliveries.reissue_key(ctx.settings, case.ref, actor=actor)
    )
    return {"api_key": token, "key_id": keys.key_id_of(token), "case": case.ref}


@router.post(
    "/{ref}/keys/{key_id}/revoke",
    summary="Revoke a key (its account, the provider's staff or the bureau administrator)",
)
def revoke_key(ref: str, key_id: str, body: KeyRevokeIn, ctx: Ctx, p: Caller) -> dict:
    case = read_case(ctx, p, ref, requests.KINDS, WHAT)
    if key_id not in {k["key_id"] for k in keys.keys_of(ctx.settings, case.ref)}:
        raise ApiError(404, f"{case.ref}: no key {key_id}")
    actors = p.actors()
    actor = next(
        (
            a
            for a in actors
            if (a.is_public and a.department == case.requester)
            or (a.role is Role.provider_staff and a.department == case.provider)
            or (a.role is Role.bureau_admin and a.department == case.bureau)
        ),
        actors[0] if actors else None,
    )
    if actor is None:
        raise ApiError(403, f"{p.name} holds no role")
    run_step(
        ctx,
        "key_revoke",
        lambda: keys.revoke(ctx.settings, key_id, actor=actor, reason=body.reason),
    )
    return {
        "key_id": key_id,
        "status": "revoked",
        "keys": jsonable(keys.keys_of(ctx.settings, case.ref)),
    }


@router.post("/{ref}/rating", status_code=201, summary="Rate the six quality dimensions (once)")
def rate(ref: str, body: RatingIn, ctx: Ctx, p: Caller) -> dict:
    case = read_case(ctx, p, ref, requests.KINDS, WHAT)
    actor = one_actor(ctx, p, Role.public, "a rating", case.requester)
    scores = {d: getattr(body, d) for d in DIMENSIONS}
    row = run_step(
        ctx,
        "rate",
        lambda: ratings.rate(
            ctx.settings,
            case.ref,
            actor=actor,
            scores=scores,
            comment=body.comment,
            at=beijing(body.at),
        ),
    )
    return jsonable({k: v for k, v in row.items() if k != "case_seq"} | {"case": case.ref})
