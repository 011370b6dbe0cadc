"""``jutong audit verify | checkpoint | export | list``: the tamper-evident audit log.

GX-Dispatch art. 42: who provides, passes on or uses data answers for it (谁提供谁负责，
谁流转谁负责，谁使用谁负责); every hand-over and decision is an audit event in a hash chain.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jutong.textable import render


def _settings():
    from jutong.settings import get_settings

    return get_settings()


def _fail(err: BaseException) -> int:
    text = " / ".join(m.strip() for m in str(err).strip().splitlines() if m.strip())
    print(f"jutong audit: {text}", file=sys.stderr)
    return 1


def _errors() -> tuple[type[BaseException], ...]:
    from jutong.catalog.loader import CatalogError
    from jutong.governance.access import PolicyError
    from jutong.governance.audit.log import AuditChainError
    from jutong.governance.cases.actors import ActorError
    from jutong.governance.cases.model import CaseError
    from jutong.keyfiles import KeyFileError

    return (
        AuditChainError,
        KeyFileError,
        OSError,
        CaseError,
        ActorError,
        PolicyError,
        CatalogError,
    )


def cmd_verify(args) -> int:
    from jutong.governance.audit import verify

    try:
        rep = verify(_settings(), checkpoints=args.checkpoints)
    except _errors() as err:
        return _fail(err)
    if args.json:
        print(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2))
        return 0 if rep.ok else 1
    for w in rep.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if rep.ok:
        print(
            f"audit chain intact: {rep.events:,} event(s), head #{rep.last_seq} "
            f"{rep.last_hash[:16]}…, {rep.checkpoints} signed checkpoint(s) match"
        )
        return 0
    print(f"audit chain BROKEN: first bad event #{rep.first_bad}", file=sys.stderr)
    for p in rep.problems:
        print(f"  - {p}", file=sys.stderr)
    return 1


def cmd_checkpoint(args) -> int:
    from jutong.governance.audit import write_checkpoint

    try:
        cp = write_checkpoint(_settings(), args.out)
    except _errors() as err:
        return _fail(err)
    print(f"signed checkpoint of event #{cp.seq} ({cp.hash[:16]}…) written to {cp.path}")
    return 0


def _authorize(settings, args, permission: str) -> None:
    """Only roles with ``permission`` in catalog/roles.yaml (auditor, bureau admin) may."""
    import os

    from jutong.catalog.loader import load_catalog
    from jutong.governance.access import authorize
    from jutong.governance.cases.actors import parse_actor

    text = args.as_ or os.environ.get("JUTONG_AS")
    if not text:
        return  # the operator of the embedded default (bureau administrator)
    catalog = load_catalog(settings.catalog_dir)
    authorize(settings, parse_actor(text, catalog.departments), permission, subject="audit")


def cmd_export(args) -> int:
    from jutong.governance.audit import events, write_checkpoint

    settings = _settings()
    try:
        _authorize(settings, args, "audit.export")
    except _errors() as err:
        return _fail(err)
    out: Path = args.out
    if out.exists() and not args.force:
        return _fail(FileExistsError(f"{out}: exists; give --force to replace it"))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        n = 0
        with tmp.open("w", encoding="utf-8") as f:
            for ev in events(settings):
                f.write(json.dumps(ev.to_dict(), ensure_ascii=False) + "\n")
                n += 1
        tmp.replace(out)
        cp = write_checkpoint(settings, args.checkpoints)
    except _errors() as err:
        return _fail(err)
    print(f"exported {n:,} audit event(s) to {out}; signed checkpoint #{cp.seq} in {cp.path}")
    return 0


def cmd_list(args) -> int:
    from jutong.governance.audit import events

    try:
        settings = _settings()
        _authorize(settings, args, "audit.read")
        evs = list(
            events(
                settings,
                subject=args.subject,
                action=args.action,
                department=args.department,
                limit=args.limit,
                newest_first=True,
            )
        )
    except _errors() as err:
        return _fail(err)
    evs.reverse()
    if args.json:
        print(json.dumps([e.to_dict() for e in evs], ensure_ascii=False, indent=2))
        return 0
    rows = [
        (
            e.seq,
            e.at.isoformat(timespec="seconds"),
            e.actor,
            e.department or "",
            e.action,
            e.subject,
        )
        for e in evs
    ]
    print(render(["#", "at (UTC)", "actor", "department", "action", "subject"], rows, right=(0,)))
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "audit",
        help="the tamper-evident audit log: verify, checkpoint, export, list",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = p.add_subparsers(dest="audit_command", metavar="VERB", required=True)

    v = verbs.add_parser("verify", help="recompute the hash chain and check signed checkpoints")
    v.add_argument("--checkpoints", type=Path, help="folder of signed checkpoints")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=cmd_verify)

    c = verbs.add_parser("checkpoint", help="sign the chain head and write it outside the DB")
    c.add_argument("--out", type=Path, help="folder (default <lake_root>/audit/checkpoints)")
    c.set_defaults(func=cmd_checkpoint)

    e = verbs.add_parser("export", help="write every event as JSON lines, plus a checkpoint")
    e.add_argument("--out", type=Path, required=True, help="the JSON-lines file to write")
    e.add_argument("--checkpoints", type=Path, help="folder for the signed checkpoint")
    e.add_argument("--force", action="store_true", help="replace --out when it exists")
    e.add_argument("--as", dest="as_", metavar="USER:ROLE@DEPT")
    e.set_defaults(func=cmd_export)

    ls = verbs.add_parser("list", help="the newest events (filtered)")
    ls.add_argument("--subject")
    ls.add_argument("--action")
    ls.add_argument("--department")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--as", dest="as_", metavar="USER:ROLE@DEPT")
    ls.set_defaults(func=cmd_list)
