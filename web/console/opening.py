"""Opening in the console (数据开放): a department's opening inbox, the opening case page and
its decisions, delivery and API keys — on the API's own handlers (``web.api.opening``,
``web.api.lifecycle``, ``web.api.complaints``) called as the signed-in user, so the rules, the
roles and the audit are the opening core's (``jutong.governance.opening``), never a copy.

- ``/opening/{dept}`` 开放待办: the conditional-open (GX-Open art. 20) and on-request
  (GX-Dispatch art. 33–34) requests and the lifecycle cases (GX-Open art. 15; GX-Dispatch
  art. 21–22, 27; LZ-Rules art. 20–21) whose open step the department owes — the information
  centre reviews, the provider answers and delivers, the bureau approves — with the deadline
  (a clock-hour one, 特急, as an instant in Beijing time, judged to the minute), due soon and
  overdue marked, and the events the rules allow the user now;
- ``/opening/cases/{ref}``: details, clocks, history, decisions (complaints and lifecycle
  cases too); the provider's delivery (an API key shown once) and the keys' revocation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from jutong.governance.cases.queries import list_cases, open_clocks
from jutong.governance.cases.rules import Party, Role, flow
from jutong.governance.opening import complaints, lifecycle, requests
from web.api import complaints as complaints_api
from web.api import lifecycle as lifecycle_api
from web.api import opening as opening_api
from web.api.case_common import EventIn, detail, load_case
from web.api.opening_common import PERMISSION, read_case
from web.api.serialize import clock_json
from web.auth import require
from web.auth.policy import events_for
from web.auth.principal import Principal
from web.console.inbox import refusal_message
from web.console.labels import EVENTS, OPENING_EVENTS, opening_event_label
from web.console.paging import cut
from web.console.render import ConsoleRoute, done_note, page, redirect
from web.console.session import CSRF_FIELD, PREFIX, check_csrf, current, safe_next
from web.context import get_context
from web.errors import ApiError

router = APIRouter(route_class=ConsoleRoute)
Me = Annotated[Principal, Depends(current)]

REQUEST_KINDS = requests.KINDS
LIFECYCLE_KINDS = lifecycle.KINDS
INBOX_KINDS = (*REQUEST_KINDS, *LIFECYCLE_KINDS)
ALL_KINDS = (*INBOX_KINDS, complaints.KIND)
# steps that record more than a state change and have a form of their own (or none here):
# the requester's agreement is signed on the portal; delivery has its own form below
NOT_ONE_CLICK = set(opening_api.OWN_ENDPOINT)
# ways out a party may take at any time: not a step the department owes
OPTIONAL_EXITS = {"revoke", "withdraw"}


FILED = {
    "reported": "已报告变更 change reported",
    "applied": "已提交下线申请 offline applied",
    "key_revoked": "密钥已吊销 key revoked",
}


def done_message(request: Request) -> str | None:
    """The confirmation after a redirect: a known step's label, never free text."""
    return done_note(request, {**EVENTS, **OPENING_EVENTS, **FILED}, what="ref")


def _staff_departments(ctx, p: Principal) -> list[str]:
    out = []
    for a in p.actors():
        pol = ctx.policies.get(a.role)
        if not a.is_public and pol and PERMISSION in pol.permissions:
            out.append(a.department)
    return list(dict.fromkeys(out))


def _next_span(case, to: str) -> dict:
    """The next step's deadline at this case's urgency (特急: the provider 1 wd, GX-Open
    art. 20(3)), from the flow's clock — not the flow's default span."""
    clock = flow(case.flow).clocks.get(to)
    if clock is None:
        return {"next_deadline_working_days": None, "next_deadline_hours": None}
    days, hours = clock.span(case.data.get("urgency"))
    return {"next_deadline_working_days": days or None, "next_deadline_hours": hours or None}


def one_click(case, events: list[dict], department: str | None = None) -> list[dict]:
    """The events the user may fire now with one form (in ``department`` when given), with
    their labels for this kind of case."""
    return [
        {
            **e,
            **_next_span(case, e["to"]),
            "label": opening_event_label(case.kind, e["event"]),
            # a complaint's every step is explained (GX-Open art. 22), even where optional
            "optional_reason": case.kind == complaints.KIND,
        }
        for e in events
        if e["allowed_for_you"]
        and e["event"] not in NOT_ONE_CLICK
        and (department is None or e["department"] == department)
    ]


@router.get("/opening")
def my_opening(request: Request, p: Me) -> Response:
    ctx = get_context(request)
    depts = _staff_departments(ctx, p)
    if not depts:
        require(ctx, p, PERMISSION, departments=["-"], subject="opening inbox")
    return redirect(f"{PREFIX}/opening/{depts[0]}")


@router.get("/opening/{department}")
def opening_inbox(
    request: Request, department: str, p: Me, as_of: dt.date | None = None
) -> Response:
    ctx = get_context(request)
    if department not in ctx.catalog.departments:
        raise ApiError(404, f"no department '{department}' in the catalog")
    require(ctx, p, PERMISSION, departments=[department], subject=f"opening:{department}")
    day = as_of or ctx.today()
    now = None if as_of else dt.datetime.now(dt.UTC)  # clock hours judged to the minute
    rows = []
    for case, clock in open_clocks(ctx.settings):
        if case.kind not in INBOX_KINDS or case.party_department(Party(clock.party)) != department:
            continue
        rows.append(
            {
                "case": case,
                "clock": clock_json(case, clock, ctx.calendar, day, now),
                "events": one_click(case, events_for(p, case), department),
                "deliver": _may_deliver(p, case, department),
            }
        )
    # steps the department owes with no deadline clock of their own (delivering after the
    # agreement, removing an entry once its notice has run): listed after the clocked ones
    listed = {r["case"].ref for r in rows}
    for kind in INBOX_KINDS:
        for case in list_cases(ctx.settings, kind=kind, open_only=True):
            if case.ref in listed:
                continue
            owed = [
                e
                for e in events_for(p, case)
                if e["department"] == department and e["event"] not in OPTIONAL_EXITS
            ]
            if owed:
                rows.append(
                    {
                        "case": case,
                        "clock": None,
                        "events": one_click(case, owed, department),
                        "deliver": _may_deliver(p, case, department),
                    }
                )
    shown, pgr = cut(request, rows)
    return page(
        request,
        "console/opening_inbox.html",
        p=p,
        department=department,
        rows=shown,
        pager=pgr,
        as_of=day,
        other_inboxes=[d for d in _staff_departments(ctx, p) if d != department],
        done=done_message(request),
        back=request.url.path,
    )


def _may_deliver(p: Principal, case, department: str | None = None) -> bool:
    return any(
        e["event"] == "deliver"
        and e["allowed_for_you"]
        and (department is None or e["department"] == department)
        for e in events_for(p, case)
    )


def _case_page(request: Request, p: Principal, ref: str, *, status: int = 200, **values):
    ctx = get_context(request)
    case = read_case(ctx, p, ref, ALL_KINDS, "an opening case")
    d = detail(ctx, p, case, values.pop("as_of", None))
    release_status, api_keys, may_revoke = None, [], False
    if case.kind in REQUEST_KINDS:
        api_keys = opening_api.get(case.ref, ctx, p, Response())["keys"]
        may_revoke = any(
            (a.role is Role.provider_staff and a.department == case.provider)
            or (a.role is Role.bureau_admin and a.department == case.bureau)
            for a in p.actors()
        )
    if case.kind == complaints.KIND:
        release_status = complaints_api.get(case.ref, ctx, p, Response())["release_status"]
    return page(
        request,
        "console/opening_case.html",
        status=status,
        p=p,
        case=case,
        d=d,
        mine=one_click(case, d["events_allowed"]),
        deliver=_may_deliver(p, case),
        release_status=release_status,
        api_keys=api_keys,
        may_revoke=may_revoke,
        back=request.url.path,
        **values,
    )


@router.get("/opening/cases/{ref}")
def opening_case(request: Request, ref: str, p: Me, as_of: dt.date | None = None) -> Response:
    return _case_page(request, p, ref, as_of=as_of, done=done_message(request))


def _handler(kind: str):
    if kind in REQUEST_KINDS:
        return opening_api.fire_
    if kind in LIFECYCLE_KINDS:
        return lifecycle_api.fire_
    return complaints_api.fire_


def _after(back: str, ref: str, event: str) -> Response:
    target = safe_next(back) if back else f"{PREFIX}/opening/cases/{ref}"
    sep = "&" if "?" in target else "?"
    return redirect(f"{target}{sep}done={quote(event.replace('-', '_'))}&ref={ref}")


@router.post("/opening/cases/{ref}/events")
def decide(
    request: Request,
    ref: str,
    p: Me,
    event: Annotated[str, Form()],
    version: Annotated[int | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
    basis: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, p, csrf_token)
    ctx = get_context(request)
    case = read_case(ctx, p, ref, ALL_KINDS, "an opening case")  # 403 (audited) first
    body = EventIn(
        event=event, reason=reason.strip() or None, basis=basis.strip() or None, version=version
    )
    try:
        _handler(case.kind)(case.ref, body, ctx, p, Response(), None)
    except ApiError as err:
        if err.status == 404:
            raise
        return _case_page(
            request,
            p,
            load_case(ctx, ref).ref,
            status=err.status,
            error=refusal_message(err, version),
            sent={"event": event, "reason": reason, "basis": basis},
        )
    return _after(back, case.ref, body.event)


@router.post("/opening/cases/{ref}/delivery")
def deliver(
    request: Request,
    ref: str,
    p: Me,
    method: Annotated[str, Form()],
    version: Annotated[int | None, Form()] = None,
    release: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """The provider delivers an approved request (GX-Open art. 20(5)): a download, or an API
    key scoped to the dataset and period — shown on this page once, never again."""
    check_csrf(request, p, csrf_token)
    ctx = get_context(request)
    case = read_case(ctx, p, ref, REQUEST_KINDS, "an open request")
    if method not in ("download", "api"):
        return _case_page(
            request,
            p,
            case.ref,
            status=422,
            error=f"交付方式有误 method '{method}': download (下载) or api (接口密钥)",
        )
    try:
        out = opening_api.deliver(
            case.ref,
            opening_api.DeliveryIn(
                method=method, release=release.strip() or None, case_version=version
            ),
            ctx,
            p,
            Response(),
            None,
        )
    except ApiError as err:
        if err.status == 404:
            raise
        return _case_page(
            request, p, case.ref, status=err.status, error=refusal_message(err, version)
        )
    return _case_page(request, p, case.ref, delivered=out["delivery"])


@router.post("/opening/cases/{ref}/keys/{key_id}/revoke")
def revoke_key(
    request: Request,
    ref: str,
    key_id: str,
    p: Me,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Revoke a delivery's API key (the provider's staff or the bureau administrator): it
    answers 403 from then on (GX-Open art. 20(5))."""
    check_csrf(request, p, csrf_token)
    ctx = get_context(request)
    case = read_case(ctx, p, ref, REQUEST_KINDS, "an open request")
    if not reason.strip():
        return _case_page(
            request, p, case.ref, status=422, error=f"{key_id}: 请填写理由 a reason is required"
        )
    try:
        opening_api.revoke_key(
            case.ref, key_id, opening_api.KeyRevokeIn(reason=reason.strip()), ctx, p
        )
    except ApiError as err:
        if err.status in (403, 404):
            raise
        return _case_page(request, p, case.ref, status=err.status, error=err.message)
    return redirect(f"{PREFIX}/opening/cases/{case.ref}?done=key_revoked&ref={case.ref}")
