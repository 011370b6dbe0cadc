"""Rendering the console: the Jinja2 environment (autoescaped), the page helper with the
navigation the caller's roles give, and ``ConsoleRoute`` — every console route answers HTML:
not signed in → the login page; an ``ApiError`` of the shared authorization and actions
(403 audited, 404, 409 refused or stale, 422) → an error page with its message."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from jutong.governance.access import allowed
from jutong.quality.scores import DIMENSIONS
from web.auth.principal import Principal
from web.console import labels
from web.console.session import CSRF_FIELD, PREFIX, LoginRequired, csrf_for, login_url
from web.context import Context, get_context
from web.errors import ApiError

log = logging.getLogger("web.console")
TEMPLATES = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html",), default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals.update(
    P=PREFIX,
    CSRF_FIELD=CSRF_FIELD,
    event_label=labels.event_label,
    CLOCK_STATES=labels.CLOCK_STATES,
    ROLES=labels.ROLES,
    RELEASE_STATUS=labels.RELEASE_STATUS,
    URGENCY=labels.URGENCY,
    OPENING_KINDS=labels.OPENING_KINDS,
    GROUNDS=labels.GROUNDS,
    RELEASE_ACTIONS=labels.RELEASE_ACTIONS,
    CASE_FIELDS=labels.CASE_FIELDS,
    case_parties=labels.case_parties,
    DIMENSIONS=DIMENSIONS,
)


def _when(value: Any) -> str:
    """A stored UTC time shown in Beijing time; a date as it is."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.rstrip("Z"))
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


env.filters["when"] = _when

# navigation: (path, label, permission or role test)
NAV = (
    ("/inbox", "待办 Inbox", ("perm", "share.read")),
    ("/requests", "我的申请 My requests", ("role", "requester_staff")),
    ("/tickets", "纠错工单 Tickets", ("perm", "tickets.read")),
    ("/quality", "质量检查 Gate runs", ("perm", "gate.read")),
    ("/review", "人工复核 Review", ("perm", "review.read")),
    ("/releases", "开放数据 Releases", ("perm", "release.read")),
    ("/opening", "开放待办 Opening", ("staff", "open.read")),
    ("/lifecycle", "目录更新与下线 Catalog lifecycle", ("staff", "open.read")),
    ("/complaints", "异议 Complaints", ("perm", "release.manage")),
    ("/notices", "公示 Notices", ("perm", "release.read")),
    ("/overdue", "超期看板 Overdue", ("all", "cases.read")),
    ("/evaluation", "部门考核 Evaluation", ("perm", "evaluation.read")),
)


def may(ctx: Context, p: Principal, permission: str) -> bool:
    """Whether one of the caller's roles has ``permission`` on some record (navigation only;
    every page checks again through ``web.auth.require``)."""
    return any(allowed(ctx.policies, a, permission, []) for a in p.actors())


def staff_may(ctx: Context, p: Principal, permission: str) -> bool:
    """Like ``may``, for department staff only (a public portal account also reads its own
    opening cases, but has no console page for them)."""
    return any(not a.is_public and allowed(ctx.policies, a, permission, []) for a in p.actors())


def sees_all(ctx: Context, p: Principal, permission: str) -> bool:
    pol = ctx.policies
    return any(
        a.role in pol and permission in pol[a.role].permissions and pol[a.role].scope == "all"
        for a in p.actors()
    )


def nav_for(ctx: Context, p: Principal) -> list[tuple[str, str]]:
    out = []
    for path, label, (kind, what) in NAV:
        ok = (
            may(ctx, p, what)
            if kind == "perm"
            else staff_may(ctx, p, what)
            if kind == "staff"
            else sees_all(ctx, p, what)
            if kind == "all"
            else any(a.role.value == what for a in p.actors())
        )
        if ok:
            out.append((PREFIX + path, label))
    return out


def page(
    request: Request,
    template: str,
    *,
    status: int = 200,
    p: Principal | None = None,
    **values: Any,
) -> HTMLResponse:
    ctx = get_context(request)
    p = p or getattr(request.state, "principal", None)
    html = env.get_template(template).render(
        request=request,
        me=p,
        nav=nav_for(ctx, p) if p else [],
        csrf=csrf_for(p.token) if p else None,
        path=request.url.path,
        departments=ctx.catalog.departments,
        **values,
    )
    return HTMLResponse(html, status_code=status)


_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def done_note(request: Request, labels: dict[str, str], key: str = "done", what: str = "id"):
    """The confirmation after a redirect (``?done=ACTION&id=WHAT``): a known action's label
    and a record key — never free text from the URL."""
    action, subject = request.query_params.get(key), request.query_params.get(what) or ""
    if action in labels and _KEY.fullmatch(subject):
        return f"{subject}: {labels[action]} ✓"
    return None


def redirect(url: str) -> RedirectResponse:
    """After a POST: 303 See Other, so that reloading the page does not post again."""
    return RedirectResponse(url, status_code=303)


TITLES = {
    400: "请求有误 Bad request",
    403: "无权访问 Forbidden",
    404: "未找到 Not found",
    409: "操作被拒绝 Refused",
    422: "输入有误 Invalid input",
    500: "系统错误 Internal error",
}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return page(
        request,
        "console/error.html",
        status=status,
        title=TITLES.get(status, "错误 Error"),
        message=message,
    )


# every console answer: nothing from another origin, no framing (clickjacking), no caching
# of pages that show governance records
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class ConsoleRoute(APIRoute):
    """Answers HTML whatever happens: the login page, or an error page with the message."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            response = await answer(request)
            response.headers.update(SECURITY_HEADERS)
            return response

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as err:
                return redirect(login_url(err.next_url))
            except ApiError as err:
                return error_page(request, err.status, err.message)
            except RequestValidationError as err:
                problems = "; ".join(
                    f"{'.'.join(str(x) for x in e.get('loc', ())[1:])}: {e.get('msg')}"
                    for e in err.errors()
                )
                return error_page(request, 422, f"输入有误 invalid input: {problems}")
            except Exception as exc:  # the traceback to the service log, never to the page
                log.exception("%s %s failed", request.method, request.url.path)
                return error_page(
                    request,
                    500,
                    f"系统错误 internal error ({type(exc).__name__}); the service log has the "
                    "details",
                )

        return route
