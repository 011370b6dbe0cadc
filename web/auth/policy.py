"""Authorization of API calls by the caller's roles.

Reads: ``catalog/roles.yaml`` (``jutong.governance.access``): allowed when one of the caller's
roles has the permission on a record of the departments concerned; otherwise the denial is
audited (``access.denied``; LZ-Rules art. 31) and answered 403. Case events: the case rules
name the party and roles that may fire each event; the caller fires it with the matching role,
and the case engine audits a denial the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from jutong.governance.access import allowed, authorize
from jutong.governance.access import visible_departments as _visible
from jutong.governance.audit import log as audit
from jutong.governance.cases.actors import Actor
from jutong.governance.cases.engine import may_fire
from jutong.governance.cases.model import Case, PermissionDenied
from jutong.governance.cases.rules import flow
from web.auth.principal import Principal
from web.context import Context
from web.errors import ApiError


def require(
    ctx: Context,
    p: Principal,
    permission: str,
    *,
    departments: Iterable[str] = (),
    subject: str = "-",
) -> Actor:
    """The caller's actor that holds ``permission`` on a record of ``departments``; else 403
    (audited)."""
    depts = [d for d in departments if d]
    for actor in p.actors():
        if allowed(ctx.policies, actor, permission, depts):
            return actor
    actors = p.actors()
    if not actors:
        audit.record(
            ctx.settings,
            actor=p.name,
            action="access.denied",
            subject=subject,
            data={"permission": permission, "departments": depts, "reason": "no role"},
        )
        raise ApiError(
            403,
            f"permission denied: {p.name} holds no role (jutong users grant); "
            f"'{permission}' is needed (catalog/roles.yaml; LZ-Rules art. 31)",
        )
    # audit the denial through the core (one event), with the caller's most relevant role
    best = next(
        (a for a in actors if permission in ctx.policies.get(a.role, _EMPTY).permissions),
        actors[0],
    )
    try:
        authorize(
            ctx.settings,
            best,
            permission,
            departments=depts,
            subject=subject,
            policies=ctx.policies,
        )
    except PermissionDenied as err:
        raise ApiError(403, str(err), details={"permission": permission}) from None
    return best  # pragma: no cover - authorize raised above


class _NoPolicy:
    permissions: frozenset[str] = frozenset()


_EMPTY = _NoPolicy()


def visible_departments(ctx: Context, p: Principal, permission: str) -> set[str] | None:
    """None when the caller sees every department's records under ``permission``, else the
    departments it sees (empty: none)."""
    seen: set[str] = set()
    for actor in p.actors():
        v = _visible(ctx.policies, actor, permission)
        if v is None:
            return None
        seen |= v
    return seen


def actor_for_event(p: Principal, case: Case, event: str) -> Actor | None:
    """The caller's actor the case rules allow to fire ``event`` on ``case`` now; else the
    caller's first actor (the engine refuses and audits it), or None without roles."""
    actors = p.actors()
    t = flow(case.flow).find(case.state, event)
    if t is not None:
        for a in actors:
            if may_fire(case, t, a):
                return a
    return actors[0] if actors else None


def events_for(p: Principal, case: Case) -> list[dict]:
    """The events of the case's flow from its current state, and whether the caller may fire
    each (and as whom)."""
    f = flow(case.flow)
    out = []
    for t in f.allowed(case.state):
        dept = case.party_department(t.party)
        who = next((a for a in p.actors() if may_fire(case, t, a)), None)
        nxt = f.clocks.get(t.to)
        out.append(
            {
                "event": t.event,
                "to": t.to,
                "party": t.party.value,
                "department": dept,
                "roles": [r.value for r in t.roles],
                "needs_basis": t.needs_basis,
                "needs_reason": t.needs_reason,
                "basis": t.basis,
                "next_deadline_working_days": nxt.working_days if nxt else None,
                "allowed_for_you": who is not None,
                "as": str(who) if who else None,
            }
        )
    return out
