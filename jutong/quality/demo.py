"""The quality gate's lines in the demo summary (the demo delivers a batch for it to block:
``jutong.demo.deliver_bad_batch``)."""

from __future__ import annotations

from jutong.settings import Settings


def demo_summary(settings: Settings) -> list[str]:
    """Per gated batch: passed or blocked, rows in / published / quarantined, the failures and
    ticket of a blocked batch; then where the Data Docs and the scorecard are."""
    from jutong.quality.report import data_docs_dir, scorecard_path
    from jutong.quality.store import runs
    from jutong.textable import render

    rows = []
    notes = []
    for r in runs(settings):
        rows.append(
            (
                r.dataset,
                r.batch_id,
                "passed" if r.status == "passed" else "BLOCKED",
                r.rows_in,
                r.published,
                r.quarantined,
                r.ticket or "",
            )
        )
        if r.status == "blocked":
            notes.append(f"  {r.dataset} {r.batch_id} blocked: " + "; ".join(r.failures))
    lines = ["quality gate (GX-Reg art. 18, 24; GX-Open art. 20(7)):", ""]
    if rows:
        table = render(
            ["dataset", "batch", "gate", "rows in", "published", "quarantined", "ticket"],
            rows,
            right=(3, 4, 5),
        )
        lines += table.splitlines()
    else:
        lines.append("  no batch gated yet")
    lines += notes
    index = data_docs_dir(settings) / "index.html"
    lines += [
        "",
        f"Data Docs (GE):  {index}",
        f"scorecard:       {scorecard_path(settings)}   (jutong quality report)",
        "quarantined rows: Iceberg tables quarantine.<department>__<dataset>",
    ]
    return lines
