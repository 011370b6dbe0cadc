"""``jutong lake status|repair|rollback``: what the lake holds, what is inconsistent, repair,
and rolling a table back to an earlier snapshot (``jutong.lake.rollback``, audited).

``repair`` settles what crashed runs left behind (``jutong.lake.repair``); it also runs, for
the tables concerned, before every ingest, standardize and base build.
"""

from __future__ import annotations

import argparse
import json
import sys

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


def cmd_rollback(args) -> int:
    import os

    from jutong.catalog.loader import load_catalog
    from jutong.governance.access import authorize
    from jutong.governance.audit import log as audit
    from jutong.governance.cases.actors import parse_actor
    from jutong.governance.cases.model import PermissionDenied
    from jutong.governance.db import engine
    from jutong.lake import LakeError
    from jutong.lake.rollback import plan, rollback

    settings = get_settings()
    lake = Lake(settings)
    try:
        if args.dry_run:
            rb = plan(lake, args.table, args.to)
        else:
            catalog = load_catalog(settings.catalog_dir)
            text = args.as_ or os.environ.get("JUTONG_AS")
            who = parse_actor(text, catalog.departments) if text else None
            if who is not None:
                authorize(settings, who, "lake.rollback", subject=args.table)

            def record(data: dict) -> None:
                with engine(settings).begin() as conn:
                    audit.append(
                        conn,
                        actor=who.user if who else os.environ.get("USER", "jutong"),
                        role=who.role.value if who else "bureau_admin",
                        department=who.department if who else None,
                        action="lake.rollback",
                        subject=args.table,
                        data=data,
                    )

            rb = rollback(
                settings, args.table, args.to, reason=args.reason, audit=record, lake=lake
            )
    except (LakeError, PermissionDenied) as err:
        print(f"jutong lake rollback: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rb.__dict__, ensure_ascii=False, indent=2, default=str))
    else:
        for line in rb.lines():
            print(("would roll back " if args.dry_run else "") + line)
        if not args.dry_run:
            print(
                "audited (lake.rollback); undo with --to the tagged snapshot. Tables built from "
                "these are rebuilt on their next run (jutong.built_from was cleared)."
            )
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
    rb = ls.add_parser(
        "rollback",
        help="make an earlier snapshot of a table (and the rest of its unit) current again; "
        "the later history is tagged, nothing is deleted; audited (LZ-Rules art. 29)",
    )
    rb.add_argument("table", help="zone.table, e.g. base.population (not raw)")
    rb.add_argument(
        "--to",
        required=True,
        help="a snapshot id, or a day YYYY-MM-DD (the newest snapshot by its end, Beijing time)",
    )
    rb.add_argument("--reason", help="why (required unless --dry-run)")
    rb.add_argument("--dry-run", action="store_true", help="say what would move")
    rb.add_argument("--as", dest="as_", metavar="USER:ROLE@DEPT", help="who (default: $JUTONG_AS)")
    rb.add_argument("--json", action="store_true")
    rb.set_defaults(func=cmd_rollback)
