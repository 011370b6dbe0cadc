"""``jutong backup --to URI`` and ``jutong restore --from URI [--check]`` (jutong.backup)."""

from __future__ import annotations

import argparse
import os
import sys


def _audit(settings, action: str, subject: str, data: dict) -> None:
    from jutong.governance.audit import log as audit
    from jutong.governance.db import engine

    with engine(settings).begin() as conn:
        audit.append(
            conn,
            actor=os.environ.get("USER", "jutong"),
            role="bureau_admin",
            action=action,
            subject=subject,
            data=data,
        )


def cmd_backup(args) -> int:
    from jutong.backup.core import BackupError, backup
    from jutong.settings import get_settings

    settings = get_settings()
    try:
        m = backup(settings, args.to, progress=lambda msg: print(f"  {msg}", flush=True))
    except BackupError as err:
        print(f"jutong backup: {err}", file=sys.stderr)
        return 1
    rows = sum(t["rows"] for t in m["tables"])
    _audit(
        settings,
        "lake.backup",
        args.to,
        {
            "tables": len(m["tables"]),
            "rows": rows,
            "files": len(m["files"]),
            "basis": "LZ-Rules art. 29",
        },
    )
    print(
        f"backup written to {args.to}: {len(m['tables'])} table(s), {rows:,} rows, "
        f"{len(m['files'])} file(s) with SHA-256 in manifest.json"
    )
    return 0


def cmd_restore(args) -> int:
    from jutong.backup.core import BackupError, restore, verify_backup
    from jutong.governance.audit import verify
    from jutong.settings import get_settings

    try:
        if args.check:
            m = verify_backup(args.source, get_settings())
            print(
                f"{args.source}: {len(m['files'])} file(s) match their checksums ({m['created_at']})"
            )
            return 0
        settings = get_settings()
        m = restore(settings, args.source, progress=lambda msg: print(f"  {msg}", flush=True))
    except BackupError as err:
        print(f"jutong restore: {err}", file=sys.stderr)
        return 1
    report = verify(settings)
    _audit(
        settings,
        "lake.restore",
        args.source,
        {
            "tables": len(m["tables"]),
            "backup_created_at": m["created_at"],
            "basis": "LZ-Rules art. 29",
        },
    )
    print(
        f"restored {len(m['tables'])} table(s) from {args.source} (backup of {m['created_at']}); "
        f"audit chain {'ok' if report.ok else 'NOT OK'}"
    )
    return 0 if report.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    bp = sub.add_parser(
        "backup",
        help="back up every lake table, the raw copies and the governance database to a folder "
        "or bucket, with a checksum manifest (LZ-Rules art. 29)",
    )
    bp.add_argument("--to", required=True, help="an empty or new folder, file:// or s3:// URI")
    bp.set_defaults(func=cmd_backup)
    rp = sub.add_parser(
        "restore",
        help="restore a backup into an empty installation (checksums verified first)",
    )
    rp.add_argument("--from", dest="source", required=True, help="the backup's folder or URI")
    rp.add_argument("--check", action="store_true", help="only verify the checksums")
    rp.set_defaults(func=cmd_restore)
