"""What the share-request and generic case endpoints share: reading a case the caller may
see, its detail (clocks, history, the events allowed now), and firing an event with optimistic
concurrency (``If-Match`` or ``version``; a stale one is 409 with the current version)."""

from __future__ import annotations

import datetime as dt

from fastapi import Response
from pydantic import BaseModel, Field

from jutong.governance.audit import events as audit_events
from jutong.governance.cases.engine import fire
from jutong.governance.cases.model import Case, CaseError, PermissionDenied, StaleVersion
from jutong.governance.cases.queries import clocks_of, get_case
from jutong.workdays import CHINA_TZ, CalendarRangeError
from web.api.serialize import case_json, clock_json, event_json
from web.auth.policy import actor_for_event, events_for, require
from web.auth.principal import Principal
from web.context import Context
from web.errors import ApiError


class EventIn(BaseModel):
    """Fire one event of the case's flow (see GET …/events for those allowed now)."""

    event: str = Field(description="e.g. pass, reject, approve, refuse, push, subscribe, ask-info")
    reason: str | None = Field(None, description="reasons (refusals, doubts, appeals …)")
    basis: str | None = Field(
        None, description="legal basis (required to refuse or revoke; GX-Dispatch art. 29(3))"
    )
    version: int | None = Field(
        None, description="the case version you decided on (or the If-Match header)"
    )
    at: dt.datetime | None = Field(
        None,
        description="when it really happened, for paper records entered late (naive = Beijing "
        "time); default now",
    )


def beijing(at: dt.datetime | None) -> dt.datetime | None:
    if at is None:
        return None
    return at if at.tzinfo else at.replace(tzinfo=CHINA_TZ)


def etag(case: Case) -> str:
    return f'"{case.version}"'


def parse_if_match(value: str | None) -> int | None:
    if value is None or not value.strip() or value.strip() == "*":
        return None  # "*": any version (RFC 9110)
    text = value.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    try:
        return int(text)
    except ValueError:
        raise ApiError(
            400, f"If-Match: '{value}' is not a case version (an ETag such as \"3\")"
        ) from None


def load_case(ctx: Context, ref: str, kind: str | None = None) -> Case:
    try:
        case = get_case(ctx.settings, ref)
    except CaseError:
        raise ApiError(404, f"case {ref}: no such case") from None
    if kind and case.kind != kind:
        raise ApiError(404, f"{ref}: not a {kind.replace('_', ' ')}")
    return case


def read_case(ctx: Context, p: Principal, ref: str, permission: str, kind: str | None) -> Case:
    case = load_case(ctx, ref, kind)
    require(ctx, p, permission, departments=[case.requester, case.provider], subject=case.ref)
    return case


def detail(ctx: Context, p: Principal, case: Case, as_of: dt.date | None) -> dict:
    now = None if as_of else dt.datetime.now(dt.UTC)  # clock hours judged to the minute
    as_of = as_of or ctx.today()
    cal = ctx.calendar
    return {
        **case_json(case),
        "as_of": as_of.isoformat(),
        "clocks": [clock_json(case, c, cal, as_of, now) for c in clocks_of(ctx.settings, case.ref)],
        "events_allowed": events_for(p, case),
        "history": [event_json(e) for e in audit_events(ctx.settings, subject=case.ref)],
    }


def fire_event(
    ctx: Context,
    p: Principal,
    case: Case,
    body: EventIn,
    if_match: str | None,
    response: Response,
) -> dict:
    event = body.event.strip().replace("-", "_")
    header_version = parse_if_match(if_match)
    if header_version is not None and body.version is not None and header_version != body.version:
        raise ApiError(
            400, f"If-Match ({header_version}) and version ({body.version}) differ; send one"
        )
    expected = body.version if body.version is not None else header_version
    actor = actor_for_event(p, case, event)
    if actor is None:
        require(ctx, p, "cases.fire", departments=[case.requester, case.provider], subject=case.ref)
    try:
        new = fire(
            ctx.settings,
            case.ref,
            event,
            actor=actor,
            reason=body.reason,
            basis=body.basis,
            at=beijing(body.at),
            calendar=ctx.calendar,
            expected_version=expected,
        )
    except StaleVersion as err:
        raise ApiError(
            409,
            str(err),
            code="stale_version",
            details={"current_version": err.current, "state": err.state, "sent": err.expected},
            headers={"ETag": f'"{err.current}"'},
        ) from None
    except PermissionDenied as err:
        raise ApiError(403, str(err), details={"event": event}) from None
    except (CaseError, CalendarRangeError) as err:
        raise ApiError(409, str(err), code="refused", details={"event": event}) from None
    response.headers["ETag"] = etag(new)
    return detail(ctx, p, new, None)
