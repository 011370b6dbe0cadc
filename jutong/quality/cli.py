"""``jutong quality``: the expectation suites, the quality report and scorecard."""

from __future__ import annotations

import argparse
import json
import sys

from jutong.settings import get_settings


def cmd_suites(args) -> int:
    from jutong.catalog import load_catalog
    from jutong.quality.suites import REPO_EXPECTATIONS, SuiteError, stale_suites, write_suites

    settings = get_settings()
    catalog = load_catalog(settings.catalog_dir)
    try:
        if args.write:
            for p in write_suites(catalog, REPO_EXPECTATIONS):
                print(f"wrote {p}")
            return 0
        stale = stale_suites(catalog, REPO_EXPECTATIONS)
    except SuiteError as exc:
        print(f"jutong quality suites: {exc}", file=sys.stderr)
        return 2
    if stale:
        print(
            "stale suites (run `jutong quality suites --write`): " + ", ".join(stale),
            file=sys.stderr,
        )
        return 1
    print(
        f"{len(list(catalog))} suite(s) up to date in {REPO_EXPECTATIONS / 'gx' / 'expectations'}"
    )
    return 0


def cmd_report(args) -> int:
    from jutong.quality.report import build_report, write_scorecard
    from jutong.quality.scores import DIMENSIONS
    from jutong.textable import render

    settings = get_settings()
    report = build_report(settings)
    path = write_scorecard(settings, report)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    rows = []
    for d in report["departments"]:
        rows.append(
            (
                d["department"],
                len(d["batches"]),
                d["blocked"],
                *(f"{d['scores'][k]:.1f}" for k in DIMENSIONS),
                " ".join(f"{v:.0f}" for v in d["trend"]["usability"][-6:]),
            )
        )
    heads = ["department", "batches", "blocked"] + [f"{v} {k}" for k, v in DIMENSIONS.items()]
    print(render([*heads, "usability trend"], rows, right=tuple(range(1, 9))))
    print("\nformulas:")
    for k, d in report["dimensions"].items():
        print(f"  {d['label']} {k}: {d['formula']}")
    print(f"\nscorecard: {path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("quality", help="quality gate: expectation suites, six-dimension report")
    qs = p.add_subparsers(dest="quality_cmd", metavar="COMMAND", required=True)
    s = qs.add_parser("suites", help="check (or --write) the suites generated from the catalog")
    s.add_argument("--write", action="store_true", help="regenerate expectations/gx/expectations")
    s.set_defaults(func=cmd_suites)
    r = qs.add_parser(
        "report", help="per department the six dimensions (GX-Open art. 20(7)); HTML scorecard"
    )
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_report)
