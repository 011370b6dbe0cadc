"""``jutong workdays add DATE N | between A B | check DATE…``: the working-day calendar."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from jutong.textable import render


def _calendar(args):
    from jutong.catalog.loader import load_catalog
    from jutong.settings import get_settings
    from jutong.workdays import WorkCalendar

    return WorkCalendar.from_catalog(load_catalog(args.catalog or get_settings().catalog_dir))


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def _run(fn, args) -> int:
    from jutong.catalog.loader import CatalogError
    from jutong.workdays import CalendarConfigError, CalendarRangeError

    try:
        return fn(args, _calendar(args))
    except (CalendarRangeError, CalendarConfigError, CatalogError, ValueError) as err:
        text = " / ".join(line.strip() for line in str(err).splitlines() if line.strip())
        print(f"jutong workdays: {text}", file=sys.stderr)
        return 1


def _add(args, cal) -> int:
    from jutong.workdays import deadline

    due = deadline(args.date, args.days, cal)
    print(
        f"{args.date} + {args.days} working day(s) = {due} ({due:%a}, {cal.describe(due)}); "
        "the day of receipt is not counted"
    )
    return 0


def _between(args, cal) -> int:
    n = cal.working_days_between(args.a, args.b)
    print(f"{n} working day(s) after {args.a} up to and including {args.b}")
    return 0


def _check(args, cal) -> int:
    rows = [
        (d.isoformat(), f"{d:%a}", "yes" if cal.is_working_day(d) else "no", cal.describe(d))
        for d in args.dates
    ]
    print(render(["date", "day", "working", "what"], rows))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "workdays", help="the working-day calendar (PRC statutory holidays + local additions)"
    )
    p.add_argument("--catalog", help="catalog folder (default: settings catalog_dir)")
    ws = p.add_subparsers(dest="workdays_cmd", required=True)
    ap = ws.add_parser("add", help="the due day N working days after DATE (DATE not counted)")
    ap.add_argument("date", type=_day)
    ap.add_argument("days", type=int)
    ap.set_defaults(func=lambda a: _run(_add, a))
    bp = ws.add_parser("between", help="working days after A up to and including B")
    bp.add_argument("a", type=_day)
    bp.add_argument("b", type=_day)
    bp.set_defaults(func=lambda a: _run(_between, a))
    cp = ws.add_parser("check", help="whether each DATE is a working day, and why")
    cp.add_argument("dates", type=_day, nargs="+")
    cp.set_defaults(func=lambda a: _run(_check, a))
