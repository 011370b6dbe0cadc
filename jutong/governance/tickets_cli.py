"""``jutong tickets list | resolve | extend | report-error``: correction tickets.

GX-Reg art. 18: the provider department verifies reported data within 5 working days,
extendable once by up to 5 more with its head's approval; every correction is traceable. Each
ticket is a case (``jutong cases show T-000001``); resolve and extend fire its events.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import hashlib
import json
import os
import sys

from jutong.textable import render


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def _settings():
    from jutong.settings import get_settings

    return get_settings()


def _user_errors() -> tuple[type[BaseException], ...]:
    from jutong.catalog.loader import CatalogError
    from jutong.governance.cases.actors import ActorError
    from jutong.governance.cases.model import CaseError
    from jutong.governance.tickets import TicketError
    from jutong.workdays import CalendarConfigError, CalendarRangeError

    return (
        TicketError,
        CaseError,
        ActorError,
        CalendarRangeError,
        CalendarConfigError,
        CatalogError,
    )


def _actor(text: str | None, settings):
    """``--as USER:ROLE@DEPARTMENT`` (who records the step), else None: the named person as
    the bureau's administrator (the case engine's embedded default)."""
    if not text:
        return None
    from jutong.catalog.loader import load_catalog
    from jutong.governance.cases.actors import parse_actor

    return parse_actor(text, load_catalog(settings.catalog_dir).departments)


def _fail(err: BaseException) -> int:
    msg = str(err).strip().splitlines()
    print(f"jutong tickets: {' / '.join(m.strip() for m in msg if m.strip())}", file=sys.stderr)
    return 1


def _as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of: '{text}' is not a date YYYY-MM-DD") from None


def _due_text(t) -> str:
    if t.due_on is None:
        return "none"
    text = t.due_on.isoformat() + (f" (+{t.extension_days})" if t.extension_days else "")
    return text + (" (provisional 暂定)" if t.due_provisional else "")


def _state(t, as_of: dt.date) -> str:
    if t.status == "resolved":
        return "resolved 已处理"
    if t.is_overdue(as_of):
        return f"OVERDUE 逾期 {(as_of - t.due_on).days}d"
    return "open 处理中"


def cmd_tickets(args) -> int:
    from jutong.governance.deadlines import provisional_count, recompute_provisional
    from jutong.governance.tickets import list_tickets, today_cn

    try:
        settings = _settings()
        as_of = _as_of(args.as_of) or today_cn()
        for r in recompute_provisional(settings):
            state = "still provisional" if r.provisional else "final"
            print(
                f"note: {r.subject}: deadline recomputed {r.was} -> {r.now} ({state})",
                file=sys.stderr,
            )
        if n := provisional_count(settings):
            print(
                f"warning: {n} open deadline(s) are provisional 暂定: they count days past the "
                "working-day calendar's data; enter the holiday arrangement in "
                "catalog/jurisdiction.yaml to make them final",
                file=sys.stderr,
            )
        tickets = list_tickets(
            settings,
            overdue=args.overdue,
            department=args.department,
            status=None if args.all else "open",
            as_of=as_of,
        )
    except argparse.ArgumentTypeError as err:
        return _fail(err)
    except _user_errors() as err:
        return _fail(err)
    if args.json:
        print(json.dumps([t.to_dict() for t in tickets], ensure_ascii=False, indent=2))
        return 0
    if not tickets:
        what = "overdue" if args.overdue else ("" if args.all else "open")
        print(f"No {what + ' ' if what else ''}correction tickets (as of {as_of}).")
        return 0
    rows = [
        (
            t.id,
            t.department,
            t.kind,
            t.subject if len(t.subject) <= 48 else t.subject[:47] + "…",
            t.received_on.isoformat(),
            _due_text(t),
            _state(t, as_of),
        )
        for t in tickets
    ]
    print(render(["id", "department", "kind", "subject", "received", "due", "status"], rows))
    print(f"{len(tickets)} ticket(s) as of {as_of}; deadlines in working days (GX-Reg art. 18).")
    return 0


def cmd_resolve(args) -> int:
    from jutong.governance.tickets import resolve_ticket

    try:
        settings = _settings()
        actor = _actor(args.as_, settings)
        by = args.by or (actor.user if actor else _os_user())
        t = resolve_ticket(settings, args.id, note=args.note, resolved_by=by, actor=actor)
    except _user_errors() as err:
        return _fail(err)
    print(f"{t.id} resolved by {t.resolved_by}: {t.resolution_note}")
    return 0


def cmd_extend(args) -> int:
    from jutong.governance.tickets import extend_ticket

    try:
        settings = _settings()
        t = extend_ticket(
            settings,
            args.id,
            days=args.days,
            approved_by=args.approved_by,
            reason=args.reason,
            actor=_actor(args.as_, settings),
        )
    except _user_errors() as err:
        return _fail(err)
    print(
        f"{t.id} extended by {t.extension_days} working day(s), approved by "
        f"{t.extension_approved_by}: now due {t.due_on} (GX-Reg art. 18)"
    )
    return 0


def cmd_report_error(args) -> int:
    from jutong.catalog.loader import load_catalog
    from jutong.governance.tickets import open_ticket

    by = args.by or _os_user()
    try:
        settings = _settings()
        catalog = load_catalog(settings.catalog_dir)
        try:
            entry = catalog.get(args.dataset)
        except KeyError as err:
            return _fail(ValueError(err.args[0]))
        digest = hashlib.sha256(args.note.strip().encode("utf-8")).hexdigest()[:12]
        row = "" if args.row is None else f":row={args.row}"
        t = open_ticket(
            settings,
            department=entry.department,
            kind="reported_error",
            subject=f"{entry.id}: reported error{'' if args.row is None else f' in row {args.row}'}",
            details={"dataset": entry.id, "row": args.row, "note": args.note, "reported_by": by},
            source_ref=f"reported_error:{entry.id}{row}:{digest}",
            opened_by=by,
            catalog=catalog,
        )
    except _user_errors() as err:
        return _fail(err)
    print(
        f"{t.id} opened for {t.department} ({catalog.department_name(t.department)}): "
        f"verify by {_due_text(t)} (GX-Reg art. 18)"
    )
    return 0


_AS_HELP = (
    "who records it: the provider's provider_staff or quality_owner, or the bureau's "
    "bureau_admin or quality_owner (default: the bureau's administrator; `jutong cases rules "
    "--flow ticket`)"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``jutong tickets`` and its commands to the top-level ``subparsers``."""
    p = subparsers.add_parser(
        "tickets", help="correction tickets (纠错工单): list, resolve, extend, report an error"
    )
    sub = p.add_subparsers(dest="tickets_cmd", metavar="COMMAND", required=True)
    tp = sub.add_parser("list", help="list correction tickets, open ones by default")
    tp.add_argument("--overdue", action="store_true", help="only open tickets past their due day")
    tp.add_argument("--department", help="only this provider department (id, e.g. gongan)")
    tp.add_argument("--all", action="store_true", help="include resolved tickets")
    tp.add_argument("--as-of", help="judge overdue as of this date (default: today, Beijing)")
    tp.add_argument("--json", action="store_true")
    tp.set_defaults(func=cmd_tickets)

    rp = sub.add_parser("resolve", help="record who fixed a ticket and how")
    rp.add_argument("id", help="ticket id, e.g. T-000123")
    rp.add_argument("--note", required=True, help="what was verified or corrected")
    rp.add_argument("--by", help="who resolved it (default: the --as user, else the OS user)")
    rp.add_argument("--as", dest="as_", metavar="USER:ROLE@DEPT", help=_AS_HELP)
    rp.set_defaults(func=cmd_resolve)

    ep = sub.add_parser(
        "extend", help="extend a ticket once by up to 5 working days (GX-Reg art. 18)"
    )
    ep.add_argument("id", help="ticket id, e.g. T-000123")
    ep.add_argument("--days", type=int, required=True, help="working days, 1–5")
    ep.add_argument("--approved-by", required=True, help="the department head who approved")
    ep.add_argument("--reason", required=True)
    ep.add_argument("--as", dest="as_", metavar="USER:ROLE@DEPT", help=_AS_HELP)
    ep.set_defaults(func=cmd_extend)

    xp = sub.add_parser(
        "report-error",
        help="record an error reported in a dataset; opens a ticket for its provider",
    )
    xp.add_argument("dataset", help="catalog id, e.g. gongan.huji")
    xp.add_argument("--note", required=True, help="what is wrong")
    xp.add_argument("--row", type=int, help="row number in the dataset, if known")
    xp.add_argument("--by", help="who reported it (default: the OS user)")
    xp.set_defaults(func=cmd_report_error)
