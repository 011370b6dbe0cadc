"""``jutong synth``: the command-line face of ``jutong.synth.generate``.

Wire it into the main parser with ``register(subparsers)``; the handler is set as
``func`` and returns the exit code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from jutong.synth.rates import DirtRates, parse_rate
from jutong.textable import render


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _rate(text: str) -> tuple[str, float]:
    try:
        return parse_rate(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``synth`` sub-command to an argparse sub-parsers object."""
    names = ", ".join(f"{k} ({v:g})" for k, v in DirtRates().as_dict().items())
    p = subparsers.add_parser(
        "synth",
        help="generate a synthetic province's department extracts and their ground truth",
        description=(
            "Generate a synthetic Guangxi: the six catalog extracts under OUT/extracts/, the "
            "ground truth under OUT/truth/ and OUT/synth.json. The same arguments give the same "
            "bytes."
        ),
        epilog=f"Dirt rates (defaults): {names}.",
    )
    p.add_argument(
        "--people", type=_positive_int, default=20000, metavar="N", help="persons (default 20000)"
    )
    p.add_argument(
        "--orgs", type=_positive_int, default=3000, metavar="M", help="organisations (default 3000)"
    )
    p.add_argument("--seed", type=int, default=42, metavar="S", help="random seed (default 42)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    p.add_argument(
        "--rate",
        type=_rate,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a dirt rate, a number in [0, 1] (repeatable)",
    )
    p.add_argument(
        "--as-of",
        type=_date,
        default=dt.date(2026, 11, 1),
        metavar="YYYY-MM-DD",
        help="the extracts' date; ages and dates are relative to it (default 2026-11-01)",
    )
    p.add_argument(
        "--catalog",
        type=Path,
        default=None,
        metavar="DIR",
        help="catalog folder (default: the settings' catalog)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=handler)
    return p


def _catalog_dir(arg: Path | None) -> Path | None:
    if arg is not None:
        return arg
    try:
        from jutong.settings import load_settings

        settings_dir = load_settings().catalog_dir
    except Exception:  # no usable settings: fall back to the checkout's catalog
        return None
    return settings_dir if (settings_dir / "gongan" / "huji.yaml").is_file() else None


def handler(args: argparse.Namespace) -> int:
    from jutong.synth.generator import generate

    rates = DirtRates().with_overrides(**dict(args.rate))
    started = time.monotonic()

    def progress(msg: str) -> None:
        print(f"[{time.monotonic() - started:7.1f}s] {msg}", flush=True)

    try:
        result = generate(
            args.out,
            people=args.people,
            orgs=args.orgs,
            seed=args.seed,
            rates=rates,
            as_of=args.as_of,
            progress=None if args.quiet else progress,
            catalog_dir=_catalog_dir(args.catalog),
        )
    except (OSError, ValueError) as e:
        print(f"jutong synth: {e}", file=sys.stderr)
        return 1
    out = sys.stdout
    rows = [
        (d, n, str(result.extracts[d].relative_to(result.out_dir))) for d, n in result.rows.items()
    ]
    rows.append(("total", sum(result.rows.values()), ""))
    print(render(["dataset", "rows", "file"], rows, right=(1,)), file=out)
    print(
        f"{result.persons:,} persons, {result.orgs:,} organisations, seed {args.seed}, "
        f"as of {args.as_of.isoformat()}; truth in {result.truth['records'].parent}; "
        f"{time.monotonic() - started:.1f}s",
        file=out,
    )
    return 0
