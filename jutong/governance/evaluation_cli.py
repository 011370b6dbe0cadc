"""``jutong evaluate departments``: how each department answers its share-case deadlines
(LZ-Rules art. 34; GX-Dispatch art. 9(3))."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from jutong.textable import render


def cmd_departments(args) -> int:
    from jutong.governance.evaluation import default_html_path, evaluate_departments, write_html
    from jutong.settings import get_settings
    from jutong.workdays import CHINA_TZ

    settings = get_settings()
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        print(f"jutong evaluate: --as-of: '{args.as_of}' is not a date YYYY-MM-DD", file=sys.stderr)
        return 1
    as_of = as_of or dt.datetime.now(CHINA_TZ).date()
    scores = evaluate_departments(settings, as_of=as_of)
    if args.json:
        print(json.dumps([s.to_dict() for s in scores], ensure_ascii=False, indent=2))
        return 0
    rows = [
        (
            s.department,
            s.name,
            s.steps_closed,
            "—" if s.met_rate is None else f"{s.met_rate:.0%}",
            "—" if s.median_answer_days is None else s.median_answer_days,
            s.open_steps,
            s.overdue_now,
            s.refusals_with_basis,
            f"{s.doubts_fixed_in_time}/{s.doubts_raised}",
        )
        for s in scores
    ]
    print(f"Department evaluation as of {as_of} (share-case steps each department owes):")
    print(
        render(
            [
                "department",
                "name",
                "closed",
                "met",
                "median wd",
                "open",
                "overdue",
                "refusals w/ basis",
                "doubts fixed",
            ],
            rows,
            right=(2, 5, 6, 7),
        )
    )
    path = write_html(scores, args.html or default_html_path(settings), as_of=as_of)
    print(f"HTML: {path}")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "evaluate", help="department evaluation (LZ-Rules art. 34)", description=__doc__
    )
    verbs = p.add_subparsers(dest="evaluate_command", metavar="VERB", required=True)
    d = verbs.add_parser("departments", help="deadlines met, answer times, refusals, doubts")
    d.add_argument("--as-of", help="YYYY-MM-DD (default today)")
    d.add_argument("--json", action="store_true")
    d.add_argument(
        "--html", type=Path, help="where to write the page (default beside the quality scorecard)"
    )
    d.set_defaults(func=cmd_departments)
