"""Catalog lifecycle in the console (目录更新与下线): the catalog updates after a change of law
or mandate (GX-Open art. 15; GX-Dispatch art. 39) and the applications to take a catalog entry
(GX-Dispatch art. 21–22; LZ-Rules art. 20) or its data (art. 27; LZ-Rules art. 21) offline —
listed with their open deadlines and decisions (posted to the opening case page's decision,
``web.console.opening``), and the forms that start them, on the API's own handlers
(``web.api.lifecycle``) called as the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from jutong.governance.cases.rules import Role
from web.api import lifecycle as lifecycle_api
from web.api.case_common import detail, load_case
from web.auth.principal import Principal
from web.console.opening import done_message, one_click
from web.console.paging import EVERYTHING, cut
from web.console.render import ConsoleRoute, page, redirect
from web.console.session import CSRF_FIELD, PREFIX, check_csrf, current
from web.context import get_context
from web.errors import ApiError

router = APIRouter(route_class=ConsoleRoute)
Me = Annotated[Principal, Depends(current)]


def _lifecycle_entries(ctx, p: Principal) -> tuple[list, list]:
    """Catalog entries the user may report a change on (its department's as provider staff;
    any as bureau staff) and apply to take offline (its department's, as provider staff)."""
    own = {a.department for a in p.actors() if a.role is Role.provider_staff}
    bureau = any(a.role in (Role.bureau_admin, Role.bureau_reviewer) for a in p.actors())
    entries = sorted(ctx.catalog, key=lambda e: e.id)
    return (
        [e for e in entries if bureau or e.department in own],
        [e for e in entries if e.department in own],
    )


def _lifecycle_page(
    request: Request, p: Principal, *, status: int = 200, show_all: bool = False, **values
) -> Response:
    ctx = get_context(request)
    found = lifecycle_api.list_(request, ctx, p, EVERYTHING, None, None, show_all).items
    rows = []
    for item in found:
        case = load_case(ctx, item["ref"])
        d = detail(ctx, p, case, None)
        running = [c for c in d["clocks"] if c["status"] in ("running", "paused")]
        rows.append(
            {"case": case, "clocks": running, "events": one_click(case, d["events_allowed"])}
        )
    rows.reverse()  # newest first
    shown, pgr = cut(request, rows)
    change_entries, offline_entries = _lifecycle_entries(ctx, p)
    return page(
        request,
        "console/lifecycle.html",
        status=status,
        p=p,
        rows=shown,
        pager=pgr,
        show_all=show_all,
        change_entries=change_entries,
        offline_entries=offline_entries,
        done=done_message(request),
        back=f"{PREFIX}/lifecycle" + ("?all=true" if show_all else ""),
        **values,
    )


@router.get("/lifecycle")
def lifecycle_list(request: Request, p: Me, all: bool = False) -> Response:
    """Catalog updates and offline applications the user may see, with their open deadlines;
    the forms to report a change and to apply to take an entry or its data offline."""
    return _lifecycle_page(request, p, show_all=all)


def _refused(request: Request, p: Principal, err: Exception, sent: dict) -> Response:
    if isinstance(err, ValidationError):
        fields = ", ".join(str(e["loc"][-1]) for e in err.errors())
        return _lifecycle_page(
            request, p, status=422, error=f"请填写完整 missing or invalid: {fields}", sent=sent
        )
    assert isinstance(err, ApiError)
    if err.status == 403:
        raise err
    return _lifecycle_page(
        request, p, status=err.status, error=f"未执行 (not done): {err.message}", sent=sent
    )


@router.post("/lifecycle/changes")
def report_change(
    request: Request,
    p: Me,
    resource: Annotated[str, Form()] = "",
    change: Annotated[str, Form()] = "",
    changed_on: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """A change of law or mandate reported (GX-Open art. 15; GX-Dispatch art. 39)."""
    check_csrf(request, p, csrf_token)
    ctx = get_context(request)
    sent = {"form": "change", "resource": resource, "change": change, "changed_on": changed_on}
    try:
        body = lifecycle_api.ChangeIn(
            resource=resource, change=change.strip(), changed_on=changed_on or None
        )
        out = lifecycle_api.report_change(body, ctx, p, Response())
    except (ValidationError, ApiError) as err:
        return _refused(request, p, err, sent)
    return redirect(f"{PREFIX}/opening/cases/{out['ref']}?done=reported&ref={out['ref']}")


@router.post("/lifecycle/offline")
def apply_offline(
    request: Request,
    p: Me,
    what: Annotated[str, Form()] = "",
    resource: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    basis: Annotated[str, Form()] = "",
    planned_on: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """An application to take a catalog entry (GX-Dispatch art. 21–22) or its data (art. 27;
    LZ-Rules art. 21) offline; an entry with subscribers goes to coordination (LZ-Rules
    art. 20) — the core decides."""
    check_csrf(request, p, csrf_token)
    ctx = get_context(request)
    sent = {
        "form": "offline",
        "what": what,
        "resource": resource,
        "reason": reason,
        "basis": basis,
        "planned_on": planned_on,
    }
    try:
        body = lifecycle_api.OfflineIn(
            what=what,
            resource=resource,
            reason=reason.strip(),
            basis=basis.strip() or None,
            planned_on=planned_on or None,
        )
        out = lifecycle_api.apply_offline(body, ctx, p, Response())
    except (ValidationError, ApiError) as err:
        return _refused(request, p, err, sent)
    return redirect(f"{PREFIX}/opening/cases/{out['ref']}?done=applied&ref={out['ref']}")
