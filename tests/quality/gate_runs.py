"""A quality-gate verdict recorded for a batch, as the gate records it (for tests of what
reads the verdicts: deliveries, lineage, scorecards)."""

from __future__ import annotations

import datetime as dt

from jutong.quality.store import GateRun, record


def record_gate(
    settings,
    dataset: str,
    batch_id: str,
    status: str = "passed",
    *,
    rows: int = 2,
    day: dt.date = dt.date(2026, 11, 1),
    scores: dict[str, float] | None = None,
) -> GateRun:
    """Record the gate's verdict on ``batch_id`` of ``dataset`` (``passed`` or ``blocked``)."""
    run = GateRun(
        dataset=dataset,
        department=dataset.split(".", 1)[0],
        batch_id=batch_id,
        status=status,
        rows_in=rows,
        published=rows if status == "passed" else 0,
        quarantined=0,
        evaluated=rows,
        failures=[],
        outcomes=[],
        scores=scores or {},
        ticket=None,
        as_of=day,
        gated_at=dt.datetime.combine(day, dt.time()),
    )
    record(settings, run)
    return run
