"""``jutong share …``: share requests between departments (GX-Dispatch art. 29–30, LZ-Rules
art. 26); ``jutong cases …`` shows the rules, clocks and overdue steps behind them.

Every verb acts as a user (``--as USER:ROLE@DEPARTMENT``; default: the ``JUTONG_AS``
environment variable, else the operating-system user as bureau administrator) on a day
(``--at``, default now; for records entered late). Deadlines are in working days on the PRC
calendar (``jutong workdays``); past the calendar's data they are marked provisional.
"""

from __future__ import annotations

import argparse

from jutong.governance.cli_common import (
    actor_,
    day,
    fail,
    settings_,
    today,
    user_errors,
    when,
)
from jutong.textable import render

# verb -> (event, help); `review` and `decide` take the event as their first argument
VERBS: dict[str, tuple[str | None, str]] = {
    "review": (None, "bureau: pass | reject | ask-info (normative review, GX-Dispatch art. 29(2))"),
    "decide": (None, "provider: approve | refuse --basis … | ask-info (art. 29(3))"),
    "push": ("push", "bureau: push the answer to the requester (art. 29(4))"),
    "supplement": ("supplement", "requester: answer a request for information (clock resumes)"),
    "subscribe": ("subscribe", "requester: subscribe to a granted request"),
    "doubt": ("doubt", "requester: raise a doubt about delivered data (art. 29(5), art. 40)"),
    "fix": ("fix", "provider: answer and fix a doubt (art. 29(5))"),
    "feedback": ("feedback", "requester: usage feedback (city flow, art. 30)"),
    "appeal": ("appeal", "requester: appeal a refusal (art. 37)"),
    "coordinate": (None, "bureau: grant | uphold an appeal (art. 37)"),
    "suspend": ("suspend", "bureau: suspend a requester that misuses data (art. 45)"),
    "reinstate": ("reinstate", "bureau: lift a suspension"),
    "revoke": ("revoke", "provider: withdraw shared data through the bureau (art. 41)"),
    "withdraw": ("withdraw", "requester: withdraw the request"),
}
KIND_LABELS = {
    "dataset": "部门数据 dataset",
    "base": "基础库 base",
    "theme": "主题库 theme",
}
CHOICES = {
    "review": {"pass": "pass", "reject": "reject", "ask-info": "ask_info"},
    "decide": {"approve": "approve", "refuse": "refuse", "ask-info": "ask_info"},
    "coordinate": {"grant": "grant", "uphold": "uphold"},
}


def _show(settings, case, calendar, as_of, *, as_json: bool) -> None:
    from jutong.governance.audit import events
    from jutong.governance.cases.model import dumps
    from jutong.governance.cases.queries import clocks_of

    clocks = clocks_of(settings, case.ref)
    history = list(events(settings, subject=case.ref))
    if as_json:
        print(
            dumps(
                {
                    **case.to_dict(),
                    "clocks": [c.__dict__ for c in clocks],
                    "history": [e.to_dict() for e in history],
                }
            )
        )
        return
    d = case.data
    print(f"{case.ref}  {case.title}")
    print(f"  state      {case.state}{' (closed)' if case.closed else ''}   flow {case.flow}")
    print(f"  resource   {case.resource} ({d.get('share_type')}), items {', '.join(d['items'])}")
    print(f"  requester  {case.requester}   provider {case.provider}   bureau {case.bureau}")
    print(f"  purpose    {d.get('purpose')}   method {d.get('method')}   until {d.get('until')}")
    if clocks:
        print("  deadlines:")
        rows = [
            (c.state, c.label, c.party, c.started_on, c.shown(calendar, as_of), c.basis)
            for c in clocks
        ]
        for line in render(
            ["step", "what", "owed by", "received", "clock", "basis"], rows
        ).splitlines():
            print("    " + line)
    print("  history:")
    rows = [
        (
            e.seq,
            e.at.isoformat(timespec="minutes"),
            f"{e.actor} ({e.role}@{e.department})",
            e.action.split(".", 1)[-1],
            " · ".join(x for x in (e.data.get("reason"), e.data.get("legal_basis")) if x),
        )
        for e in history
    ]
    for line in render(["#", "at (UTC)", "who", "what", "reasons / basis"], rows).splitlines():
        print("    " + line)


def cmd_request(args) -> int:
    from jutong.catalog.loader import load_catalog
    from jutong.governance.sharing.requests import request_share
    from jutong.workdays import WorkCalendar

    try:
        settings = settings_()
        catalog = load_catalog(settings.catalog_dir)
        calendar = WorkCalendar.from_catalog(catalog)
        case = request_share(
            settings,
            actor=actor_(args.as_, catalog),
            resource=args.resource,
            items=[x.strip() for x in args.items.split(",") if x.strip()],
            purpose=args.purpose,
            until=day(args.until),
            method=args.method,
            at=when(args.at),
            catalog=catalog,
            calendar=calendar,
        )
    except user_errors() as err:
        return fail("share", err)
    if args.json:
        from jutong.governance.cases.model import dumps

        print(dumps(case.to_dict()))
        return 0
    print(f"{case.ref}: {case.state} ({case.flow} flow)")
    _show(settings, case, calendar, today(), as_json=False)
    return 0


def cmd_verb(args) -> int:
    from jutong.catalog.loader import load_catalog
    from jutong.governance.cases.engine import fire
    from jutong.workdays import WorkCalendar

    event = VERBS[args.verb][0] or CHOICES[args.verb][args.choice]
    try:
        settings = settings_()
        catalog = load_catalog(settings.catalog_dir)
        calendar = WorkCalendar.from_catalog(catalog)
        case = fire(
            settings,
            args.ref,
            event,
            actor=actor_(args.as_, catalog),
            reason=args.reason,
            basis=args.basis,
            at=when(args.at),
            calendar=calendar,
            kind="share_request",
        )
    except user_errors() as err:
        return fail("share", err)
    if args.json:
        from jutong.governance.cases.model import dumps

        print(dumps(case.to_dict()))
        return 0
    from jutong.governance.cases.queries import clocks_of

    running = [c for c in clocks_of(settings, case.ref) if c.status in ("running", "paused")]
    nxt = "; ".join(f"{c.label} by {c.party}: {c.shown(calendar, today())}" for c in running)
    print(f"{case.ref}: {event} -> {case.state}" + (f" · next: {nxt}" if nxt else ""))
    return 0


def cmd_list(args) -> int:
    from jutong.catalog.loader import load_catalog
    from jutong.governance.access import authorize, load_policies, visible_departments
    from jutong.governance.cases.model import dumps
    from jutong.governance.cases.queries import list_cases

    try:
        settings = settings_()
        catalog = load_catalog(settings.catalog_dir)
        actor = actor_(args.as_, catalog)
        policies = load_policies(settings.catalog_dir)
        seen = visible_departments(policies, actor, "share.read")
        department = args.department
        if seen is not None:  # own scope: only its department's requests
            if department and department not in seen or not seen:
                authorize(
                    settings,
                    actor,
                    "share.read",
                    departments=[department or "-"],
                    subject="share list",
                    policies=policies,
                )
            department = actor.department
        cases = list_cases(
            settings,
            kind="share_request",
            department=department,
            state=args.state,
            open_only=not args.all,
        )
    except user_errors() as err:
        return fail("share", err)
    if args.json:
        print(dumps([c.to_dict() for c in cases]))
        return 0
    if not cases:
        print("No share requests" + ("" if args.all else " open") + ".")
        return 0
    rows = [
        (
            c.ref,
            c.state,
            c.requester,
            c.provider,
            c.resource,
            len(c.data["items"]),
            c.opened_at.date(),
        )
        for c in cases
    ]
    print(
        render(
            ["case", "state", "requester", "provider", "resource", "items", "opened"],
            rows,
            right=(5,),
        )
    )
    return 0


def cmd_resources(args) -> int:
    """The share list (共享目录): every department's catalog entry and the bureau's base and
    theme resources, with share type, method, provider and the table a delivery reads."""
    import json

    from jutong.catalog.loader import load_catalog

    try:
        catalog = load_catalog(settings_().catalog_dir)
    except user_errors() as err:
        return fail("share", err)
    listed = [
        r
        for r in catalog.share_list()
        if (args.kind is None or r.kind == args.kind)
        and (args.department is None or r.department == args.department)
    ]
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "title": r.title,
                        "kind": r.kind,
                        "provider": r.department,
                        "share_type": r.share.type.value,
                        "method": r.share.method,
                        "legal_basis": r.share.legal_basis,
                        "source_table": r.source_table,
                        "items": [{"name": i.name, "label": i.label} for i in r.items],
                    }
                    for r in listed
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    rows = [
        (
            r.id,
            r.title,
            catalog.department_name(r.department),
            KIND_LABELS[r.kind],
            f"{r.share.type.label} {r.share.type.value}",
            r.share.method,
            len(r.items),
            r.source_table,
        )
        for r in listed
    ]
    print(
        render(
            ["id", "title 名称", "provider 提供", "kind", "share 共享", "method", "items", "reads"],
            rows,
            right=(6,),
        )
    )
    print(
        f"\n{len(rows)} resource(s) on the share list; ask with `jutong share request ID "
        "--items … --purpose …` (不予共享 ones are refused with their legal basis)"
    )
    return 0


def cmd_show(args) -> int:
    from jutong.catalog.loader import load_catalog
    from jutong.governance.access import authorize
    from jutong.governance.cases.queries import get_case
    from jutong.workdays import WorkCalendar

    try:
        settings = settings_()
        catalog = load_catalog(settings.catalog_dir)
        actor = actor_(args.as_, catalog)
        case = get_case(settings, args.ref)
        authorize(
            settings,
            actor,
            "share.read",
            departments=[case.requester, case.provider],
            subject=case.ref,
        )
        calendar = WorkCalendar.from_catalog(catalog)
        _show(settings, case, calendar, day(args.as_of) or today(), as_json=args.json)
    except user_errors() as err:
        return fail("share", err)
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--as",
        dest="as_",
        metavar="USER:ROLE@DEPT",
        help="act as this user (default $JUTONG_AS, else bureau admin)",
    )
    p.add_argument("--at", help="when it happened: YYYY-MM-DD[THH:MM] Beijing time (default now)")
    p.add_argument("--json", action="store_true")


def register(sub) -> None:
    p = sub.add_parser(
        "share",
        help="share requests between departments (GX-Dispatch art. 29)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = p.add_subparsers(dest="share_command", metavar="VERB", required=True)

    rs = verbs.add_parser(
        "resources", help="the share list: department datasets and the bureau's base/theme ones"
    )
    rs.add_argument("--kind", choices=sorted(KIND_LABELS))
    rs.add_argument("--department", help="provided by this department")
    rs.add_argument("--json", action="store_true")
    rs.set_defaults(func=cmd_resources)

    r = verbs.add_parser("request", help="requester: ask for items of a resource on the share list")
    r.add_argument(
        "resource",
        help="what is asked for: a catalog entry (gongan.huji) or a resource of the bureau "
        "(base.population, theme.ss_insurance_coverage): jutong share resources",
    )
    r.add_argument("--items", required=True, help="item names or labels, comma-separated")
    r.add_argument("--purpose", required=True, help="what the data is used for (GX-Reg art. 38)")
    r.add_argument("--until", help="end of use YYYY-MM-DD")
    r.add_argument("--method", choices=("file", "api"))
    _common(r)
    r.set_defaults(func=cmd_request)

    for verb, (event, help_) in VERBS.items():
        v = verbs.add_parser(verb, help=help_)
        v.add_argument("ref", help="the case, e.g. SR-000001")
        if event is None:
            v.add_argument("choice", choices=sorted(CHOICES[verb]))
        v.add_argument("--reason", help="reasons (required for refusals, doubts, appeals…)")
        v.add_argument("--basis", help="legal basis (required for a refusal or revocation)")
        _common(v)
        v.set_defaults(func=cmd_verb, verb=verb)

    ls = verbs.add_parser("list", help="share requests (open ones; --all for every one)")
    ls.add_argument("--department", help="requested or provided by this department")
    ls.add_argument("--state")
    ls.add_argument("--all", action="store_true")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--as", dest="as_", metavar="USER:ROLE@DEPT")
    ls.set_defaults(func=cmd_list)

    sh = verbs.add_parser("show", help="one request: items, deadlines, history")
    sh.add_argument("ref")
    sh.add_argument("--as-of", help="show clocks as of this day (default today)")
    sh.add_argument("--json", action="store_true")
    sh.add_argument("--as", dest="as_", metavar="USER:ROLE@DEPT")
    sh.set_defaults(func=cmd_show)
