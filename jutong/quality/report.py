"""The quality report for quality owners: per department, the six dimensions of GX-Open art.
20(7) (规范性 完整性 准确性 一致性 时效性 可用性), 0–100, their trend over batches, and an HTML
scorecard with inline SVG charts written into the lake (``<lake>/quality/scorecard.html``).

A department's score in a dimension is the row-weighted mean of its batches' scores
(``jutong.quality.scores`` defines each batch score); the trend is the list of batch scores in
gate order.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from jutong.charts import SPARK_CSS, sparkline
from jutong.quality.scores import DIMENSIONS, FORMULAS
from jutong.quality.store import runs
from jutong.settings import Settings
from jutong.webassets.fonts import CJK_FONT_STACK


def scorecard_path(settings: Settings) -> Path:
    return settings.lake_root / "quality" / "scorecard.html"


def data_docs_dir(settings: Settings) -> Path:
    """Where the gate's Great Expectations Data Docs site is written."""
    return settings.lake_root / "quality" / "data_docs"


def validation_results_dir(settings: Settings) -> Path:
    """Where the gate keeps Great Expectations' validation results (counts only, one JSON per
    checkpoint run): the Data Docs index of every process lists them all."""
    return settings.lake_root / "quality" / "validation_results"


def build_report(settings: Settings) -> dict:
    depts: dict[str, dict] = {}
    for r in runs(settings):
        d = depts.setdefault(
            r.department,
            {"department": r.department, "batches": [], "scores": {}, "rows_in": 0},
        )
        d["batches"].append(
            {
                "dataset": r.dataset,
                "batch_id": r.batch_id,
                "status": r.status,
                "rows_in": r.rows_in,
                "published": r.published,
                "quarantined": r.quarantined,
                "gated_at": r.gated_at.isoformat(),
                "ticket": r.ticket,
                "scores": r.scores,
                "failures": r.failures,
            }
        )
        d["rows_in"] += r.rows_in
    for d in depts.values():
        weight = sum(max(b["rows_in"], 1) for b in d["batches"])
        for dim in DIMENSIONS:
            total = sum(max(b["rows_in"], 1) * b["scores"].get(dim, 0.0) for b in d["batches"])
            d["scores"][dim] = round(total / weight, 2) if weight else 0.0
        d["trend"] = {dim: [b["scores"].get(dim, 0.0) for b in d["batches"]] for dim in DIMENSIONS}
        d["blocked"] = sum(b["status"] == "blocked" for b in d["batches"])
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dimensions": {k: {"label": v, "formula": FORMULAS[k]} for k, v in DIMENSIONS.items()},
        "aggregation": "department score = row-weighted mean of its batches' scores",
        "departments": [depts[k] for k in sorted(depts)],
        "scorecard": str(scorecard_path(settings)),
    }


def _bar(value: float, width: int = 120) -> str:
    w = width * max(0.0, min(value, 100.0)) / 100.0
    cls = "good" if value >= 95 else "warn" if value >= 80 else "bad"
    return (
        f'<svg width="{width}" height="14" role="img"><rect width="{width}" height="14" '
        f'class="track"/><rect width="{w:.1f}" height="14" class="{cls}"/></svg>'
    )


def render_html(report: dict) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'>",
        "<title>数据质量评分卡 Data quality scorecard</title><style>",
        f"body{{font-family:{CJK_FONT_STACK};margin:2em;color:#222}}"
        "table{border-collapse:collapse;"
        "margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
        ".track{fill:#eee}.good{fill:#2e7d32}.warn{fill:#f9a825}.bad{fill:#c62828}"
        f"{SPARK_CSS}.blocked{{color:#c62828;font-weight:bold}}",
        "</style></head><body>",
        "<h1>数据质量评分卡 Data quality scorecard</h1>",
        f"<p>Generated {e(report['generated_at'])}. Six dimensions of GX-Open art. 20(7), "
        f"0–100; {e(report['aggregation'])}.</p>",
        "<h2>Formulas</h2><table><tr><th>dimension</th><th>formula</th></tr>",
    ]
    for k, d in report["dimensions"].items():
        parts.append(f"<tr><td>{e(d['label'])} {k}</td><td>{e(d['formula'])}</td></tr>")
    parts.append("</table>")
    for d in report["departments"]:
        parts.append(
            f"<h2>{e(d['department'])}</h2><p>{len(d['batches'])} batch(es), "
            f"{d['rows_in']:,} rows in, {d['blocked']} blocked</p>"
        )
        parts.append("<table><tr><th>dimension</th><th>score</th><th></th><th>trend</th></tr>")
        for k, label in ((k, v["label"]) for k, v in report["dimensions"].items()):
            s = d["scores"][k]
            parts.append(
                f"<tr><td>{e(label)} {k}</td><td>{s:.2f}</td><td>{_bar(s)}</td>"
                f"<td>{sparkline(d['trend'][k])}</td></tr>"
            )
        parts.append("</table><table><tr><th>dataset</th><th>batch</th><th>gate</th>")
        parts.append("<th>rows in</th><th>published</th><th>quarantined</th><th>why</th></tr>")
        for b in d["batches"]:
            cls = " class='blocked'" if b["status"] == "blocked" else ""
            why = "; ".join(b["failures"])
            ticket = f" (ticket {b['ticket']})" if b["ticket"] else ""
            parts.append(
                f"<tr><td>{e(b['dataset'])}</td><td>{e(b['batch_id'])}</td>"
                f"<td{cls}>{e(b['status'])}</td><td>{b['rows_in']:,}</td>"
                f"<td>{b['published']:,}</td><td>{b['quarantined']:,}</td>"
                f"<td>{e(why + ticket)}</td></tr>"
            )
        parts.append("</table>")
    if not report["departments"]:
        parts.append("<p>No batch has been gated yet.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_scorecard(settings: Settings, report: dict | None = None) -> Path:
    report = report or build_report(settings)
    path = scorecard_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
