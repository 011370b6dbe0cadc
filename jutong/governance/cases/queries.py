"""Reading cases: one by its reference, lists, and the clocks of their steps."""

from __future__ import annotations

import sqlalchemy as sa

from jutong.governance.cases.model import Case, CaseClock, CaseError, row_case, row_clock
from jutong.governance.db import engine
from jutong.governance.schema import case_clocks, cases
from jutong.settings import Settings


def get_case(settings: Settings, ref: str) -> Case:
    key = (ref or "").strip()
    with engine(settings).connect() as conn:  # SR-000001 (sr-000001 too), review:12
        row = conn.execute(sa.select(cases).where(cases.c.ref == key.upper())).first()
        if row is None:
            row = conn.execute(sa.select(cases).where(cases.c.ref == key.lower())).first()
    if row is None:
        raise CaseError(f"case {ref}: no such case")
    return row_case(row)


def clocks_of(settings: Settings, ref: str) -> list[CaseClock]:
    with engine(settings).connect() as conn:
        rows = conn.execute(
            sa.select(case_clocks)
            .join(cases, cases.c.seq == case_clocks.c.case_seq)
            .where(cases.c.ref == ref)
            .order_by(case_clocks.c.id)
        ).all()
    return [row_clock(r) for r in rows]


def list_cases(
    settings: Settings,
    *,
    kind: str | None = None,
    department: str | None = None,
    state: str | None = None,
    open_only: bool = False,
) -> list[Case]:
    """Cases, oldest first; ``department`` keeps those it requests or provides."""
    q = sa.select(cases).order_by(cases.c.seq)
    if kind:
        q = q.where(cases.c.kind == kind)
    if department:
        q = q.where(sa.or_(cases.c.requester == department, cases.c.provider == department))
    if state:
        q = q.where(cases.c.state == state)
    if open_only:
        q = q.where(cases.c.closed.is_(False))
    with engine(settings).connect() as conn:
        return [row_case(r) for r in conn.execute(q)]


def open_clocks(settings: Settings) -> list[tuple[Case, CaseClock]]:
    """Every running or paused clock with its case, earliest due first."""
    with engine(settings).connect() as conn:
        clock_rows = conn.execute(
            sa.select(case_clocks)
            .where(case_clocks.c.status.in_(("running", "paused")))
            .order_by(case_clocks.c.due_on, case_clocks.c.case_seq)
        ).all()
        seqs = sorted({r.case_seq for r in clock_rows})
        by_seq = {
            r.seq: row_case(r)
            for i in range(0, len(seqs), 500)
            for r in conn.execute(sa.select(cases).where(cases.c.seq.in_(seqs[i : i + 500])))
        }
    return [(by_seq[r.case_seq], row_clock(r)) for r in clock_rows]
