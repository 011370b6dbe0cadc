"""The record of every gate run (governance database, table ``quality_gate_runs``).

One row per dataset batch judged by the staging gate: passed or blocked, rows in, published,
quarantined, the failures, each expectation's counts and the six dimension scores. A blocked
batch is recorded here so that ``pending_batches`` does not judge it again, and the quality
report and the demo read the history from here (GX-Open art. 20(7): quality evaluated and
tracked; GX-Reg art. 18: the provider corrects).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from jutong.governance.db import engine, utcnow
from jutong.governance.schema import gate_runs
from jutong.settings import Settings


@dataclass
class GateRun:
    dataset: str
    department: str
    batch_id: str
    status: str
    rows_in: int
    published: int
    quarantined: int
    evaluated: int
    failures: list[str]
    outcomes: list[dict]
    scores: dict[str, float]
    ticket: str | None
    as_of: dt.date
    gated_at: dt.datetime


def record(settings: Settings, run: GateRun) -> None:
    """Insert (or replace, for a re-judged batch) the run of a batch."""
    eng = engine(settings)
    values = {
        "dataset": run.dataset,
        "department": run.department,
        "batch_id": run.batch_id,
        "status": run.status,
        "rows_in": run.rows_in,
        "published": run.published,
        "quarantined": run.quarantined,
        "evaluated": run.evaluated,
        "failures": json.dumps(run.failures, ensure_ascii=False),
        "outcomes": json.dumps(run.outcomes, ensure_ascii=False),
        "scores": json.dumps(run.scores),
        "ticket": run.ticket,
        "as_of": run.as_of,
        "gated_at": run.gated_at,
    }
    with eng.begin() as conn:
        conn.execute(
            gate_runs.delete().where(
                (gate_runs.c.dataset == run.dataset) & (gate_runs.c.batch_id == run.batch_id)
            )
        )
        conn.execute(gate_runs.insert().values(**values))


def runs(settings: Settings, dataset: str | None = None) -> list[GateRun]:
    eng = engine(settings)
    q = sa.select(gate_runs).order_by(gate_runs.c.gated_at, gate_runs.c.id)
    if dataset:
        q = q.where(gate_runs.c.dataset == dataset)
    with eng.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return [
        GateRun(
            dataset=r["dataset"],
            department=r["department"],
            batch_id=r["batch_id"],
            status=r["status"],
            rows_in=r["rows_in"],
            published=r["published"],
            quarantined=r["quarantined"],
            evaluated=r["evaluated"],
            failures=json.loads(r["failures"]),
            outcomes=json.loads(r["outcomes"]),
            scores=json.loads(r["scores"]),
            ticket=r["ticket"],
            as_of=r["as_of"],
            gated_at=r["gated_at"],
        )
        for r in rows
    ]


def blocked_batches(settings: Settings, dataset: str) -> set[str]:
    eng = engine(settings)
    q = sa.select(gate_runs.c.batch_id).where(
        (gate_runs.c.dataset == dataset) & (gate_runs.c.status == "blocked")
    )
    with eng.connect() as conn:
        return {r[0] for r in conn.execute(q)}


__all__ = ["GateRun", "blocked_batches", "gate_runs", "record", "runs", "utcnow"]
