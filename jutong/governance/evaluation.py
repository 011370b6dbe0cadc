"""Department evaluation (LZ-Rules art. 34; GX-Dispatch art. 9(3); GX-Open art. 33): how each
department answers the steps it owes in share cases.

Per department: steps closed and how many in time, the share of deadlines met, the median
answer time in working days (from receipt to answer, the receipt day not counted), steps open
and overdue now, refusals it gave with their legal basis, and doubts raised about its data and
how many it fixed in time; for opened data, the public's ratings of its data on the six quality
dimensions (GX-Open art. 20(7), 33). Steps owed by public accounts are not department steps and
are left out. ``jutong evaluate departments`` prints it (``--json``) and writes a
self-contained HTML page (no external asset) beside the quality scorecard.
"""

from __future__ import annotations

import datetime as dt
import html
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa

from jutong.charts import SPARK_CSS, sparkline
from jutong.governance.audit.log import events
from jutong.governance.cases.clocks import clock_state, working_days_left
from jutong.governance.cases.rules import Party
from jutong.governance.db import engine
from jutong.governance.schema import case_clocks, cases
from jutong.settings import Settings
from jutong.workdays import WorkCalendar


@dataclass
class DepartmentScore:
    department: str
    name: str = ""
    steps_closed: int = 0
    steps_met: int = 0
    answer_days: list[int] = field(default_factory=list)
    open_steps: int = 0
    overdue_now: int = 0
    refusals_with_basis: int = 0
    doubts_raised: int = 0
    doubts_fixed_in_time: int = 0
    ratings: int = 0  # ratings of its opened data (GX-Open art. 20(7))
    rating_mean: float | None = None  # mean of the six dimensions, 1–5
    rating_dimensions: dict[str, float] = field(default_factory=dict)
    # month (YYYY-MM, Beijing day the step closed) -> [steps closed, met]: the trend
    monthly: dict[str, list[int]] = field(default_factory=dict)

    @property
    def met_rate(self) -> float | None:
        return self.steps_met / self.steps_closed if self.steps_closed else None

    @property
    def median_answer_days(self) -> float | None:
        return statistics.median(self.answer_days) if self.answer_days else None

    def trend(self, months: list[str]) -> list[float | None]:
        """Share of deadlines met (0–100) per month; None for a month with no step closed."""
        out: list[float | None] = []
        for m in months:
            closed, met = self.monthly.get(m, (0, 0))
            out.append(100.0 * met / closed if closed else None)
        return out

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("answer_days")
        out.pop("monthly")
        out["trend"] = {
            m: {"closed": c, "met": k, "met_rate": k / c}
            for m, (c, k) in sorted(self.monthly.items())
        }
        out["met_rate"] = self.met_rate
        out["median_answer_days"] = self.median_answer_days
        return out


def evaluate_departments(
    settings: Settings, *, as_of: dt.date, calendar: WorkCalendar | None = None
) -> list[DepartmentScore]:
    calendar = calendar or WorkCalendar.from_catalog(settings)
    from jutong.catalog.loader import load_catalog

    names = {k: v.name for k, v in load_catalog(settings.catalog_dir).departments.items()}
    scores: dict[str, DepartmentScore] = {}

    def score(dept: str) -> DepartmentScore:
        return scores.setdefault(dept, DepartmentScore(dept, names.get(dept, "")))

    with engine(settings).connect() as conn:
        rows = conn.execute(
            sa.select(
                cases.c.requester,
                cases.c.provider,
                cases.c.bureau,
                cases.c.data,
                case_clocks.c.state,
                case_clocks.c.party,
                case_clocks.c.started_on,
                case_clocks.c.due_on,
                case_clocks.c.status,
                case_clocks.c.closed_on,
            ).join(cases, cases.c.seq == case_clocks.c.case_seq)
        ).all()
    for r in rows:
        if r.party == Party.centre.value:
            owed = (r.data or {}).get("centre") or r.bureau
        else:
            owed = {
                Party.requester.value: r.requester,
                Party.provider.value: r.provider,
            }.get(r.party, r.bureau)
        if owed not in names:  # a public account's own step (not a department's)
            continue
        s = score(owed)
        if r.state == "doubt":
            s.doubts_raised += 1
            s.doubts_fixed_in_time += r.status == "met"
        if r.status in ("met", "missed"):
            s.steps_closed += 1
            s.steps_met += r.status == "met"
            if r.closed_on is not None:
                month = s.monthly.setdefault(r.closed_on.strftime("%Y-%m"), [0, 0])
                month[0] += 1
                month[1] += r.status == "met"
            s.answer_days.append(working_days_left(calendar, r.started_on, r.closed_on))
        elif r.status in ("running", "paused"):  # not a clock an extension replaced
            s.open_steps += 1
            st = clock_state(calendar, status=r.status, due_on=r.due_on, as_of=as_of)
            s.overdue_now += st == "overdue"
    for action in ("share_request.refuse", "open_request.refuse", "open_on_request.refuse"):
        for ev in events(settings, action=action):
            if ev.department and ev.data.get("legal_basis"):
                score(ev.department).refusals_with_basis += 1
    from jutong.governance.opening.ratings import ratings_by_provider

    for dept, r in ratings_by_provider(settings).items():
        s = score(dept)
        s.ratings, s.rating_mean, s.rating_dimensions = r["ratings"], r["mean"], r["dimensions"]
    return [scores[d] for d in sorted(scores)]


def _bar(value: float | None, width: int = 160) -> str:
    if value is None:
        return "—"
    w = round(max(0.0, min(1.0, value)) * width)
    colour = "#2e7d32" if value >= 0.9 else "#f9a825" if value >= 0.7 else "#c62828"
    return (
        f'<svg width="{width}" height="12" role="img" aria-label="{value:.0%}">'
        f'<rect width="{width}" height="12" fill="#eee"/>'
        f'<rect width="{w}" height="12" fill="{colour}"/></svg> {value:.0%}'
    )


def last_months(as_of: dt.date, n: int = 12) -> list[str]:
    """The ``n`` months up to ``as_of``'s, oldest first (``YYYY-MM``)."""
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _trend_rows(scores: list[DepartmentScore], months: list[str]) -> str:
    rows = []
    for s in scores:
        values = s.trend(months)
        if all(v is None for v in values):
            continue
        titles = [
            f"{m}: {s.monthly[m][1]}/{s.monthly[m][0]} met" if m in s.monthly else f"{m}: —"
            for m in months
        ]
        rows.append(
            f"<tr><td>{html.escape(s.department)}</td><td>{html.escape(s.name)}</td>"
            f"<td>{sparkline(values, width=360, height=60, titles=titles)}</td></tr>"
        )
    return "".join(rows) or '<tr><td colspan="3">no step closed in these months</td></tr>'


def write_html(scores: list[DepartmentScore], path: Path, *, as_of: dt.date) -> Path:
    """A self-contained page (inline SVG bars and trend lines, a CJK font stack, no external
    asset)."""
    months = last_months(as_of)
    trend = _trend_rows(scores, months)
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(s.department)}</td><td>{html.escape(s.name)}</td>"
        f"<td>{s.steps_closed}</td><td>{_bar(s.met_rate)}</td>"
        f"<td>{'—' if s.median_answer_days is None else s.median_answer_days}</td>"
        f"<td>{s.open_steps}</td><td>{s.overdue_now}</td><td>{s.refusals_with_basis}</td>"
        f"<td>{s.doubts_fixed_in_time}/{s.doubts_raised}</td>"
        f"<td>{'—' if s.rating_mean is None else f'{s.rating_mean:.2f} ({s.ratings})'}</td>"
        "</tr>"
        for s in scores
    )
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>部门考核 Department evaluation {as_of}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 4px 8px; }}
th {{ background: #f5f5f5; }}
{SPARK_CSS}
</style></head><body>
<h1>数据共享考核 Department evaluation</h1>
<p>As of {as_of}. Steps owed in share cases (LZ-Rules art. 34; GX-Dispatch art. 9(3)):
deadlines in working days on the PRC calendar; answer time from receipt (not counted) to
answer.</p>
<table><thead><tr><th>department</th><th>name</th><th>steps closed</th>
<th>deadlines met</th><th>median answer (wd)</th><th>open</th><th>overdue now</th>
<th>refusals with legal basis</th><th>doubts fixed in time</th>
<th>public rating 1–5 (n)</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>趋势 Trend: deadlines met per month, {months[0]} – {months[-1]}</h2>
<p>Share of the steps closed in each month that met their deadline (0–100 %; hover a point for
met/closed; a gap: no step closed that month).</p>
<table><thead><tr><th>department</th><th>name</th><th>deadlines met per month</th></tr></thead>
<tbody>{trend}</tbody></table>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def default_html_path(settings: Settings) -> Path:
    return Path(settings.lake_root) / "quality" / "departments.html"
