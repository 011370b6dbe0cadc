"""``jutong lineage COLUMN [--downstream] [--json]`` and ``jutong lineage build``."""

from __future__ import annotations

import argparse
import json
import sys

EXAMPLES = """examples:
  jutong lineage build
  jutong lineage release.population_by_county_sex_age.count
  jutong lineage base.population.name
  jutong lineage --downstream extract.gongan__huji.公民身份号码
  jutong lineage --json theme.pop_registered_by_county_sex_age.age_band
"""


def _edges(settings, *, derive: bool):
    from jutong.lake import Lake
    from jutong.lineage.derive import derive_for
    from jutong.lineage.store import read_lineage

    edges = None if derive else read_lineage(Lake(settings))
    if edges is None:
        if not derive:
            print(
                "note: no lineage table (meta.lineage) yet: derived now from the catalog, the "
                "dbt project and the release definitions ('jutong lineage build' stores it)",
                file=sys.stderr,
            )
        edges = derive_for(settings)
    return edges


def cmd_lineage(args) -> int:
    from jutong.lineage.dbt_edges import LineageError
    from jutong.lineage.graph import Lineage, UnknownColumnError
    from jutong.settings import get_settings

    settings = get_settings()
    try:
        if args.column == "build":
            return _build(settings, as_json=args.json)
        graph = Lineage(_edges(settings, derive=args.derive))
        if args.json:
            tree = graph.tree(args.column, downstream=args.downstream)
            if not args.downstream:
                tree["extract_columns"] = graph.extract_columns(args.column)
            print(json.dumps(tree, ensure_ascii=False, indent=2))
        else:
            print(graph.render(args.column, downstream=args.downstream))
    except (UnknownColumnError, LineageError) as err:
        print(f"jutong lineage: {err.args[0] if err.args else err}", file=sys.stderr)
        return 1
    return 0


def _build(settings, *, as_json: bool) -> int:
    from collections import Counter

    from jutong.lake import Lake
    from jutong.lineage.derive import publish_lineage
    from jutong.lineage.store import TABLE, read_lineage

    rows, published = publish_lineage(settings)
    edges = read_lineage(Lake(settings)) or []
    hops = Counter(e.hop for e in edges)
    if as_json:
        print(
            json.dumps(
                {
                    "table": f"meta.{TABLE}",
                    "edges": rows,
                    "published": published,
                    "hops": dict(hops),
                }
            )
        )
        return 0
    state = "published" if published else "unchanged (same edges as the published table)"
    print(f"meta.{TABLE}: {rows} edges {state}")
    print("  " + ", ".join(f"{h}: {n}" for h, n in sorted(hops.items())))
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "lineage",
        help="where a column comes from, down to the department's extract (可溯); 'build' stores it",
        description=(
            "Column lineage (可溯, GX-Dispatch art. 42): the tree of columns a column is\n"
            "computed from, each hop with its transform and the article it implements, down\n"
            "to the department's extract column; --downstream shows where a column ends up.\n"
            "'jutong lineage build' derives every edge (the catalog, dbt's SQL via sqlglot,\n"
            "the release definitions, the deliveries) into the lake table meta.lineage."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "column",
        metavar="COLUMN",
        help="<zone>.<table>.<column> (zones: extract, raw, staging, base, dbt, theme, release, "
        "share), or 'build'",
    )
    p.add_argument("--downstream", action="store_true", help="where the column ends up")
    p.add_argument("--json", action="store_true", help="the tree as JSON")
    p.add_argument(
        "--derive", action="store_true", help="derive now instead of reading meta.lineage"
    )
    p.set_defaults(func=cmd_lineage)
