"""What the opening endpoints share (open requests, complaints, lifecycle cases): reading a case
the caller may see under ``open.read`` (a public account sees its own cases only; staff by
their roles' scope, catalog/roles.yaml), the caller's actor for a step, lists filtered the same
way, and firing a step through a core function with optimistic concurrency (``If-Match`` or
``version``; a stale one is 409 with the current version)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fastapi import Request, Response

from jutong.governance.audit import log as audit
from jutong.governance.cases.model import Case, CaseError, PermissionDenied, StaleVersion
from jutong.governance.cases.queries import list_cases
from jutong.governance.cases.rules import Role
from jutong.workdays import CalendarRangeError
from web.api.case_common import EventIn, beijing, detail, etag, load_case, parse_if_match
from web.api.pagination import Page, PageParams, paginate
from web.api.serialize import case_json
from web.auth import Principal, require, visible_departments
from web.auth.policy import actor_for_event
from web.context import Context
from web.errors import ApiError

PERMISSION = "open.read"

# the core's refusals: a rule said no (409), the caller may not (403)
REFUSED = (CaseError, CalendarRangeError)


def departments_of(case: Case) -> set[str]:
    """The parties of an opening case: requester (an account, or a department), provider,
    bureau and the information centre (GX-Open art. 20(2))."""
    return {d for d in (case.requester, case.provider, case.bureau, case.data.get("centre")) if d}


def read_case(ctx: Context, p: Principal, ref: str, kinds: Iterable[str], what: str) -> Case:
    case = load_case(ctx, ref)
    if case.kind not in tuple(kinds):
        raise ApiError(404, f"{case.ref}: is a {case.kind}, not {what}")
    require(ctx, p, PERMISSION, departments=sorted(departments_of(case)), subject=case.ref)
    return case


def list_page(
    request: Request,
    ctx: Context,
    p: Principal,
    pg: PageParams,
    kinds: Iterable[str],
    *,
    state: str | None = None,
    open_only: bool = True,
    subject: str,
) -> Page:
    """The cases of ``kinds`` the caller may see: its own for a public account, by role for
    staff (an account with no permission is refused and audited)."""
    seen = visible_departments(ctx, p, PERMISSION)
    if seen is not None and not seen:
        require(ctx, p, PERMISSION, departments=["-"], subject=subject)
    found: list[Case] = []
    for kind in kinds:
        found += list_cases(ctx.settings, kind=kind, state=state, open_only=open_only)
    if seen is not None:
        found = [c for c in found if seen & departments_of(c)]
    found.sort(key=lambda c: (c.opened_at, c.ref))
    return paginate(request, [summary(c) for c in found], pg)


def summary(case: Case) -> dict:
    out = case_json(case)
    out.pop("data", None)
    out["urgency"] = case.data.get("urgency")
    return out


def one_actor(ctx: Context, p: Principal, role: Role, what: str, department: str | None = None):
    """The caller's actor with ``role`` (in ``department`` when given); 403 otherwise
    (audited as ``access.denied``, LZ-Rules art. 31), 422 when several fit."""
    actors = [
        a
        for a in p.actors()
        if a.role is role and (department is None or a.department == department)
    ]
    if not actors:
        held = ", ".join(str(g) for g in p.grants) or "no role"
        audit.record(
            ctx.settings,
            actor=p.name,
            action="access.denied",
            subject=what,
            data={"needs": f"{role.value}@{department or '*'}", "holds": held},
        )
        raise ApiError(
            403,
            f"{what} is done with the role {role.value}"
            + (f"@{department}" if department else "")
            + f"; {p.name} holds {held}",
        )
    if len(actors) > 1:
        raise ApiError(
            422,
            f"you hold {role.value} in several places ({', '.join(a.department for a in actors)}): "
            "send X-Act-As: ROLE@DEPT",
        )
    return actors[0]


def expected_version(body_version: int | None, if_match: str | None) -> int | None:
    header = parse_if_match(if_match)
    if header is not None and body_version is not None and header != body_version:
        raise ApiError(400, f"If-Match ({header}) and version ({body_version}) differ; send one")
    return body_version if body_version is not None else header


def run_step(ctx: Context, event: str, do: Callable[[], Case]) -> Case:
    """Run a core step; its refusals become the API's errors (stale version 409 with the
    current version in ``ETag``, permission 403, a rule 409)."""
    try:
        return do()
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
    except REFUSED as err:
        raise ApiError(409, str(err), code="refused", details={"event": event}) from None


def fire_with(
    ctx: Context,
    p: Principal,
    case: Case,
    body: EventIn,
    if_match: str | None,
    response: Response,
    step: Callable[..., Case],
    *,
    with_basis: bool = True,
) -> dict:
    """Fire ``body.event`` on ``case`` through the core function ``step`` (``act``,
    ``complaints.decide``, ``lifecycle.decide`` …), as the caller's role the rules name."""
    event = body.event.strip().replace("-", "_")
    expected = expected_version(body.version, if_match)
    actor = actor_for_event(p, case, event)
    if actor is None:
        require(ctx, p, "cases.fire", departments=sorted(departments_of(case)), subject=case.ref)
    extra = {"basis": body.basis} if with_basis else {}
    new = run_step(
        ctx,
        event,
        lambda: step(
            ctx.settings,
            case.ref,
            event,
            actor=actor,
            reason=body.reason,
            at=beijing(body.at),
            calendar=ctx.calendar,
            expected_version=expected,
            **extra,
        ),
    )
    response.headers["ETag"] = etag(new)
    return detail(ctx, p, new, None)
