"""``jutong lake status|repair``: what the lake holds, what is inconsistent, and repair.

``repair`` settles what crashed runs left behind (``jutong.lake.repair``); it also runs, for
the tables concerned, before every ingest, standardize and base build.
"""

from __future__ import annotations

import argparse
import json

from jutong.lake import Lake, Zone
from jutong.lake.repair import all_tables, repair
from jutong.lake.runs import DEFAULT_GRACE_S
from jutong.settings import get_settings


def lake_warnings(lake: Lake) -> list[str]:
    """What is inconsistent in the lake, one line each, without changing anything:
    leftovers of dead runs, half-published units, writes in progress."""
    out = []
    for rep in repair(lake, dry_run=True):
        if rep.rolled_forward:
            out.append(
                f"{rep.table}: unit(s) {', '.join(rep.rolled_forward)} published only in part "
                "— run `jutong lake repair` to finish it"
            )
        dead = len(rep.removed_branches)
        if dead or rep.orphan_files:
            out.append(
                f"{rep.table}: {dead} leftover WAP branch(es) and {len(rep.orphan_files)} "
                "unreferenced file(s) of crashed runs — run `jutong lake repair`"
            )
        if rep.live_branches:
            out.append(f"{rep.table}: {len(rep.live_branches)} write(s) in progress")
        out += [f"{rep.table}: PROBLEM: {p}" for p in rep.problems]
    return out


def _pending_standardize(lake: Lake) -> list[str]:
    """Raw batches that are on main but neither staged nor blocked (work not yet done, or a
    batch a crashed run did not finish)."""
    from jutong.catalog import load_catalog
    from jutong.lake.history import published_values
    from jutong.quality.store import blocked_batches

    out = []
    for e in load_catalog(lake.settings.catalog_dir):
        raw = lake.table_or_none(Zone.raw, e.table_name)
        if raw is None:
            continue
        staging = lake.table_or_none(Zone.staging, e.table_name)
        done = set(published_values(staging)) if staging is not None else set()
        done |= blocked_batches(lake.settings, e.id)
        waiting = [b for b in published_values(raw) if b not in done]
        if waiting:
            out.append(
                f"{e.id}: {len(waiting)} raw batch(es) not standardized yet "
                f"(jutong standardize {e.id})"
            )
    return out


def print_warnings(lake: Lake) -> int:
    lines = lake_warnings(lake) + _pending_standardize(lake)
    for line in lines:
        print(f"WARNING {line}")
    return len(lines)


def cmd_repair(args) -> int:
    lake = Lake(get_settings())
    tables = args.tables or all_tables(lake)
    reps = repair(lake, tables, dry_run=args.dry_run, grace_s=args.grace_hours * 3600)
    if args.json:
        print(json.dumps([r.__dict__ for r in reps], ensure_ascii=False, indent=2))
    else:
        lines = [line for r in reps for line in r.lines(args.dry_run)]
        for line in lines:
            print(line)
        if not lines:
            print(f"{len(reps)} table(s) checked: nothing to repair")
    return 1 if any(r.problems for r in reps) else 0


def cmd_status(args) -> int:
    from jutong.catalog import load_catalog
    from jutong.ingest.cli import print_status
    from jutong.ingest.status import dataset_status

    settings = get_settings()
    print_status(dataset_status(settings, load_catalog(settings.catalog_dir)), args.json)
    if not args.json:
        print_warnings(Lake(settings))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    lp = sub.add_parser("lake", help="what the lake holds; repair what crashed runs left")
    ls = lp.add_subparsers(dest="lake_cmd", required=True)
    sp = ls.add_parser(
        "status",
        help="per dataset: files, batches, rows, quarantined; then warnings (leftovers of "
        "crashed runs, half-published units, batches not standardized)",
    )
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_status)
    rp = ls.add_parser(
        "repair",
        help="remove what crashed runs left (WAP branches, unreferenced files); "
        "finish half-published units",
    )
    rp.add_argument("tables", nargs="*", help="zone.table (default: every table)")
    rp.add_argument("--dry-run", action="store_true", help="say what would be done")
    rp.add_argument(
        "--grace-hours",
        type=float,
        default=DEFAULT_GRACE_S / 3600,
        help="a run on another host counts as dead after this long (default: %(default)s)",
    )
    rp.add_argument("--json", action="store_true")
    rp.set_defaults(func=cmd_repair)
