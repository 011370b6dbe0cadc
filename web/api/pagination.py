"""Pagination of list endpoints: ``limit`` and ``offset`` in, ``items``, ``total``, ``limit``,
``offset`` and ``next`` (the URL of the next page, or null) out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BaseModel

MAX_LIMIT = 500


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")] = 50,
    offset: Annotated[int, Query(ge=0, description="items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    next: str | None = None


def paginate(request: Request, items: Sequence[dict], params: PageParams) -> Page:
    total = len(items)
    end = params.offset + params.limit
    nxt = None
    if end < total:
        nxt = str(request.url.include_query_params(offset=end, limit=params.limit))
    return Page(
        items=list(items[params.offset : end]),
        total=total,
        limit=params.limit,
        offset=params.offset,
        next=nxt,
    )
