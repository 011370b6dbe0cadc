"""A department's inbox (待办) and the case page, with one-click decisions.

The inbox lists the share requests whose open step is owed by the department (its deadline
clock: due day, due soon, overdue; ``jutong.governance.cases.clocks``), each with the events
the case rules allow the signed-in user now. A decision is the API's: ``fire_event`` of
``web.api.case_common`` — the case engine decides, audits and refuses (a refusal without
its legal basis, GX-Dispatch art. 29(3)); the form carries the case version it was decided
on, and a stale one is refused (optimistic concurrency)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from jutong.governance.cases.clocks import clock_state
from jutong.governance.cases.queries import list_cases, open_clocks
from jutong.governance.cases.rules import Party, flow
from jutong.governance.opening import complaints, lifecycle, requests
from jutong.governance.sharing.requests import KIND
from web.api.case_common import EventIn, detail, fire_event, load_case, read_case
from web.auth import require
from web.auth.policy import events_for
from web.auth.principal import Principal
from web.console.labels import EVENTS
from web.console.paging import cut
from web.console.render import ConsoleRoute, done_note, page, redirect
from web.console.session import CSRF_FIELD, PREFIX, check_csrf, current, safe_next
from web.context import get_context
from web.errors import ApiError

router = APIRouter(route_class=ConsoleRoute)
Me = Annotated[Principal, Depends(current)]


def done_message(request: Request) -> str | None:
    """The confirmation after a redirect: only a known event's label, never free text."""
    return done_note(request, EVENTS, what="ref")


def _as_of(request: Request, as_of: dt.date | None) -> dt.date:
    return as_of or get_context(request).today()


def waits_on_requester(case) -> bool:
    """A step only the requester can take, with no deadline clock of its own: answering a
    request for more information (the flow's pausing states) or subscribing to a granted
    request — read from the case rules."""
    f = flow(case.flow)
    return case.state in f.pausing or any(t.event == "subscribe" for t in f.allowed(case.state))


def refusal_message(err: ApiError, version: int | None) -> str:
    """What a refused decision says on the page: a stale version (someone else decided) or
    the rule's own message; nothing was changed either way."""
    if err.code == "stale_version":
        return (
            f"此案件已被他人更新 (changed by someone else): you decided on version "
            f"{version}; it is now version {err.details['current_version']} "
            f"({err.details['state']}). 请查看最新情况后重新操作 — look again and retry. "
            "Nothing was changed."
        )
    return f"未执行 (not done): {err.message}"


@router.get("/inbox")
def my_inbox(request: Request, p: Me) -> Response:
    """The inbox of the user's first department that may read share requests."""
    ctx = get_context(request)
    depts = [a.department for a in p.actors() if "share.read" in _perms(ctx, a.role)]
    if not depts:
        require(ctx, p, "share.read", subject="inbox")
    return redirect(f"{PREFIX}/inbox/{depts[0]}")


def _perms(ctx, role) -> frozenset[str]:
    pol = ctx.policies.get(role)
    return pol.permissions if pol else frozenset()


@router.get("/inbox/{department}")
def inbox(request: Request, department: str, p: Me, as_of: dt.date | None = None) -> Response:
    ctx = get_context(request)
    if department not in ctx.catalog.departments:
        raise ApiError(404, f"no department '{department}' in the catalog")
    require(ctx, p, "share.read", departments=[department], subject=f"inbox:{department}")
    day = _as_of(request, as_of)
    rows = []
    for case, clock in open_clocks(ctx.settings):
        if case.kind != KIND or case.party_department(Party(clock.party)) != department:
            continue
        events = [e for e in events_for(p, case) if e["allowed_for_you"]]
        rows.append(
            {
                "case": case,
                "clock": clock,
                "state": clock_state(
                    ctx.calendar, status=clock.status, due_on=clock.due_on, as_of=day
                ),
                "events": [e for e in events if e["department"] == department],
            }
        )
    listed = {r["case"].ref for r in rows}
    for case in list_cases(ctx.settings, kind=KIND, department=department, open_only=True):
        if case.ref in listed or case.requester != department:
            continue
        if waits_on_requester(case):
            events = [e for e in events_for(p, case) if e["allowed_for_you"]]
            rows.append(
                {
                    "case": case,
                    "clock": None,
                    "state": "waiting",
                    "events": [e for e in events if e["department"] == department],
                }
            )
    shown, pgr = cut(request, rows)
    mine = sorted(
        {a.department for a in p.actors() if "share.read" in _perms(ctx, a.role)} - {department}
    )
    return page(
        request,
        "console/inbox.html",
        p=p,
        department=department,
        rows=shown,
        pager=pgr,
        as_of=day,
        other_inboxes=mine,
        done=done_message(request),
        back=request.url.path,
    )


def case_page_with(request: Request, p: Principal, ref: str, *, status: int, error: str):
    """The case page with a refusal message (the console's other forms that act on a case)."""
    return _case_page(request, p, ref, status=status, error=error)


def _case_page(request: Request, p: Principal, ref: str, *, status: int = 200, **values):
    ctx = get_context(request)
    case = read_case(ctx, p, ref, "cases.read", None)
    as_of = values.pop("as_of", None)
    d = detail(ctx, p, case, as_of)
    may_deliveries = case.kind == KIND and any(
        "delivery.read" in _perms(ctx, a.role)
        and (ctx.policies[a.role].scope == "all" or a.department == case.requester)
        for a in p.actors()
    )
    try:
        item_labels = {i.name: i.label for i in ctx.catalog.shareable(case.resource).items}
    except KeyError:  # an entry since removed from the catalog: names as recorded
        item_labels = {}
    ticket = None
    if case.kind == "ticket":  # its own forms (an extension needs days and who approved)
        from jutong.governance.tickets import get_ticket

        ticket = get_ticket(ctx.settings, case.ref)
    return page(
        request,
        "console/case.html",
        status=status,
        p=p,
        case=case,
        d=d,
        mine=[e for e in d["events_allowed"] if e["allowed_for_you"]],
        may_deliveries=may_deliveries,
        item_labels=item_labels,
        ticket=ticket,
        back=request.url.path,
        **values,
    )


# opening cases have a page of their own (web.console.opening: the information centre is a
# party, and the steps go through the opening API's handlers)
OPENING_KINDS = frozenset((*requests.KINDS, *lifecycle.KINDS, complaints.KIND))


@router.get("/cases/{ref}")
def case_page(request: Request, ref: str, p: Me, as_of: dt.date | None = None) -> Response:
    found = load_case(get_context(request), ref)
    if found.kind in OPENING_KINDS:
        return RedirectResponse(f"{PREFIX}/opening/cases/{found.ref}", status_code=307)
    return _case_page(request, p, ref, as_of=as_of, done=done_message(request))


@router.post("/cases/{ref}/events")
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
    case = read_case(ctx, p, ref, "cases.read", None)  # 403 (audited) before anything else
    body = EventIn(
        event=event,
        reason=reason.strip() or None,
        basis=basis.strip() or None,
        version=version,
    )
    try:
        fire_event(ctx, p, case, body, None, Response())
    except ApiError as err:
        if err.status == 404:
            raise
        message = refusal_message(err, version)
        # the case as it is now, with the message; nothing was changed
        return _case_page(
            request,
            p,
            load_case(ctx, ref).ref,
            status=err.status,
            error=message,
            sent={"event": event, "reason": reason, "basis": basis},
        )
    target = safe_next(back) if back else f"{PREFIX}/cases/{case.ref}"
    sep = "&" if "?" in target else "?"
    return redirect(f"{target}{sep}done={quote(body.event.replace('-', '_'))}&ref={case.ref}")
