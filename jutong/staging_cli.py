"""``jutong staging standardize [DATASET ...]`` (without Airflow) and ``jutong staging status``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from jutong.catalog import load_catalog
from jutong.settings import get_settings
from jutong.staging_status import staging_status
from jutong.textable import render


def print_staging(statuses, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps([s.__dict__ for s in statuses], ensure_ascii=False, indent=2))
        return
    rows = []
    for s in statuses:
        if not s.identifiers:
            rows.append((s.dataset, s.rows, s.valid_rows, "-", "", "", "", ""))
        for i, (item, c) in enumerate(sorted(s.identifiers.items())):
            head = (s.dataset, s.rows, s.valid_rows) if i == 0 else ("", "", "")
            rows.append(
                (
                    *head,
                    item,
                    c.get("valid", 0),
                    c.get("repaired", 0),
                    c.get("invalid", 0),
                    c.get("missing", 0),
                )
            )
    print(
        render(
            [
                "dataset",
                "rows",
                "valid rows",
                "identifier",
                "valid",
                "repaired",
                "invalid",
                "missing",
            ],
            rows,
            right=(1, 2, 4, 5, 6, 7),
        )
    )
    print(
        "valid = as delivered; repaired = valid after normalization (full-width, spaces, x, 15→18 digits)"
    )


def cmd_status(args) -> int:
    settings = get_settings()
    print_staging(staging_status(settings, load_catalog(settings.catalog_dir)), args.json)
    return 0


def cmd_standardize(args) -> int:
    from spark_jobs.session import get_spark
    from spark_jobs.standardize import run_standardize

    settings = get_settings()
    catalog = load_catalog(settings.catalog_dir)
    try:
        entries = [catalog.get(d) for d in args.datasets] if args.datasets else list(catalog)
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    except (KeyError, ValueError) as exc:
        print(f"jutong staging standardize: {exc.args[0]}", file=sys.stderr)
        return 2
    from jutong.lake import LakeError

    spark = get_spark(settings, "jutong staging standardize")
    failed = []
    for e in entries:
        # one dataset's trouble never stops the others; it is named and the exit code says it
        try:
            res = run_standardize(spark, settings, e, as_of, progress=print)
        except LakeError as err:
            failed.append(e.id)
            print(f"{e.id}: FAILED: {err}", file=sys.stderr)
            continue
        if not res:
            print(f"{e.id}: no new raw batch")
    if failed:
        print(
            f"jutong staging standardize: {len(failed)} dataset(s) failed: {', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    sp = sub.add_parser("staging", help="the staging zone: standardize raw batches, what it holds")
    ss = sp.add_subparsers(dest="staging_cmd", metavar="COMMAND", required=True)
    p = ss.add_parser(
        "standardize", help="standardize new raw batches into staging now, without Airflow"
    )
    p.add_argument("datasets", nargs="*", help="catalog ids (default: all)")
    p.add_argument("--as-of", help="the run date for the rules (default: today)")
    p.set_defaults(func=cmd_standardize)
    st = ss.add_parser(
        "status", help="per dataset: rows, valid rows, identifiers valid/repaired/invalid"
    )
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)
