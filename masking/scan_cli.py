"""``jutong pii scan INPUT``: report the PII in a CSV, Excel or text file (GX-Open art. 16, 19).

Exit status, so that a script can gate a release on it: 0 nothing found, 1 PII found,
2 the input cannot be read (one line on stderr naming the file).
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "scan",
        help="report PII (IDs, phones, cards, credit codes, names, addresses …) in a file",
        description=(
            "Report PII found in a CSV (UTF-8 or GBK), Excel (.xlsx) or text file, per column and "
            "per type, with counts and masked examples. Exit 0 when nothing is found, 1 when PII "
            "is found, 2 when the input cannot be read."
        ),
    )
    p.add_argument("input", metavar="INPUT", help="CSV, .xlsx or text file (one value per line)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--columns", nargs="+", metavar="COLUMN", help="scan only these columns (default: all)"
    )
    p.add_argument("--sample", type=int, metavar="N", help="scan only the first N rows")
    p.set_defaults(func=handler)
    return p


def handler(args: argparse.Namespace) -> int:
    from masking.scan import ScanError, scan_file

    try:
        report = scan_file(args.input, columns=args.columns, sample=args.sample)
    except ScanError as err:
        print(f"jutong pii scan: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.render())
    return 1 if report.found else 0
