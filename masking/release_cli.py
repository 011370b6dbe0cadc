"""``jutong release build|list|show|suspend|withdraw|restore`` (GX-Open art. 16, 19, 22)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from jutong.settings import get_settings
from jutong.textable import render


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "release",
        help="open-data releases: build, list, show, suspend, withdraw, restore",
        description="Desensitized, anonymity-checked open-data releases (GX-Open art. 16, 19, "
        "22). Definitions: <catalog>/releases/<id>.yaml.",
    )
    sub = p.add_subparsers(dest="release_command", required=True)

    b = sub.add_parser("build", help="build, gate and publish a new version of a release")
    b.add_argument("release", metavar="DATASET", help="release id (see `jutong release list`)")
    b.add_argument("--as-of", type=_date, default=None, help="reference date (ages), default today")
    b.add_argument("--actor", default=None, help="who builds it (default: the user)")
    b.add_argument(
        "--demo-key",
        action="store_true",
        help="create a random local pseudonym key for this release if none exists (demo only)",
    )
    b.set_defaults(func=cmd_build)

    ls = sub.add_parser("list", help="releases with status, latest version, rows and folder")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    s = sub.add_parser("show", help="a release's definition, versions and recorded actions")
    s.add_argument("release", metavar="RELEASE")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

    for action, text in (
        ("suspend", "stop serving a release at once on a complaint (GX-Open art. 22)"),
        ("withdraw", "withdraw a suspended release after verification (GX-Open art. 22)"),
        ("restore", "serve a suspended release again (complaint unfounded)"),
    ):
        a = sub.add_parser(action, help=text)
        a.add_argument("release", metavar="RELEASE")
        a.add_argument("--reason", required=True, help="why (recorded with actor and time)")
        a.add_argument("--actor", default=None, help="who (default: the user)")
        a.set_defaults(func=cmd_transition, action=action)


def _fail(msg: str) -> int:
    print(f"jutong release: {msg}", file=sys.stderr)
    return 1


def cmd_build(args) -> int:
    from jutong.catalog.releases import ReleaseError, get_definition
    from jutong.governance.releases import ReleaseRefused
    from masking.keys import KeyError_, ensure_demo_key
    from masking.policies import PolicyError
    from masking.release import build_release

    settings = get_settings()
    try:
        if args.demo_key:
            ensure_demo_key(settings, get_definition(settings, args.release).purpose)
        res = build_release(settings, args.release, as_of=args.as_of, actor=args.actor)
    except ReleaseRefused as exc:
        return _fail(f"refused: {exc}")
    except (ReleaseError, PolicyError, KeyError_) as exc:
        return _fail(str(exc))
    print(res.summary())
    anon = res.report.get("anonymity", {})
    if anon.get("method") == "k-anonymity":
        print(
            f"  k-anonymity k={anon['k']}: {anon['rows_suppressed']} rows suppressed, "
            f"smallest class {anon['smallest_class']}, generalization {anon['generalization']}"
        )
    elif anon:
        print(
            f"  cells: {anon['cells']}, suppressed below {anon['threshold']}: "
            f"{anon['primary']} primary + {anon['secondary']} secondary"
        )
    print(f"  residual PII scan: {'passed' if res.report['residual_scan']['passed'] else 'FAILED'}")
    return 0


def cmd_list(args) -> int:
    from masking.release import list_releases

    rows = list_releases(get_settings())
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    print(
        render(
            ["release", "title", "status", "version", "rows", "folder"],
            [
                (
                    r["release_id"],
                    r["title"],
                    r["status"],
                    f"v{r['version']}" if r["version"] else "-",
                    r["rows"] if r["rows"] is not None else "-",
                    r["path"] or "-",
                )
                for r in rows
            ],
            right=(4,),
        )
    )
    return 0


def cmd_show(args) -> int:
    from jutong.catalog.releases import ReleaseError
    from masking.release import release_info

    try:
        info = release_info(get_settings(), args.release)
    except ReleaseError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2, default=str))
        return 0
    d = info["definition"] or {}
    print(f"{info['release_id']}  {d.get('title', '')}  [{info['status']}]")
    if d:
        print(
            f"  source {d['source']['zone']}.{d['source']['table']}, catalog {d['catalog_entry']}"
        )
    for v in info["versions"]:
        flag = " (withdrawn)" if v["withdrawn"] else ""
        print(
            f"  v{v['version']}: {v['rows']} rows, built {v['built_at']:%Y-%m-%d %H:%M} UTC "
            f"by {v['built_by']}, {v['path']}{flag}"
        )
    for e in info["events"]:
        print(
            f"  {e['at']:%Y-%m-%d %H:%M} {e['action']:<8} → {e['to_status']:<9} "
            f"{e['actor']}: {e['reason']}"
        )
    return 0


def cmd_transition(args) -> int:
    from jutong.catalog.releases import ReleaseError
    from jutong.governance import releases as G

    fn = {"suspend": G.suspend, "withdraw": G.withdraw, "restore": G.restore}[args.action]
    try:
        ev = fn(get_settings(), args.release, args.reason, actor=args.actor)
    except ReleaseError as exc:
        return _fail(str(exc))
    print(
        f"{args.release}: {ev['from_status']} → {ev['to_status']} "
        f"({ev['at']:%Y-%m-%d %H:%M} UTC, {ev['actor']}: {ev['reason']})"
    )
    return 0
