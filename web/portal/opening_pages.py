"""The portal's pages for requesters (数据使用主体) and complainants, on the opening core — the
same functions the REST API calls, never a second copy of the rules. Plain HTML forms (POST,
redirect after success), working without JavaScript; each POST carries the session's CSRF token.

| route | name | what |
|---|---|---|
| ``GET/POST /account/signup`` | ``portal_signup`` | register an account (person or organisation) and sign in |
| ``GET/POST /account/login`` | ``portal_login`` | sign in (the same store and audit as the API's login) |
| ``POST /account/logout`` | ``portal_logout`` | sign out (the session token is revoked) |
| ``GET /account/requests`` | ``portal_my_requests`` | my requests with their deadlines |
| ``GET /account/requests/{ref}`` | ``portal_my_request`` | one request: deadlines, history, agreement and rating forms |
| ``POST /account/requests/{ref}/agree`` | ``portal_agree`` | accept the data-use agreement (GX-Open art. 20(5)) |
| ``POST /account/requests/{ref}/rate`` | ``portal_rate`` | rate the six dimensions (art. 20(7)) |
| ``GET/POST /catalog/entries/{entry_id}/request`` | ``portal_request`` | a conditional-open or on-request application |
| ``GET/POST /releases/{release_id}/complaint`` | ``portal_complaint`` | a complaint: the release is suspended at once (art. 22) |
| ``GET /notices`` | ``portal_notices`` | the notices in force (公示) |
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from jutong.catalog.model import OpenType
from jutong.governance.cases.model import Case, CaseError, PermissionDenied
from jutong.governance.cases.queries import get_case, list_cases
from jutong.governance.cases.rules import Role
from jutong.governance.opening import agreements, complaints, deliveries, ratings, requests
from jutong.governance.opening.dimensions import DIMENSIONS
from jutong.governance.opening.notices import notices_in_force
from jutong.governance.users import AuthError, UserError, login, revoke_token
from jutong.workdays import CHINA_TZ, CalendarRangeError
from web.api.accounts import open_account
from web.api.case_common import detail
from web.auth.principal import Principal
from web.context import Context, get_context
from web.errors import ApiError
from web.portal import catalog as C
from web.portal import session as S
from web.portal.responses import error
from web.sessions import new_login_csrf
from web.templating import templates

router = APIRouter(tags=["portal"], include_in_schema=False)

# every portal page's navigation shows who is signed in (and signs out with a CSRF token)
templates.env.globals["portal_me"] = S.signed_in
templates.env.globals["portal_csrf"] = S.csrf_for

URGENCIES = (
    ("normal", "普通", "normal"),
    ("urgent", "加急", "urgent"),
    ("most_urgent", "特急", "most urgent"),
)
STATE_LABELS = {
    "submitted": ("已提交，待审查", "submitted"),
    "needs_info": ("待补充材料", "more information needed"),
    "provider_review": ("数据提供单位审核中", "provider reviewing"),
    "answer_granted": ("待大数据局审批", "awaiting the bureau's approval"),
    "answer_refused": ("待大数据局审批（拟不同意）", "awaiting the bureau (refusal proposed)"),
    "agreement": ("待签订数据使用协议", "agreement to accept"),
    "agreed": ("已签订协议，待交付", "agreed, awaiting delivery"),
    "delivered": ("已交付", "delivered"),
    "doubt": ("质量校核中", "quality check"),
    "checked": ("已校核", "checked"),
    "opening": ("开放中", "being opened"),
    "opened": ("已开放", "opened"),
    "filed": ("已备案", "filed"),
    "refused": ("不予开放", "refused"),
    "rejected": ("未通过", "rejected"),
    "withdrawn": ("已撤回", "withdrawn"),
    "revoked": ("已撤销", "revoked"),
    "closed": ("已办结", "closed"),
    "coordination": ("协调中", "coordination"),
    "closed_refused": ("协调后不予开放", "refused after coordination"),
}


def _info(request: Request):
    return C.portal_info(get_context(request).settings)


def _page(request: Request, name: str, *, status: int = 200, p: Principal | None = None, **kw):
    ctx = {"info": _info(request), "me": p, "csrf": S.csrf_for(p) if p else None, **kw}
    return templates.TemplateResponse(
        request, name, ctx, status_code=status, headers={"Cache-Control": "no-store"}
    )


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _refusal(err: Exception) -> str:
    return err.message if isinstance(err, ApiError) else str(err)


def _public_actor(p: Principal):
    return next((a for a in p.actors() if a.role is Role.public), None)


def _csrf_failed(request: Request) -> Response:
    return error(
        request,
        403,
        "表单校验失败 (CSRF check failed): reload the page and submit again",
        info=_info(request),
    )


def _beijing(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


# ---- sign-up, login, logout ------------------------------------------------------------------


def _form_page(request: Request, name: str, *, status: int = 200, **kw) -> Response:
    token = new_login_csrf()
    response = _page(request, name, status=status, form_csrf=token, **kw)
    response.set_cookie(
        S.LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/account",
    )
    return response


def _form_csrf_ok(request: Request, sent: str) -> bool:
    expected = request.cookies.get(S.LOGIN_CSRF_COOKIE)
    return bool(expected) and bool(sent) and expected == sent


@router.get("/account/signup", name="portal_signup")
def signup_page(request: Request, next: str | None = None) -> Response:
    return _form_page(request, "portal/signup.html", next=S.safe_next(next), values={})


@router.post("/account/signup")
def signup_submit(
    request: Request,
    account: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "person",
    name: Annotated[str, Form()] = "",
    uscc: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=S.CSRF_FIELD)] = "",
) -> Response:
    values = {"account": account, "kind": kind, "name": name, "uscc": uscc, "contact": contact}
    if not _form_csrf_ok(request, csrf_token):
        return _form_page(
            request,
            "portal/signup.html",
            status=403,
            next=S.safe_next(next),
            values=values,
            problem="表单已过期，请重新提交 (the form expired; submit again)",
        )
    ctx = get_context(request)
    try:
        open_account(
            ctx,
            account=account.strip(),
            kind=kind,
            name=name,
            password=password,
            uscc=uscc.strip() or None,
            contact=contact.strip() or None,
        )
        issued = login(ctx.settings, account.strip(), password)
    except (ApiError, AuthError) as err:
        return _form_page(
            request,
            "portal/signup.html",
            status=getattr(err, "status", 422),
            next=S.safe_next(next),
            values=values,
            problem=_refusal(err),
        )
    response = _see_other(S.safe_next(next))
    S.set_session(request, response, issued.token, ctx.settings.api_token_hours)
    return response


@router.get("/account/login", name="portal_login")
def login_page(request: Request, next: str | None = None) -> Response:
    if S.signed_in(request):
        return _see_other(S.safe_next(next))
    return _form_page(request, "portal/login.html", next=S.safe_next(next))


@router.post("/account/login")
def login_submit(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=S.CSRF_FIELD)] = "",
) -> Response:
    nxt = S.safe_next(next)
    if not _form_csrf_ok(request, csrf_token):
        return _form_page(
            request,
            "portal/login.html",
            status=403,
            next=nxt,
            username=username,
            problem="表单已过期，请重新提交 (the form expired; submit again)",
        )
    ctx = get_context(request)
    try:
        issued = login(ctx.settings, username.strip(), password)
    except AuthError:
        return _form_page(
            request,
            "portal/login.html",
            status=401,
            next=nxt,
            username=username,
            problem="用户名或密码错误 (user name or password not accepted)",
        )
    response = _see_other(nxt)
    S.set_session(request, response, issued.token, ctx.settings.api_token_hours)
    return response


@router.post("/account/logout", name="portal_logout")
def logout(request: Request, csrf_token: Annotated[str, Form(alias=S.CSRF_FIELD)] = "") -> Response:
    p = S.signed_in(request)
    if p is not None:
        if not S.csrf_ok(p, csrf_token):
            return _csrf_failed(request)
        with suppress(UserError):
            revoke_token(get_context(request).settings, p.token, by=p.name)
    response = _see_other(str(request.url_for("portal_catalog").path))
    response.delete_cookie(S.SESSION_COOKIE, path="/")
    return response


# ---- requests -------------------------------------------------------------------------------


def _clocks(ctx: Context, p: Principal, case: Case) -> list[dict]:
    from jutong.governance.cases.queries import clocks_of

    shown = detail(ctx, p, case, None)["clocks"]
    raw = {c.id: c for c in clocks_of(ctx.settings, case.ref)}
    for c, r in zip(shown, raw.values(), strict=True):
        c["due_at_beijing"] = _beijing(r.due_at)
    return shown


def _own_case(request: Request, p: Principal, ref: str) -> Case | Response:
    actor = _public_actor(p)
    try:
        case = get_case(get_context(request).settings, ref)
    except CaseError:
        case = None
    if (
        case is None
        or case.kind not in requests.KINDS
        or actor is None
        or case.requester != actor.department
    ):
        return error(
            request, 404, f"{ref}: 不是您的申请 (not a request of yours)", info=_info(request)
        )
    return case


def _posted_to_own_case(
    request: Request, ref: str, csrf_token: str
) -> tuple[Principal, Case] | Response:
    """The signed-in requester and its own case ``ref`` for a form posted to the case's page:
    the login page when signed out, a refusal when the CSRF token is wrong, 404 for a case of
    someone else."""
    p = S.signed_in(request)
    if p is None:
        return S.to_login(request, f"/account/requests/{ref}")
    if not S.csrf_ok(p, csrf_token):
        return _csrf_failed(request)
    case = _own_case(request, p, ref)
    if isinstance(case, Response):
        return case
    return p, case


@router.get("/account/requests", name="portal_my_requests")
def my_requests(request: Request) -> Response:
    p = S.signed_in(request)
    if p is None:
        return S.to_login(request)
    ctx = get_context(request)
    actor = _public_actor(p)
    rows = []
    if actor is not None:
        for kind in requests.KINDS:
            for case in list_cases(ctx.settings, kind=kind, open_only=False):
                if case.requester == actor.department:
                    rows.append({"case": case, "clocks": _clocks(ctx, p, case)})
    rows.sort(key=lambda r: r["case"].opened_at, reverse=True)
    return _page(
        request,
        "portal/my_requests.html",
        p=p,
        rows=rows,
        account=actor.department if actor else None,
        states=STATE_LABELS,
    )


@router.get("/account/requests/{ref}", name="portal_my_request")
def my_request(request: Request, ref: str, problem: str | None = None) -> Response:
    p = S.signed_in(request)
    if p is None:
        return S.to_login(request)
    case = _own_case(request, p, ref)
    if isinstance(case, Response):
        return case
    return _request_page(request, p, case, problem=problem)


def _request_page(request: Request, p: Principal, case: Case, *, status: int = 200, problem=None):
    ctx = get_context(request)
    d = detail(ctx, p, case, None)
    text = None
    if case.state == "agreement":
        with suppress(CaseError):
            text = agreements.agreement_text(ctx.settings)
    rated = _rated(ctx, case)
    steps = [e for e in d["events_allowed"] if e["allowed_for_you"] and e["event"] not in OWN_FORMS]
    return _page(
        request,
        "portal/my_request.html",
        status=status,
        p=p,
        case=case,
        clocks=_clocks(ctx, p, case),
        history=d["history"],
        agreement=text,
        can_rate=case.state in ratings.RATABLE and not rated,
        rated=rated,
        dimensions=DIMENSIONS,
        states=STATE_LABELS,
        steps=steps,
        step_labels=STEP_LABELS,
        problem=problem,
    )


def _rated(ctx: Context, case: Case) -> bool:
    import sqlalchemy as sa

    from jutong.governance.db import engine
    from jutong.governance.schema import cases, open_ratings

    with engine(ctx.settings).connect() as conn:
        return (
            conn.execute(
                sa.select(open_ratings.c.id)
                .join(cases, cases.c.seq == open_ratings.c.case_seq)
                .where(cases.c.ref == case.ref)
            ).first()
            is not None
        )


REFUSALS = (CaseError, CalendarRangeError, PermissionDenied)
OWN_FORMS = {"agree"}  # the agreement has its own form (text, version, SHA-256)
STEP_LABELS = {
    "withdraw": ("撤回申请", "Withdraw"),
    "supplement": ("已补充材料", "Supplied the information"),
    "doubt": ("提出质量异议", "Raise a quality doubt"),
    "close": ("办结", "Close"),
    "confirm": ("确认并备案", "Confirm (filed)"),
    "coordinate": ("申请协调", "Ask the bureau to coordinate"),
}


@router.post("/account/requests/{ref}/step", name="portal_step")
def step(
    request: Request,
    ref: str,
    event: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=S.CSRF_FIELD)] = "",
) -> Response:
    """A requester's step (withdraw, supplement, doubt, close, confirm, coordinate) through
    ``opening.requests.act``, with the version the page showed (a page left open while the case
    moved on is refused)."""
    found = _posted_to_own_case(request, ref, csrf_token)
    if isinstance(found, Response):
        return found
    p, case = found
    if event in OWN_FORMS or event not in STEP_LABELS:
        return _request_page(
            request,
            p,
            case,
            status=422,
            problem=f"'{event}': 不是您可办理的环节 (not a step of yours)",
        )
    ctx = get_context(request)
    try:
        requests.act(
            ctx.settings,
            case.ref,
            event,
            actor=_public_actor(p),
            reason=reason.strip() or None,
            calendar=ctx.calendar,
            expected_version=int(version) if version.isdigit() else None,
        )
    except REFUSALS as err:
        return _request_page(
            request, p, get_case(ctx.settings, case.ref), status=409, problem=str(err)
        )
    return _see_other(str(request.url_for("portal_my_request", ref=case.ref).path))


@router.post("/account/requests/{ref}/agree", name="portal_agree")
def agree(
    request: Request,
    ref: str,
    version: Annotated[str, Form()] = "",
    sha256: Annotated[str, Form()] = "",
    accept: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=S.CSRF_FIELD)] = "",
) -> Response:
    found = _posted_to_own_case(request, ref, csrf_token)
    if isinstance(found, Response):
        return found
    p, case = found
    if accept != "yes":
        return _request_page(
            request,
            p,
            case,
            status=422,
            problem="请勾选“我已阅读并同意” (tick that you accept the text)",
        )
    ctx = get_context(request)
    try:
        agreements.accept(
            ctx.settings,
            case.ref,
            actor=_public_actor(p),
            version=version,
            sha256=sha256 or None,
            calendar=ctx.calendar,
        )
    except REFUSALS as err:
        return _request_page(
            request, p, get_case(ctx.settings, case.ref), status=409, problem=str(err)
        )
    return _see_other(str(request.url_for("portal_my_request", ref=case.ref).path))


@router.post("/account/requests/{ref}/rate", name="portal_rate")
async def rate(request: Request, ref: str) -> Response:
    form = await request.form()
    found = _posted_to_own_case(request, ref, str(form.get(S.CSRF_FIELD, "")))
    if isinstance(found, Response):
        return found
    p, case = found
    scores: dict[str, int] = {}
    for d, label in DIMENSIONS.items():
        raw = str(form.get(d, "")).strip()
        if not raw.isdigit() or not 1 <= int(raw) <= 5:
            return _request_page(
                request, p, case, status=422, problem=f"{label} {d}: 请选择 1–5 分 (a score 1–5)"
            )
        scores[d] = int(raw)
    ctx = get_context(request)
    try:
        ratings.rate(
            ctx.settings,
            case.ref,
            actor=_public_actor(p),
            scores=scores,
            comment=str(form.get("comment", "")) or None,
        )
    except REFUSALS as err:
        return _request_page(request, p, case, status=409, problem=str(err))
    return _see_other(str(request.url_for("portal_my_request", ref=case.ref).path))


def _requestable(request: Request, entry_id: str):
    ctx = get_context(request)
    entry = ctx.catalog.entries.get(entry_id)
    if entry is None or entry.open.type is not OpenType.conditional:
        return None
    return entry


@router.get("/catalog/entries/{entry_id}/request", name="portal_request")
def request_form(request: Request, entry_id: str) -> Response:
    p = S.signed_in(request)
    if p is None:
        return S.to_login(request)
    entry = _requestable(request, entry_id)
    if entry is None:
        return error(
            request,
            404,
            f"'{entry_id}': 无需申请或不可申请 (not an entry opened on request)",
            info=_info(request),
        )
    return _request_form(request, p, entry, values={"urgency": "normal", "kind": "conditional"})


def _request_form(request: Request, p: Principal, entry, *, values: dict, status=200, problem=None):
    return _page(
        request,
        "portal/request_form.html",
        status=status,
        p=p,
        entry=entry,
        values=values,
        urgencies=URGENCIES,
        public=_public_actor(p) is not None,
        problem=problem,
        min_until=(get_context(request).today() + dt.timedelta(days=1)).isoformat(),
    )


@router.post("/catalog/entries/{entry_id}/request")
async def request_submit(request: Request, entry_id: str) -> Response:
    form = await request.form()
    p = S.signed_in(request)
    if p is None:
        return S.to_login(request, f"/catalog/entries/{entry_id}/request")
    if not S.csrf_ok(p, str(form.get(S.CSRF_FIELD, ""))):
        return _csrf_failed(request)
    entry = _requestable(request, entry_id)
    if entry is None:
        return error(
            request, 404, f"'{entry_id}': not an entry opened on request", info=_info(request)
        )
    items = [str(x) for x in form.getlist("items")]
    values = {
        "items": items,
        "purpose": str(form.get("purpose", "")),
        "until": str(form.get("until", "")),
        "urgency": str(form.get("urgency", "normal")),
        "kind": str(form.get("kind", "conditional")),
    }
    actor = _public_actor(p)
    if actor is None:
        return _request_form(
            request,
            p,
            entry,
            values=values,
            status=403,
            problem="开放申请由公众账户提出 (requests are made by a citizen's or organisation's account, not by staff)",
        )
    try:
        until = dt.date.fromisoformat(values["until"])
    except ValueError:
        return _request_form(
            request,
            p,
            entry,
            values=values,
            status=422,
            problem="请填写使用期限 (the end of the period of use, YYYY-MM-DD)",
        )
    ctx = get_context(request)
    kwargs = dict(
        actor=actor,
        resource=entry.id,
        items=items,
        purpose=values["purpose"],
        until=until,
        catalog=ctx.catalog,
        calendar=ctx.calendar,
    )
    try:
        if values["kind"] != "on_request":
            case = requests.request_open(ctx.settings, urgency=values["urgency"], **kwargs)
        else:
            case = requests.request_on_demand(ctx.settings, **kwargs)
    except REFUSALS as err:
        return _request_form(request, p, entry, values=values, status=422, problem=str(err))
    return _see_other(str(request.url_for("portal_my_request", ref=case.ref).path))


# ---- conditionally open downloads -----------------------------------------------------------

DATA_FILES = ("data.csv", "data.parquet")


def conditional_download_block(request: Request, settings, definition, file: str):
    """None when the file may be served; else the refusal. The data files of a conditionally
    open release (有条件开放) go only to a signed-in account whose request was approved and
    delivered by download, within its period (``deliveries.check_download``, GX-Open art.
    20(5)); its metadata and checksums stay public."""
    entry = get_context(request).catalog.entries.get(definition.catalog_entry)
    open_type = definition.open_type or (entry.open.type if entry else None)
    if file not in DATA_FILES or open_type is not OpenType.conditional:
        return None
    page = str(request.url_for("portal_release", release_id=definition.id).path)
    p = S.signed_in(request)
    if p is None:
        return error(
            request,
            401,
            f"'{definition.id}' 为有条件开放数据：请登录，经申请批准并签订协议后下载 "
            "(conditionally open: sign in with an account whose request was approved; "
            "GX-Open art. 20)",
            back=page,
            info=_info(request),
        )
    reasons = []
    for actor in p.actors():
        if not actor.is_public:
            continue
        check = deliveries.check_download(settings, actor.department, definition.id)
        if check.ok:
            return None
        if check.status == 451:
            return error(request, 451, check.reason, back=page, info=_info(request))
        reasons.append(check.reason)
    return error(
        request,
        403,
        "; ".join(reasons) or f"{p.name} holds no portal account (public@ACCOUNT)",
        back=page,
        info=_info(request),
    )


# ---- complaints and notices -----------------------------------------------------------------


@router.get("/releases/{release_id}/complaint", name="portal_complaint")
def complaint_form(request: Request, release_id: str) -> Response:
    p = S.signed_in(request)
    if p is None:
        return S.to_login(request)
    ds = C.get_dataset(get_context(request).settings, release_id)
    if ds is None or ds.kind != "release":
        return error(
            request, 404, f"no open release '{release_id}' (无此开放数据集)", info=_info(request)
        )
    return _page(
        request, "portal/complaint_form.html", p=p, ds=ds, grounds=complaints.GROUNDS, values={}
    )


@router.post("/releases/{release_id}/complaint")
def complaint_submit(
    request: Request,
    release_id: str,
    grounds: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=S.CSRF_FIELD)] = "",
) -> Response:
    p = S.signed_in(request)
    if p is None:
        return S.to_login(request, f"/releases/{release_id}/complaint")
    if not S.csrf_ok(p, csrf_token):
        return _csrf_failed(request)
    ctx = get_context(request)
    ds = C.get_dataset(ctx.settings, release_id)
    if ds is None or ds.kind != "release":
        return error(
            request, 404, f"no open release '{release_id}' (无此开放数据集)", info=_info(request)
        )
    actors = p.actors()
    actor = _public_actor(p) or (actors[0] if actors else None)
    problem = None
    if actor is None:
        problem = f"{p.name} holds no role (jutong users grant)"
    else:
        try:
            case = complaints.file_complaint(
                ctx.settings,
                actor=actor,
                release_id=release_id,
                grounds=grounds,
                evidence=evidence,
                catalog=ctx.catalog,
                calendar=ctx.calendar,
            )
        except REFUSALS as err:
            problem = str(err)
    if problem:
        return _page(
            request,
            "portal/complaint_form.html",
            status=422,
            p=p,
            ds=ds,
            grounds=complaints.GROUNDS,
            values={"grounds": grounds, "evidence": evidence},
            problem=problem,
        )
    url = request.url_for("portal_release", release_id=release_id).path
    return _see_other(f"{url}?complaint={case.ref}")


@router.get("/notices", name="portal_notices")
def notices_page(request: Request) -> Response:
    ctx = get_context(request)
    today = ctx.today()
    return _page(
        request,
        "portal/notices.html",
        p=S.signed_in(request),
        notices=notices_in_force(ctx.settings, today),
        today=today,
    )
