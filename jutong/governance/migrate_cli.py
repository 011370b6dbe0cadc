"""``jutong governance upgrade | status | revision | copy``: the governance database's schema.

Every command that uses the governance database upgrades it on first use; ``upgrade`` does it
explicitly (e.g. before starting several workers), ``status`` shows the recorded revision
against the newest one, ``revision`` writes the next migration for a maintainer, ``copy``
moves every row of another governance database (the embedded SQLite one, say) into the
settings' database (a new PostgreSQL one), then verifies the audit chain there.
"""

from __future__ import annotations

import argparse
import sys


def _settings():
    from jutong.settings import get_settings

    return get_settings()


def _fail(err: BaseException) -> int:
    lines = [m.strip() for m in str(err).strip().splitlines() if m.strip()]
    print(f"jutong governance: {' / '.join(lines)}", file=sys.stderr)
    return 1


def _user_errors() -> tuple[type[BaseException], ...]:
    import sqlalchemy as sa

    from jutong.governance.db import SchemaMismatchError

    return (SchemaMismatchError, sa.exc.OperationalError)


def cmd_upgrade(args) -> int:
    from jutong.governance import db

    try:
        res = db.upgrade(_settings(), args.revision)
    except _user_errors() as err:
        return _fail(err)
    before = res.from_revision or "none"
    after = res.to_revision or "none"
    note = " (already up to date)" if res.from_revision == res.to_revision else ""
    print(f"governance database {res.url}: {before} -> {after}{note}")
    if res.adopted:
        print(
            f"  adopted {len(res.adopted)} table(s) made before migrations: "
            + ", ".join(res.adopted)
        )
    return 0


def cmd_downgrade(args) -> int:
    from jutong.governance import db

    try:
        res = db.downgrade(_settings(), args.revision)
    except _user_errors() as err:
        return _fail(err)
    print(
        f"governance database {res.url}: {res.from_revision} -> {res.to_revision or 'base'} "
        "(the audit chain keeps every event; this version of jutong upgrades it again on its "
        "next use)"
    )
    return 0


def cmd_status(args) -> int:
    from jutong.governance import db

    settings = _settings()
    try:
        current = db.current_revision(settings)
        legacy = db.legacy_tables(settings) if current is None else []
        pending = db.pending_revisions(settings)
    except _user_errors() as err:
        return _fail(err)
    print(f"governance database {db.display_url(settings)}")
    shown = current or "none"
    if legacy:
        shown += f" ({len(legacy)} table(s) from before migrations, adopted on upgrade)"
    print(f"  current: {shown}")
    print(f"  head:    {db.head_revision()}")
    if not pending:
        print("  up to date")
        return 0
    print(f"  pending: {len(pending)} migration(s); run `jutong governance upgrade`")
    for rev, message in pending:
        print(f"    {rev}  {message}")
    return 0


def cmd_revision(args) -> int:
    from jutong.governance import db

    path = db.new_revision(args.message, autogenerate=args.autogenerate)
    print(f"wrote {path}")
    return 0


def cmd_copy(args) -> int:
    from dataclasses import replace
    from pathlib import Path

    import sqlalchemy as sa

    from jutong.governance import db
    from jutong.governance.audit import verify
    from jutong.governance.transfer import copy_rows

    target = _settings()
    if "://" in args.source:
        source_uri = args.source
    else:  # a file: the embedded SQLite database
        path = Path(args.source).resolve()
        if not path.is_file():
            return _fail(ValueError(f"no governance database at {path}"))
        source_uri = sa.engine.URL.create("sqlite", database=str(path)).render_as_string()
    source = replace(target, governance_db_uri=source_uri)
    if sa.engine.make_url(source_uri) == sa.engine.make_url(target.governance_db_uri):
        return _fail(ValueError("the source is the settings' own governance database"))
    try:
        db.upgrade(source)
        db.upgrade(target)
        counts = copy_rows(db.engine(source), db.engine(target))
    except (*_user_errors(), ValueError) as err:
        return _fail(err)
    total = sum(counts.values())
    print(
        f"copied {total} rows from {db.display_url(source)} to {db.display_url(target)}: "
        + ", ".join(f"{name} {n}" for name, n in counts.items() if n)
    )
    report = verify(target)
    print(f"audit chain on the target: {'ok' if report.ok else 'NOT OK'} ({report.events} events)")
    return 0 if report.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("governance", help="the governance database: schema upgrade and status")
    gs = p.add_subparsers(dest="governance_cmd", required=True)
    up = gs.add_parser("upgrade", help="migrate the governance database to the newest schema")
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    up.set_defaults(func=cmd_upgrade)
    dn = gs.add_parser(
        "downgrade", help="take the schema back to an earlier revision (to run an older jutong)"
    )
    dn.add_argument("revision", help="the revision to go back to, e.g. 0007")
    dn.set_defaults(func=cmd_downgrade)
    st = gs.add_parser("status", help="recorded schema revision, newest revision, pending ones")
    st.set_defaults(func=cmd_status)
    rv = gs.add_parser(
        "revision", help="(maintainers) write the next migration into jutong/governance/migrations"
    )
    rv.add_argument("-m", "--message", required=True, help="what the migration changes")
    rv.add_argument(
        "--autogenerate",
        action="store_true",
        help="fill in the operations from the difference between schema.py and the head",
    )
    rv.set_defaults(func=cmd_revision)
    cp = gs.add_parser(
        "copy",
        help="copy every row of another governance database (e.g. the embedded SQLite file) "
        "into the settings' database, which must be empty",
    )
    cp.add_argument(
        "--from", dest="source", required=True, metavar="URI_OR_FILE",
        help="the source database: a SQLAlchemy URI or a SQLite file",
    )  # fmt: skip
    cp.set_defaults(func=cmd_copy)
