"""``/api/v1/tickets``: correction tickets (纠错工单; GX-Reg art. 18) — list, one with its
history, resolve, extend once by up to 5 working days — as ``jutong tickets`` does."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from jutong.governance.cases.model import PermissionDenied
from jutong.governance.tickets import (
    TicketError,
    extend_ticket,
    get_ticket,
    list_tickets,
    resolve_ticket,
    ticket_history,
)
from jutong.workdays import CalendarRangeError
from web.api.pagination import Page, PageParams, page_params, paginate
from web.api.serialize import jsonable
from web.auth import Principal, principal, require, visible_departments
from web.context import Context, get_context
from web.errors import ERRORS, ApiError

router = APIRouter(prefix="/tickets", tags=["correction tickets 纠错工单"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]


class ResolveIn(BaseModel):
    note: str = Field(min_length=1, description="what was verified or corrected")


class ExtendIn(BaseModel):
    days: int = Field(ge=1, le=5, description="working days, 1–5 (GX-Reg art. 18)")
    approved_by: str = Field(min_length=1, description="the department head who approved")
    reason: str = Field(min_length=1)


def _json(t, as_of: dt.date) -> dict:
    return {**t.to_dict(), "overdue": t.is_overdue(as_of)}


def _ticket(ctx: Context, p: Principal, ticket_id: str, permission: str):
    t, _ = _ticket_and_actor(ctx, p, ticket_id, permission)
    return t


def _ticket_and_actor(ctx: Context, p: Principal, ticket_id: str, permission: str):
    """The ticket and the caller's actor allowed ``permission`` on it (else 404 / 403)."""
    try:
        t = get_ticket(ctx.settings, ticket_id)
    except TicketError as err:
        raise ApiError(404, str(err)) from None
    return t, require(ctx, p, permission, departments=[t.department], subject=t.id)


@router.get("", summary="Tickets (open ones by default)", response_model=Page)
def list_(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    department: Annotated[str | None, Query(description="provider department")] = None,
    status: Annotated[str | None, Query(description="open | resolved; default open")] = "open",
    overdue: bool = False,
    as_of: dt.date | None = None,
    all: Annotated[bool, Query(description="resolved ones too")] = False,
) -> Page:
    seen = visible_departments(ctx, p, "tickets.read")
    if seen is not None and (not seen or (department and department not in seen)):
        require(ctx, p, "tickets.read", departments=[department or "-"], subject="ticket list")
    as_of = as_of or ctx.today()
    try:
        found = list_tickets(
            ctx.settings,
            overdue=overdue,
            department=department,
            status=None if all else status,
            as_of=as_of,
        )
    except TicketError as err:
        raise ApiError(422, str(err)) from None
    if seen is not None:
        found = [t for t in found if t.department in seen]
    return paginate(request, [_json(t, as_of) for t in found], pg)


@router.get("/{ticket_id}", summary="One ticket and its history")
def get(ticket_id: str, ctx: Ctx, p: Caller) -> dict:
    t = _ticket(ctx, p, ticket_id, "tickets.read")
    history = [jsonable(dict(e.__dict__)) for e in ticket_history(ctx.settings, t.id)]
    return {**_json(t, ctx.today()), "history": history}


@router.post("/{ticket_id}/resolve", summary="Record who fixed the ticket and how")
def resolve(ticket_id: str, body: ResolveIn, ctx: Ctx, p: Caller) -> dict:
    t, actor = _ticket_and_actor(ctx, p, ticket_id, "tickets.manage")
    try:  # fires the ticket's case as the caller's role (jutong cases rules --flow ticket)
        t = resolve_ticket(
            ctx.settings, t.id, note=body.note, resolved_by=p.name, actor=actor, catalog=ctx.catalog
        )
    except PermissionDenied as err:
        raise ApiError(403, str(err)) from None
    except TicketError as err:
        raise ApiError(409, str(err), code="refused") from None
    return _json(t, ctx.today())


@router.post("/{ticket_id}/extend", summary="Extend once by 1–5 working days (GX-Reg art. 18)")
def extend(ticket_id: str, body: ExtendIn, ctx: Ctx, p: Caller) -> dict:
    t, actor = _ticket_and_actor(ctx, p, ticket_id, "tickets.manage")
    try:
        t = extend_ticket(
            ctx.settings,
            t.id,
            days=body.days,
            approved_by=body.approved_by,
            reason=body.reason,
            calendar=ctx.calendar,
            actor=actor,
            catalog=ctx.catalog,
        )
    except PermissionDenied as err:
        raise ApiError(403, str(err)) from None
    except (TicketError, CalendarRangeError) as err:
        raise ApiError(409, str(err), code="refused") from None
    return _json(t, ctx.today())
