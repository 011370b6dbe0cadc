"""``jutong open …``: opening data to the public (GX-Open art. 15, 20, 22; GX-Dispatch art.
21–22, 27, 33–34, 39; LZ-Rules art. 14, 20–21).

Citizens and organisations act with their portal account (``--as 张三:public@zhangsan``, after
``jutong open account register``); staff as ``USER:ROLE@DEPARTMENT``. Every step is a case
(``jutong cases rules`` prints the flows with their deadlines and articles); ``--at`` records a
step entered late (Beijing time). Deadlines are working days on the PRC calendar, or clock hours
for 特急 (12 hours).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

from jutong.governance.cli_common import actor_, day, fail, settings_, today, user_errors, when
from jutong.textable import render

NOUN = "open"


def _ctx(args):
    from jutong.catalog.loader import load_catalog
    from jutong.workdays import WorkCalendar

    settings = settings_()
    catalog = load_catalog(settings.catalog_dir)
    return settings, catalog, WorkCalendar.from_catalog(catalog), actor_(args.as_, catalog)


def _print_case(settings, case, calendar) -> None:
    from jutong.governance.cases.queries import clocks_of

    running = [c for c in clocks_of(settings, case.ref) if c.status in ("running", "paused")]
    now = dt.datetime.now(dt.UTC)
    nxt = "; ".join(f"{c.label} by {c.party}: {c.shown(calendar, today(), now)}" for c in running)
    print(f"{case.ref}: {case.state}" + (f" · next: {nxt}" if nxt else ""))


def _errors():
    from jutong.catalog.releases import ReleaseError

    return (*user_errors(), ReleaseError)


def _run(args, do) -> int:
    try:
        settings, catalog, calendar, actor = _ctx(args)
        out = do(settings, catalog, calendar, actor)
    except _errors() as err:
        return fail(NOUN, err)
    if getattr(args, "json", False):
        from jutong.governance.cases.model import Case, dumps

        print(dumps(out.to_dict() if isinstance(out, Case) else out))
        return 0
    from jutong.governance.cases.model import Case

    if isinstance(out, Case):
        _print_case(settings, out, calendar)
    elif out is not None:
        print(out)
    return 0


# ---- requests ------------------------------------------------------------------------------


def cmd_account(args) -> int:
    from jutong.governance.opening.accounts import register_account

    def do(settings, catalog, calendar, actor):
        a = register_account(
            settings,
            args.id,
            kind=args.kind,
            name=args.name,
            uscc_code=args.uscc,
            contact=args.contact,
            by=str(actor),
            departments=catalog.departments,
        )
        return f"account {a.id}: {a.kind} {a.name}" + (f" ({a.uscc})" if a.uscc else "")

    return _run(args, do)


def cmd_request(args) -> int:
    from jutong.governance.opening.requests import request_on_demand, request_open

    def do(settings, catalog, calendar, actor):
        kw = dict(
            actor=actor,
            resource=args.resource,
            items=[x.strip() for x in args.items.split(",") if x.strip()],
            purpose=args.purpose,
            until=day(args.until),
            at=when(args.at),
            catalog=catalog,
            calendar=calendar,
        )
        if args.on_request:
            return request_on_demand(settings, **kw)
        return request_open(settings, urgency=args.urgency, **kw)

    return _run(args, do)


# verb -> {choice: event}; None: the verb is the event
STEPS: dict[str, tuple[dict[str, str] | None, str]] = {
    "review": (
        {"pass": "pass", "reject": "reject", "ask-info": "ask_info"},
        "information centre: normative review (GX-Open art. 20(2))",
    ),
    "answer": (
        {"approve": "approve", "refuse": "refuse", "ask-info": "ask_info"},
        "provider: answer a request (GX-Open art. 20(3); GX-Dispatch art. 33); refuse needs --basis",
    ),
    "approve": (
        {"approve": "approve", "reject": "reject", "overrule": "overrule"},
        "bureau: approve the provider's answer, reject it, or overrule a refusal (art. 20(4))",
    ),
    "supplement": (None, "requester: answer a request for information (the clock resumes)"),
    "withdraw": (None, "requester: withdraw the request"),
    "doubt": (None, "requester: raise a doubt within 2 wd of delivery (GX-Open art. 20(6))"),
    "fix": ({"answer": "answer"}, "provider: answer the quality check within 3 wd (art. 20(6))"),
    "close": (None, "requester: close a delivered request"),
    "coordinate": (None, "requester: ask the bureau to coordinate a refusal (GX-Dispatch art. 33)"),
    "settle": (
        {"grant": "grant", "uphold": "uphold"},
        "bureau: settle a coordination (GX-Dispatch art. 33)",
    ),
    "confirm": (
        None,
        "requester: confirm opened data; filed with the bureau (GX-Dispatch art. 34)",
    ),
}


def cmd_step(args) -> int:
    from jutong.governance.opening.deliveries import revoke_case
    from jutong.governance.opening.requests import act

    choices, _ = STEPS.get(args.verb, (None, ""))
    event = choices[args.choice] if choices else args.verb

    def do(settings, catalog, calendar, actor):
        if args.verb == "revoke":
            return revoke_case(
                settings,
                args.ref,
                actor=actor,
                basis=args.basis,
                reason=args.reason,
                at=when(args.at),
                calendar=calendar,
            )
        return act(
            settings,
            args.ref,
            event,
            actor=actor,
            reason=args.reason,
            basis=args.basis,
            at=when(args.at),
            calendar=calendar,
        )

    return _run(args, do)


def cmd_agreement(args) -> int:
    from jutong.governance.opening.agreements import agreement_text

    try:
        text = agreement_text(settings_(), args.version)
    except _errors() as err:
        return fail(NOUN, err)
    print(f"# version {text.version} · sha256 {text.sha256}\n")
    print(text.text)
    return 0


def cmd_agree(args) -> int:
    from jutong.governance.opening.agreements import accept

    def do(settings, catalog, calendar, actor):
        return accept(
            settings,
            args.ref,
            actor=actor,
            version=args.version,
            sha256=args.sha256,
            at=when(args.at),
            calendar=calendar,
        )

    return _run(args, do)


def cmd_deliver(args) -> int:
    from jutong.governance.opening.deliveries import deliver

    def do(settings, catalog, calendar, actor):
        d = deliver(
            settings,
            args.ref,
            actor=actor,
            method=args.method,
            release_id=args.release,
            at=when(args.at),
            calendar=calendar,
        )
        if args.json:
            return {
                "case": d.case.ref,
                "state": d.case.state,
                "delivery": d.delivery_id,
                "method": d.method,
                "valid_from": d.valid_from,
                "valid_until": d.valid_until,
                "api_key": d.token,
            }
        lines = [
            f"{d.case.ref}: {d.case.state} · {d.method} delivery valid {d.valid_from} to "
            f"{d.valid_until}"
        ]
        if d.token:
            lines.append(f"API key (shown once, give it to the requester): {d.token}")
        return "\n".join(lines)

    return _run(args, do)


def cmd_rate(args) -> int:
    from jutong.governance.opening.dimensions import DIMENSIONS
    from jutong.governance.opening.ratings import rate

    def do(settings, catalog, calendar, actor):
        scores = {d: getattr(args, d) for d in DIMENSIONS}
        row = rate(
            settings, args.ref, actor=actor, scores=scores, comment=args.comment, at=when(args.at)
        )
        if args.json:
            return row
        return f"{args.ref.upper()}: rated " + ", ".join(
            f"{v} {row[k]}" for k, v in DIMENSIONS.items()
        )

    return _run(args, do)


# ---- keys ----------------------------------------------------------------------------------


def cmd_key(args) -> int:
    from jutong.governance.opening import keys
    from jutong.governance.opening.deliveries import reissue_key

    def do(settings, catalog, calendar, actor):
        if args.key_command == "issue":
            token = reissue_key(settings, args.ref, actor=actor, at=when(args.at))
            return {"api_key": token} if args.json else f"API key (shown once): {token}"
        if args.key_command == "revoke":
            keys.revoke(settings, args.key_id, actor=actor, reason=args.reason, at=when(args.at))
            return f"key {args.key_id}: revoked"
        rows = keys.keys_of(settings, args.ref)
        if args.json:
            return rows
        if not rows:
            return f"{args.ref.upper()}: no API keys"
        return render(
            ["key", "status", "dataset", "valid from", "until", "issued (UTC)", "last used"],
            [
                (
                    r["key_id"],
                    r["status"],
                    r["resource"],
                    r["valid_from"],
                    r["valid_until"],
                    f"{r['issued_at']:%Y-%m-%d %H:%M}",
                    f"{r['last_used_at']:%Y-%m-%d %H:%M}" if r["last_used_at"] else "",
                )
                for r in rows
            ],
        )

    return _run(args, do)


def cmd_key_check(args) -> int:
    """The check the API and the portal make: exit 0 when the key may be used."""
    from jutong.governance.opening import keys

    try:
        res = keys.check_key(settings_(), args.token, dataset=args.dataset, at=when(args.at))
    except _errors() as err:
        return fail(NOUN, err)
    if args.json:
        from jutong.governance.cases.model import dumps

        print(dumps({**res.__dict__, "ok": res.ok}))
    else:
        print(f"{res.status} {res.reason}" + (f" ({res.case_ref})" if res.case_ref else ""))
    return 0 if res.ok else 1


# ---- complaints ----------------------------------------------------------------------------


def cmd_complaint(args) -> int:
    from jutong.governance.opening import complaints

    def do(settings, catalog, calendar, actor):
        if args.complaint_command == "file":
            case = complaints.file_complaint(
                settings,
                actor=actor,
                release_id=args.release,
                grounds=args.grounds,
                evidence=args.evidence,
                at=when(args.at),
                catalog=catalog,
                calendar=calendar,
            )
            if not args.json:
                print(f"release {args.release}: suspended (GX-Open art. 22)")
            return case
        return complaints.decide(
            settings,
            args.ref,
            args.complaint_command,
            actor=actor,
            reason=args.reason,
            at=when(args.at),
            calendar=calendar,
        )

    return _run(args, do)


# ---- catalog and data lifecycle ------------------------------------------------------------


def cmd_lifecycle(args) -> int:
    from jutong.governance.opening import lifecycle

    def do(settings, catalog, calendar, actor):
        kw = dict(actor=actor, at=when(args.at), catalog=catalog, calendar=calendar)
        if args.lifecycle_command == "change":
            return lifecycle.report_change(
                settings,
                resource=args.resource,
                change=args.change,
                changed_on=day(args.changed_on),
                **kw,
            )
        if args.lifecycle_command == "catalog-offline":
            return lifecycle.apply_catalog_offline(
                settings, resource=args.resource, reason=args.reason, **kw
            )
        if args.lifecycle_command == "data-offline":
            return lifecycle.apply_data_offline(
                settings,
                resource=args.resource,
                reason=args.reason,
                basis=args.basis,
                planned_on=day(args.planned_on),
                **kw,
            )
        return lifecycle.decide(
            settings,
            args.ref,
            args.event.replace("-", "_"),
            actor=actor,
            reason=args.reason,
            basis=args.basis,
            at=when(args.at),
            calendar=calendar,
        )

    return _run(args, do)


def cmd_notices(args) -> int:
    from jutong.governance.opening.notices import all_notices, notices_in_force

    try:
        settings = settings_()
        as_of = day(args.as_of) or today()
        found = all_notices(settings) if args.all else notices_in_force(settings, as_of)
    except _errors() as err:
        return fail(NOUN, err)
    if args.json:
        from jutong.governance.cases.model import dumps

        print(dumps([n.to_dict() for n in found]))
        return 0
    if not found:
        print(f"No notices in force on {as_of}." if not args.all else "No notices.")
        return 0
    rows = [
        (
            n.id,
            n.title,
            n.department,
            n.starts_on,
            f"{n.ends_on}{' (provisional 暂定)' if n.provisional else ''}",
            n.period,
            n.basis,
            "withdrawn" if n.withdrawn_at else "",
        )
        for n in found
    ]
    print(render(["#", "notice", "by", "from", "until", "period", "basis", ""], rows))
    return 0


# ---- reading -------------------------------------------------------------------------------

KINDS = (
    "open_request",
    "open_on_request",
    "complaint",
    "catalog_update",
    "catalog_offline",
    "data_offline",
)


def _departments(case) -> set[str]:
    return {case.requester, case.provider, case.bureau, case.data.get("centre") or case.bureau}


def _visible(settings, actor) -> set[str] | None:
    """None: every case; else the departments whose cases ``actor`` sees (roles.yaml
    ``open.read``); no permission at all is refused and audited."""
    from jutong.governance.access import authorize, load_policies, visible_departments

    policies = load_policies(settings.catalog_dir)
    seen = visible_departments(policies, actor, "open.read")
    if seen == set():
        authorize(settings, actor, "open.read", subject="open list", policies=policies)
    return seen


def cmd_list(args) -> int:
    from jutong.governance.cases.queries import list_cases

    def do(settings, catalog, calendar, actor):
        found = []
        for kind in [args.kind] if args.kind else KINDS:
            found += list_cases(settings, kind=kind, open_only=not args.all)
        if actor.is_public:  # an account sees its own cases only
            found = [c for c in found if c.requester == actor.department]
        else:
            seen = _visible(settings, actor)
            if seen is not None:
                found = [c for c in found if seen & _departments(c)]
        found.sort(key=lambda c: c.ref)
        if args.json:
            return [c.to_dict() for c in found]
        if not found:
            return "No cases" + ("" if args.all else " open") + "."
        return render(
            ["case", "kind", "state", "requester", "provider", "resource", "urgency", "opened"],
            [
                (
                    c.ref,
                    c.kind,
                    c.state,
                    c.requester,
                    c.provider,
                    c.resource,
                    c.data.get("urgency", ""),
                    c.opened_at.date(),
                )
                for c in found
            ],
        )

    return _run(args, do)


def cmd_show(args) -> int:
    from jutong.governance.audit import events
    from jutong.governance.cases.model import CaseError
    from jutong.governance.cases.queries import clocks_of, get_case

    def do(settings, catalog, calendar, actor):
        case = get_case(settings, args.ref)
        if case.kind not in KINDS:
            raise CaseError(f"{case.ref}: is a {case.kind} (see jutong share show)")
        if actor.is_public and case.requester != actor.department:
            raise CaseError(f"{case.ref}: not a case of account {actor.department}")
        if not actor.is_public:
            from jutong.governance.access import authorize

            authorize(
                settings,
                actor,
                "open.read",
                departments=sorted(_departments(case)),
                subject=case.ref,
            )
        clocks = clocks_of(settings, case.ref)
        history = list(events(settings, subject=case.ref))
        if args.json:
            return {
                **case.to_dict(),
                "clocks": [c.__dict__ for c in clocks],
                "history": [e.to_dict() for e in history],
            }
        lines = [
            f"{case.ref}  {case.title}",
            f"  kind {case.kind} · flow {case.flow} · state {case.state}"
            + (" (closed)" if case.closed else ""),
            f"  requester {case.requester} · provider {case.provider} · bureau {case.bureau}",
            "  data "
            + json.dumps(
                {k: v for k, v in case.data.items() if k != "subscribers"},
                ensure_ascii=False,
                default=str,
            ),
        ]
        if clocks:
            lines.append("  deadlines:")
            rows = [
                (c.state, c.label, c.party, c.started_on, c.shown(calendar, today()), c.basis)
                for c in clocks
            ]
            lines += [
                "    " + x
                for x in render(
                    ["step", "what", "owed by", "received", "clock", "basis"], rows
                ).splitlines()
            ]
        lines.append("  history:")
        rows = [
            (
                e.seq,
                e.at.isoformat(timespec="minutes"),
                f"{e.actor} ({e.role}@{e.department})",
                e.action.split(".", 1)[-1],
                " · ".join(str(x) for x in (e.data.get("reason"), e.data.get("legal_basis")) if x),
            )
            for e in history
        ]
        lines += [
            "    " + x
            for x in render(["#", "at (UTC)", "who", "what", "reasons / basis"], rows).splitlines()
        ]
        return "\n".join(lines)

    return _run(args, do)


# ---- parser --------------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser, at: bool = True) -> None:
    p.add_argument("--as", dest="as_", metavar="USER:ROLE@DEPT", help="act as (default $JUTONG_AS)")
    if at:
        p.add_argument("--at", help="when: YYYY-MM-DD[THH:MM] Beijing time (default now)")
    p.add_argument("--json", action="store_true")


def register(sub) -> None:
    p = sub.add_parser(
        "open",
        help="opening data to the public: requests, agreements, keys, complaints, notices",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = p.add_subparsers(dest="open_command", metavar="VERB", required=True)

    a = verbs.add_parser("account", help="portal accounts of citizens and organisations")
    av = a.add_subparsers(dest="account_command", metavar="VERB", required=True)
    ar = av.add_parser("register", help="register an account (数据使用主体)")
    ar.add_argument("id", help="account id, e.g. zhangsan")
    ar.add_argument("--kind", required=True, choices=("person", "organisation"))
    ar.add_argument("--name", required=True)
    ar.add_argument("--uscc", help="organisations: unified social credit code (GB 32100)")
    ar.add_argument("--contact")
    _common(ar, at=False)
    ar.set_defaults(func=cmd_account)

    r = verbs.add_parser("request", help="requester: ask for a conditional-open entry's data")
    r.add_argument("resource", help="catalog entry id, e.g. ziranziyuan.zongdi")
    r.add_argument("--items", required=True, help="item names or labels, comma-separated")
    r.add_argument("--purpose", required=True, help="what the data is for (GX-Open art. 20(1))")
    r.add_argument("--until", required=True, help="end of the period of use YYYY-MM-DD")
    r.add_argument(
        "--urgency",
        default="normal",
        help="normal | urgent (加急) | most-urgent (特急) (GX-Open art. 20)",
    )
    r.add_argument(
        "--on-request",
        action="store_true",
        help="on-request opening instead (依申请开放, GX-Dispatch art. 33)",
    )
    _common(r)
    r.set_defaults(func=cmd_request)

    for verb, (choices, help_) in STEPS.items():
        v = verbs.add_parser(verb, help=help_)
        v.add_argument("ref", help="the case, e.g. OR-000001")
        if choices and len(choices) > 1:
            v.add_argument("choice", choices=sorted(choices))
        elif choices:
            v.set_defaults(choice=next(iter(choices)))
        v.add_argument("--reason")
        v.add_argument("--basis", help="legal basis (required for a refusal)")
        _common(v)
        v.set_defaults(func=cmd_step, verb=verb)
    rv = verbs.add_parser("revoke", help="provider: revoke a delivery and its keys (--basis)")
    rv.add_argument("ref")
    rv.add_argument("--reason")
    rv.add_argument("--basis", help="legal basis (required)")
    _common(rv)
    rv.set_defaults(func=cmd_step, verb="revoke")

    ag = verbs.add_parser("agreement", help="print the data-use agreement in force")
    ag.add_argument("--version")
    ag.set_defaults(func=cmd_agreement)
    ay = verbs.add_parser("agree", help="requester: accept the data-use agreement (art. 20(5))")
    ay.add_argument("ref")
    ay.add_argument(
        "--version", required=True, help="the version read (see `jutong open agreement`)"
    )
    ay.add_argument("--sha256", help="the SHA-256 of the text read")
    _common(ay)
    ay.set_defaults(func=cmd_agree)

    d = verbs.add_parser("deliver", help="provider: deliver by download or API key")
    d.add_argument("ref")
    d.add_argument("--method", required=True, choices=("download", "api"))
    d.add_argument("--release", help="the release of the entry delivered (optional)")
    _common(d)
    d.set_defaults(func=cmd_deliver)

    rt = verbs.add_parser(
        "rate", help="requester: rate the six quality dimensions 1–5 (art. 20(7))"
    )
    rt.add_argument("ref")
    from jutong.governance.opening.dimensions import DIMENSIONS

    for dim, label in DIMENSIONS.items():
        rt.add_argument(f"--{dim}", type=int, required=True, help=f"{label} 1–5")
    rt.add_argument("--comment")
    _common(rt)
    rt.set_defaults(func=cmd_rate)

    k = verbs.add_parser("key", help="API keys: issue | revoke | list | check")
    kv = k.add_subparsers(dest="key_command", metavar="VERB", required=True)
    ki = kv.add_parser("issue", help="provider: a new key for a case's API delivery")
    ki.add_argument("ref")
    _common(ki)
    kr = kv.add_parser("revoke", help="revoke a key (its account, the provider or the bureau)")
    kr.add_argument("key_id")
    kr.add_argument("--reason", required=True)
    _common(kr)
    kl = kv.add_parser("list", help="the keys of a case (never their secrets)")
    kl.add_argument("ref")
    _common(kl, at=False)
    for x in (ki, kr, kl):
        x.set_defaults(func=cmd_key)
    kc = kv.add_parser("check", help="check a key (exit 0 when usable; prints status and reason)")
    kc.add_argument("token")
    kc.add_argument("--dataset", help="catalog entry or release id asked for")
    kc.add_argument("--at")
    kc.add_argument("--json", action="store_true")
    kc.set_defaults(func=cmd_key_check)

    c = verbs.add_parser("complaint", help="complaints about opened data (GX-Open art. 22)")
    cv = c.add_subparsers(dest="complaint_command", metavar="VERB", required=True)
    cf = cv.add_parser("file", help="anyone: file a complaint; the release is suspended at once")
    cf.add_argument("release")
    cf.add_argument("--grounds", required=True, choices=("privacy", "trade_secret", "other"))
    cf.add_argument("--evidence", required=True)
    _common(cf)
    cf.set_defaults(func=cmd_complaint)
    for verb, help_ in (
        ("verify", "open-data staff: record the verification"),
        ("withdraw", "withdraw the release"),
        ("restore", "restore the release (the complaint was unfounded)"),
        ("reprocess", "withdraw it until it is reprocessed and rebuilt"),
        ("reopen", "after the new build: close the complaint"),
    ):
        x = cv.add_parser(verb, help=help_)
        x.add_argument("ref")
        x.add_argument("--reason")
        _common(x)
        x.set_defaults(func=cmd_complaint)

    lc = verbs.add_parser("catalog", help="catalog and data lifecycle (目录更新, 下线)")
    lv = lc.add_subparsers(dest="lifecycle_command", metavar="VERB", required=True)
    ch = lv.add_parser("change", help="a change of law or mandate: update within 10/15 wd")
    ch.add_argument("resource")
    ch.add_argument("--change", required=True)
    ch.add_argument("--changed-on", help="the day it took effect (default today)")
    co = lv.add_parser("catalog-offline", help="provider: apply to take an entry offline")
    co.add_argument("resource")
    co.add_argument("--reason", required=True)
    do = lv.add_parser("data-offline", help="provider: apply to take an entry's data offline")
    do.add_argument("resource")
    do.add_argument("--reason", required=True)
    do.add_argument("--basis", help="legal or policy basis (Liuzhou: required)")
    do.add_argument("--planned-on", help="planned offline day, ≥ 30 wd ahead (GX-Dispatch art. 27)")
    st = lv.add_parser("step", help="approve | reject | keep | withdraw | remove | take-offline …")
    st.add_argument("ref")
    st.add_argument(
        "event",
        choices=(
            "approve",
            "reject",
            "keep",
            "withdraw",
            "remove",
            "take-offline",
            "update",
            "cancel",
        ),
    )
    st.add_argument("--reason")
    st.add_argument("--basis")
    for x in (ch, co, do, st):
        _common(x)
        x.set_defaults(func=cmd_lifecycle)

    n = verbs.add_parser("notices", help="public notices in force (the portal's list)")
    n.add_argument("--as-of", help="YYYY-MM-DD (default today)")
    n.add_argument("--all", action="store_true", help="every notice, with withdrawn ones")
    n.add_argument("--json", action="store_true")
    n.set_defaults(func=cmd_notices)

    ls = verbs.add_parser("list", help="opening cases (open ones; --all for every one)")
    ls.add_argument("--kind", choices=KINDS)
    ls.add_argument("--all", action="store_true")
    _common(ls, at=False)
    ls.set_defaults(func=cmd_list)
    sh = verbs.add_parser("show", help="one case: data, deadlines, history")
    sh.add_argument("ref")
    _common(sh, at=False)
    sh.set_defaults(func=cmd_show)
