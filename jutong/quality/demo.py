"""Demo helpers: a deliberately bad social-insurance batch, and the gate's summary lines."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from jutong.settings import Settings

BAD_DATASET = "renshe.shebao"
BAD_RATES = {"id_bad_check": 0.10}  # 10 % wrong check digits: over the 2 % limit


def deliver_bad_batch(
    settings: Settings, landing_dir: Path | None = None, *, people: int = 400
) -> Path:
    """Write a small extra ``renshe.shebao`` extract with 10 % resident IDs whose check digit
    is wrong into the landing folder (``landing/renshe/shebao/``), under a new file name; the
    quality gate must block its batch and open a correction ticket (GX-Reg art. 18)."""
    from jutong.synth import generate
    from jutong.synth.rates import DirtRates

    landing = Path(landing_dir or settings.landing_dir)
    dept, dataset = BAD_DATASET.split(".")
    with tempfile.TemporaryDirectory() as tmp:
        generate(
            Path(tmp),
            people=people,
            orgs=max(20, people // 10),
            seed=4242,
            rates=DirtRates().with_overrides(**BAD_RATES),
            catalog_dir=settings.catalog_dir,
        )
        (src,) = sorted((Path(tmp) / "extracts" / dept / dataset).iterdir())
        target = landing / dept / dataset / f"{src.stem}_bad_ids{src.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    return target


def demo_summary(settings: Settings) -> list[str]:
    """Per gated batch: passed or blocked, rows in / published / quarantined, the failures and
    ticket of a blocked batch; then where the Data Docs and the scorecard are."""
    from jutong.quality.gate import data_docs_dir
    from jutong.quality.report import scorecard_path
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
