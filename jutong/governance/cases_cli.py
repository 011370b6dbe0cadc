"""``jutong cases rules | show | overdue | sweep``: the case rules as tables, one case with its
deadlines and history, steps overdue or due soon and who owes them, and the SLA sweep by hand
(GX-Dispatch art. 29–30; LZ-Rules art. 26; GX-Reg art. 18 for correction tickets)."""

from __future__ import annotations

import datetime as dt

from jutong.governance.cli_common import day, fail, settings_, today, user_errors, when
from jutong.textable import render


def cmd_rules(args) -> int:
    from jutong.governance.cases.rules import FLOWS, rules_rows

    try:
        rows = rules_rows(args.flow)
    except ValueError as err:
        return fail("cases", err)
    for name in [args.flow] if args.flow else FLOWS:
        f = FLOWS[name]
        pauses = ", ".join(sorted(f.pausing)) or "no state"
        first = f.clocks.get(f.initial)
        due = f" ({first.party.value} {first.describe()}, {first.basis})" if first else ""
        print(f"{f.name}: {f.title}; opens in {f.initial}{due}; pauses in {pauses}")
    print(
        render(
            ["flow", "state", "event", "next", "party", "roles", "needs", "next deadline", "basis"],
            rows,
        )
    )
    return 0


def _due(k) -> str:
    """The due day, or the instant in Beijing time for a clock-hour deadline."""
    if k.due_at is not None:
        from jutong.workdays import CHINA_TZ

        return f"{k.due_at.replace(tzinfo=dt.UTC).astimezone(CHINA_TZ):%Y-%m-%d %H:%M}"
    return f"{k.due_on}{' (provisional 暂定)' if k.provisional else ''}"


def cmd_overdue(args) -> int:
    from jutong.governance.cases.clocks import clock_state
    from jutong.governance.cases.model import dumps
    from jutong.governance.cases.queries import open_clocks
    from jutong.governance.cases.rules import Party
    from jutong.workdays import WorkCalendar

    try:
        settings = settings_()
        calendar = WorkCalendar.from_catalog(settings)
        as_of = day(args.as_of) or today()
        # clock-hour deadlines (特急) are judged to the minute when no --as-of day is given
        now = None if args.as_of else dt.datetime.now(dt.UTC)
        found = []
        for case, clock in open_clocks(settings):
            st = clock_state(
                calendar,
                status=clock.status,
                due_on=clock.due_on,
                as_of=as_of,
                due_at=clock.due_at,
                now=now,
            )
            if st in ("overdue", "due") or (st == "due_soon" and not args.overdue_only):
                owed = case.party_department(Party(clock.party))
                found.append((case, clock, st, owed))
    except user_errors() as err:
        return fail("cases", err)
    if args.department:
        found = [f for f in found if f[3] == args.department]
    if args.json:
        print(
            dumps(
                [
                    {
                        "case": c.ref,
                        "step": k.state,
                        "owed_by": o,
                        "state": s,
                        "due_on": k.due_on,
                        "provisional": k.provisional,
                        "basis": k.basis,
                    }
                    for c, k, s, o in found
                ]
            )
        )
        return 0
    if not found:
        print(f"Nothing overdue or due soon as of {as_of}.")
        return 0
    rows = [
        (
            c.ref,
            k.state,
            k.label,
            o,
            s.upper() if s == "overdue" else s,
            _due(k),
            k.basis,
        )
        for c, k, s, o in found
    ]
    print(f"Steps overdue or due soon as of {as_of}:")
    print(render(["case", "step", "what", "owed by", "state", "due", "basis"], rows))
    return 0


def cmd_show(args) -> int:
    """Any case — share request, opening, correction ticket, review item — with its clocks
    and its history (the audit events whose subject is its reference)."""
    from jutong.governance.audit import events
    from jutong.governance.cases.model import dumps
    from jutong.governance.cases.queries import clocks_of, get_case
    from jutong.workdays import WorkCalendar

    try:
        settings = settings_()
        calendar = WorkCalendar.from_catalog(settings)
        as_of = day(args.as_of) or today()
        case = get_case(settings, args.ref)
        clocks = clocks_of(settings, case.ref)
        history = list(events(settings, subject=case.ref))
    except user_errors() as err:
        return fail("cases", err)
    if args.json:
        print(
            dumps(
                {
                    **case.to_dict(),
                    "clocks": [{**k.__dict__, "shown": k.shown(calendar, as_of)} for k in clocks],
                    "history": [e.to_dict() for e in history],
                }
            )
        )
        return 0
    print(f"{case.ref}  {case.title}")
    print(f"  kind       {case.kind}   flow {case.flow}   version {case.version}")
    print(f"  state      {case.state}{' (closed)' if case.closed else ''}")
    print(f"  requester  {case.requester}   provider {case.provider}   bureau {case.bureau}")
    print(f"  resource   {case.resource}")
    if clocks:
        print(f"  deadlines (as of {as_of}):")
        rows = [
            (k.state, k.label, k.party, k.started_on, k.shown(calendar, as_of), k.basis)
            for k in clocks
        ]
        head = ["step", "what", "owed by", "received", "clock", "basis"]
        for line in render(head, rows).splitlines():
            print("    " + line)
    print("  history:")
    rows = [
        (
            e.seq,
            e.at.isoformat(timespec="minutes"),
            f"{e.actor} ({e.role or '-'}@{e.department or '-'})",
            e.action.split(".", 1)[-1],
            " -> ".join(x for x in (e.data.get("from"), e.data.get("to")) if x),
            " · ".join(str(x) for x in (e.data.get("reason"), e.data.get("legal_basis")) if x),
        )
        for e in history
    ]
    head = ["#", "at (UTC)", "who", "what", "state", "reasons / basis"]
    for line in render(head, rows).splitlines():
        print("    " + line)
    return 0


def cmd_sweep(args) -> int:
    from jutong.governance.sla import sweep

    try:
        res = sweep(settings_(), now=when(args.at))
    except user_errors() as err:
        return fail("cases", err)
    print(res.summary())
    for r in res.reminders:
        print(f"  reminder   {r}")
    for e in res.escalations:
        print(f"  escalated  {e}")
    for p in res.reports:
        print(f"  report     {p}")
    return 0


def register(sub) -> None:
    c = sub.add_parser("cases", help="case rules, deadlines and overdue steps")
    cv = c.add_subparsers(dest="cases_command", metavar="VERB", required=True)
    cr = cv.add_parser("rules", help="print the transition tables with deadlines and articles")
    cr.add_argument(
        "--flow",
        help="region | city | liuzhou | open_conditional | open_on_request | complaint | "
        "catalog_update_* | catalog_offline* | data_offline* | ticket | review",
    )
    cr.set_defaults(func=cmd_rules)
    ch = cv.add_parser(
        "show", help="one case (SR-000001, T-000001, review:12, …): state, deadlines, history"
    )
    ch.add_argument("ref")
    ch.add_argument("--as-of", help="judge deadlines as of YYYY-MM-DD (default today, Beijing)")
    ch.add_argument("--json", action="store_true")
    ch.set_defaults(func=cmd_show)
    co = cv.add_parser("overdue", help="steps overdue or due soon, with who owes them")
    co.add_argument("--as-of")
    co.add_argument("--department", help="only steps this department owes")
    co.add_argument("--overdue-only", action="store_true")
    co.add_argument("--json", action="store_true")
    co.set_defaults(func=cmd_overdue)
    cs = cv.add_parser("sweep", help="reminders, escalations and overdue reports (the SLA DAG)")
    cs.add_argument("--at", help="sweep as of YYYY-MM-DD[THH:MM] Beijing time (default now)")
    cs.set_defaults(func=cmd_sweep)
