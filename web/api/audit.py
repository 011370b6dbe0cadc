"""``/api/v1/audit``: the tamper-evident audit chain, for auditors and the bureau
administrator — events (filtered, paginated) and verification (GX-Dispatch art. 42)."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request

from jutong.governance.audit import verify
from jutong.governance.audit.log import row_to_event
from jutong.governance.db import engine
from jutong.governance.schema import audit_events
from web.api.pagination import Page, PageParams, page_params
from web.api.serialize import event_json
from web.auth import Principal, principal, require
from web.context import Context, get_context
from web.errors import ERRORS

router = APIRouter(prefix="/audit", tags=["audit 审计"], responses=ERRORS)

Ctx = Annotated[Context, Depends(get_context)]
Caller = Annotated[Principal, Depends(principal)]


@router.get("/events", summary="Audit events in chain order", response_model=Page)
def list_events(
    request: Request,
    ctx: Ctx,
    p: Caller,
    pg: Annotated[PageParams, Depends(page_params)],
    subject: str | None = None,
    action: str | None = None,
    department: str | None = None,
    after: Annotated[int, Query(ge=0, description="only events after this sequence number")] = 0,
    newest_first: bool = False,
) -> Page:
    require(ctx, p, "audit.read", subject="audit log")
    ev = audit_events
    where = [ev.c.seq > after]
    if subject:
        where.append(ev.c.subject == subject)
    if action:
        where.append(ev.c.action == action)
    if department:
        where.append(ev.c.department == department)
    q = (
        sa.select(ev)
        .where(*where)
        .order_by(ev.c.seq.desc() if newest_first else ev.c.seq)
        .limit(pg.limit)
        .offset(pg.offset)
    )
    with engine(ctx.settings).connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(ev).where(*where)).scalar_one()
        items = [event_json(row_to_event(r)) for r in conn.execute(q)]
    end = pg.offset + pg.limit
    nxt = str(request.url.include_query_params(offset=end, limit=pg.limit)) if end < total else None
    return Page(items=items, total=total, limit=pg.limit, offset=pg.offset, next=nxt)


@router.get("/verify", summary="Recompute the chain and check the signed checkpoints")
def verify_chain(ctx: Ctx, p: Caller) -> dict:
    require(ctx, p, "audit.read", subject="audit verify")
    return verify(ctx.settings).to_dict()
