"""Open-data staff's releases: status, versions and status history; suspend at once on a
complaint, withdraw after verification, restore (GX-Open art. 22) with a reason — through the
API's handlers (``release.manage``; the core writes the audit event in the same
transaction). The buttons shown are the core's ``TRANSITIONS`` from the current status; the
core refuses any other."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from jutong.governance.access import allowed
from jutong.governance.releases import TRANSITIONS
from web.api import releases as releases_api
from web.auth import require
from web.auth.principal import Principal
from web.console.labels import RELEASE_ACTIONS
from web.console.paging import EVERYTHING
from web.console.render import ConsoleRoute, done_note, page, redirect
from web.console.session import CSRF_FIELD, PREFIX, check_csrf, current
from web.context import get_context
from web.errors import ApiError

router = APIRouter(route_class=ConsoleRoute)
Me = Annotated[Principal, Depends(current)]


def actions_from(status: str) -> list[str]:
    return [a for a, (src, _) in TRANSITIONS.items() if status in {s.value for s in src}]


def _page(request: Request, p: Principal, *, status: int = 200, **values) -> Response:
    ctx = get_context(request)
    require(ctx, p, "release.read", subject="releases")
    found = releases_api.list_(request, ctx, p, EVERYTHING).items
    details = {r["id"]: releases_api.get(r["id"], ctx, p) for r in found}
    manage = any(allowed(ctx.policies, a, "release.manage", []) for a in p.actors())
    done = done_note(request, RELEASE_ACTIONS)
    return page(
        request,
        "console/releases.html",
        status=status,
        p=p,
        releases=found,
        details=details,
        manage=manage,
        actions_from=actions_from,
        done=done,
        **values,
    )


@router.get("/releases")
def releases(request: Request, p: Me) -> Response:
    return _page(request, p)


@router.post("/releases/{release_id}/{action}")
def act(
    request: Request,
    release_id: str,
    action: str,
    p: Me,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    check_csrf(request, p, csrf_token)
    if action not in TRANSITIONS:
        raise ApiError(404, f"no release action '{action}' (one of {', '.join(TRANSITIONS)})")
    ctx = get_context(request)
    handler = {
        "suspend": releases_api.suspend,
        "withdraw": releases_api.withdraw,
        "restore": releases_api.restore,
    }[action]
    try:
        handler(release_id, releases_api.ReasonIn(reason=reason.strip()), ctx, p)
    except ValidationError:
        return _page(
            request,
            p,
            status=422,
            error=f"{release_id}: 请填写理由 a reason is required (GX-Open art. 22)",
        )
    except ApiError as err:
        if err.status in (403, 404):
            raise
        return _page(request, p, status=err.status, error=f"{release_id}: {err.message}")
    return redirect(f"{PREFIX}/releases?done={action}&id={release_id}")
