"""``jutong pii scan | mask | evaluate``: personal information in ad-hoc files, and the
analyzer measured on a labelled corpus."""

from __future__ import annotations

import argparse

from masking import evaluate_cli, mask_cli, scan_cli


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``jutong pii`` with ``scan``, ``mask`` and ``evaluate`` to the top-level ``subparsers``."""
    p = subparsers.add_parser(
        "pii", help="personal information in a file: scan for it, mask it for sharing or opening"
    )
    sub = p.add_subparsers(dest="pii_cmd", metavar="COMMAND", required=True)
    scan_cli.register(sub)
    mask_cli.register(sub)
    evaluate_cli.register(sub)
