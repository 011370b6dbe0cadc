"""``jutong raw ingest DATASET`` (without Airflow, for debugging) and ``jutong raw status``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jutong.catalog import load_catalog
from jutong.ingest.core import ingest_file
from jutong.ingest.landing import LandingError, discover
from jutong.ingest.readers import ContractError
from jutong.settings import get_settings
from jutong.textable import render


def print_status(statuses, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps([s.as_dict() for s in statuses], ensure_ascii=False, indent=2))
        return
    rows = [
        (s.dataset, s.title, s.files, s.batches, s.redeliveries, s.rows, s.quarantined, s.waiting)
        for s in statuses
    ]
    print(
        render(
            [
                "dataset",
                "title",
                "files",
                "batches",
                "redelivered",
                "rows",
                "quarantined",
                "waiting",
            ],
            rows,
            right=range(2, 8),
        )
    )
    for s in statuses:
        if s.rows != s.manifest_rows:
            print(
                f"WARNING {s.dataset}: raw table has {s.rows:,} rows, manifests record {s.manifest_rows:,}"
            )
        if s.last_quarantine_reason:
            print(f"  quarantine {s.dataset}: {s.last_quarantine_reason}")


def cmd_status(args) -> int:
    from jutong.ingest.status import dataset_status

    settings = get_settings()
    print_status(dataset_status(settings, load_catalog(settings.catalog_dir)), args.json)
    return 0


def cmd_ingest(args) -> int:
    settings = get_settings()
    catalog = load_catalog(settings.catalog_dir)
    try:
        entry = catalog.get(args.dataset)
    except KeyError as exc:
        print(f"jutong raw ingest: {exc.args[0]}", file=sys.stderr)
        return 2
    # a file named here outside landing is copied into the lake, never moved or deleted
    files = [Path(f) for f in args.files] if args.files else discover(settings, entry)
    if not files:
        print(f"no files waiting in {settings.landing_dir / entry.department / entry.dataset}")
        return 0
    failed = 0
    for f in files:
        try:
            print(ingest_file(settings, entry, f, progress=print).message)
        except ContractError as err:
            failed += 1
            print(f"REFUSED (quarantined): {err}", file=sys.stderr)
        except LandingError as err:
            failed += 1
            print(f"NOT INGESTED: {err}", file=sys.stderr)
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    rp = sub.add_parser("raw", help="the raw zone: ingest department extracts, what it holds")
    rs = rp.add_subparsers(dest="raw_cmd", metavar="COMMAND", required=True)
    p = rs.add_parser("ingest", help="ingest waiting extracts of one dataset now, without Airflow")
    p.add_argument("dataset", help="catalog id, e.g. gongan.huji")
    p.add_argument("files", nargs="*", help="files to ingest (default: all waiting in landing)")
    p.set_defaults(func=cmd_ingest)
    sp = rs.add_parser("status", help="per dataset: files, batches, rows, quarantined")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_status)
