"""``jutong pii evaluate CORPUS``: recall per type, false positives on PII-free texts and
texts/s of the free-text analyzer on a labelled corpus (``masking.evaluation``)."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="measure the free-text analyzer on a labelled corpus (recall, false positives, speed)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("corpus", metavar="CORPUS", help='JSON Lines: {"text": ..., "pii": [...]}')
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--misses", action="store_true", help="list up to 20 missed values")
    p.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    from masking.evaluation import CorpusError, evaluate, load_corpus

    try:
        rows = load_corpus(args.corpus)
    except CorpusError as exc:
        print(f"jutong pii evaluate: {exc}", file=sys.stderr)
        return 2
    ev = evaluate(rows)
    print(json.dumps(ev.to_dict(), ensure_ascii=False, indent=2) if args.json else ev.render())
    if args.misses:
        for entity, text in ev.misses:
            print(f"  missed {entity}: {text}")
    return 0
