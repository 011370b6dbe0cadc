"""Long lists a page at a time: ``?offset=N`` on the console's own URL, 100 rows a page, and
the links to the previous and next pages (paths of the console, never another host)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request

from web.api.pagination import PageParams
from web.errors import ApiError

PER_PAGE = 100
EVERYTHING = PageParams(limit=10**9, offset=0)  # for charts and counts over a whole list


@dataclass(frozen=True)
class Pager:
    total: int
    offset: int
    shown: int
    prev: str | None
    next: str | None


def params(request: Request) -> PageParams:
    raw = request.query_params.get("offset") or "0"
    if not raw.isdigit():
        raise ApiError(400, f"offset: '{raw}' is not a number of rows to skip")
    return PageParams(limit=PER_PAGE, offset=int(raw))


def _url(request: Request, offset: int) -> str:
    query = request.url.include_query_params(offset=offset).query
    return f"{request.url.path}?{query}"


def pager(request: Request, total: int, pg: PageParams, shown: int) -> Pager:
    prev = _url(request, max(0, pg.offset - pg.limit)) if pg.offset > 0 else None
    nxt = _url(request, pg.offset + pg.limit) if pg.offset + pg.limit < total else None
    return Pager(total, pg.offset, shown, prev, nxt)


def cut(request: Request, rows: Sequence) -> tuple[list, Pager]:
    """One page of an already computed list, and its pager."""
    pg = params(request)
    part = list(rows[pg.offset : pg.offset + pg.limit])
    return part, pager(request, len(rows), pg, len(part))
