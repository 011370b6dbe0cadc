"""The governance database: one engine per URI, the schema brought to the newest revision.

The tables are declared in ``jutong.governance.schema`` and made by the Alembic migrations in
``jutong/governance/migrations/`` (no alembic.ini: the configuration is built here).
``engine(settings)`` upgrades the database once per process and URI before handing it out, so
every command that uses the database migrates it first; ``jutong governance upgrade`` does the
same explicitly and ``jutong governance status`` shows what is pending.

A database made before migrations (tables present, no version table) is adopted: its tables
are checked against revision 0001 (``jutong.governance.adopt``), the missing ones created and
the revision recorded. Upgrades of one database are serialized (a lock file beside a SQLite
file, an advisory lock on PostgreSQL), so two processes starting at once do not both migrate.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from jutong.governance.adopt import SchemaMismatchError, baseline_tables, check_legacy
from jutong.governance.schema import VERSION_TABLE
from jutong.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_KEY = zlib.crc32(b"jutong.governance.migrate")

_ENGINES: dict[str, sa.Engine] = {}
_UPGRADED: set[str] = set()  # URIs brought to head by this process


@dataclass(frozen=True)
class UpgradeResult:
    """What ``upgrade`` did: revision before and after, tables adopted from before migrations."""

    url: str
    from_revision: str | None
    to_revision: str | None
    adopted: tuple[str, ...] = ()


def _raw_engine(uri: str) -> sa.Engine:
    eng = _ENGINES.get(uri)
    if eng is None:
        url = sa.engine.make_url(uri)
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        eng = sa.create_engine(uri)
        _ENGINES[uri] = eng
    return eng


def engine(settings: Settings) -> sa.Engine:
    """The engine for ``settings.governance_db_uri``, its schema upgraded to head (once)."""
    uri = settings.governance_db_uri
    eng = _raw_engine(uri)
    if uri not in _UPGRADED:
        upgrade(settings)
    return eng


def display_url(settings: Settings) -> str:
    """The database URL without its password, for messages."""
    return sa.engine.make_url(settings.governance_db_uri).render_as_string(hide_password=True)


def alembic_config(script_location: Path | None = None) -> Config:
    """Alembic's configuration, built in code: scripts from this package, no ini file."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location or MIGRATIONS))
    return cfg


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision of the migrations shipped with this code."""
    head = _script().get_current_head()
    assert head is not None
    return head


def _current(conn: sa.Connection) -> str | None:
    ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    return ctx.get_current_revision()


def current_revision(settings: Settings) -> str | None:
    """The revision recorded in the database (None: not versioned yet); changes nothing."""
    with _raw_engine(settings.governance_db_uri).connect() as conn:
        return _current(conn)


def pending_revisions(settings: Settings) -> list[tuple[str, str]]:
    """(revision, message) of every migration not applied yet, oldest first."""
    script = _script()
    current = current_revision(settings)
    try:
        revs = list(script.iterate_revisions("heads", current))
    except CommandError as exc:
        raise SchemaMismatchError(_unknown_revision(settings, current, exc)) from None
    return [(r.revision, (r.doc or "").strip().splitlines()[0]) for r in reversed(revs)]


def legacy_tables(settings: Settings) -> list[str]:
    """Tables of revision 0001 present in an unversioned database (made before migrations)."""
    with _raw_engine(settings.governance_db_uri).connect() as conn:
        if _current(conn) is not None:
            return []
        present = set(sa.inspect(conn).get_table_names())
    return [name for name in baseline_tables(_script()) if name in present]


def _unknown_revision(settings: Settings, current: str | None, exc: Exception) -> str:
    return (
        f"governance database {display_url(settings)} is at revision {current}, which this "
        f"version of jutong does not know (head {head_revision()}): {exc}"
    )


@contextlib.contextmanager
def _migrating(eng: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction on ``eng`` that no other process migrates at the same time.

    The lock is held until the transaction has committed: a process waiting for it then sees
    the revision the first one recorded.
    """
    url = eng.url
    with contextlib.ExitStack() as stack:
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            fh = stack.enter_context(open(f"{url.database}-migrate.lock", "a"))
            fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file is closed
        conn = stack.enter_context(eng.begin())
        if url.get_backend_name() == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        yield conn


def upgrade(settings: Settings, revision: str = "head") -> UpgradeResult:
    """Bring the governance database to ``revision`` (adopting a pre-migration database).

    Raises ``SchemaMismatchError`` (one line) when a table made before migrations does not
    match revision 0001 or the database is at a revision this code does not know.
    """
    uri = settings.governance_db_uri
    eng = _raw_engine(uri)
    cfg = alembic_config()
    with _migrating(eng) as conn:
        before = _current(conn)
        adopted: list[str] = []
        if before is None:
            adopted = check_legacy(conn, baseline_tables(ScriptDirectory.from_config(cfg)))
        cfg.attributes["connection"] = conn
        cfg.attributes["settings"] = settings  # a data migration may read the jurisdiction
        try:
            command.upgrade(cfg, revision)
        except CommandError as exc:
            raise SchemaMismatchError(_unknown_revision(settings, before, exc)) from None
        after = _current(conn)
    if after == head_revision():
        _UPGRADED.add(uri)
    return UpgradeResult(display_url(settings), before, after, tuple(adopted))


def downgrade(settings: Settings, revision: str) -> UpgradeResult:
    """Take the governance database back to ``revision`` (to run an older version of jutong).

    Each migration's ``downgrade`` undoes its schema and data changes; the audit chain is
    append-only and keeps every event. ``SchemaMismatchError`` (one line) for a revision this
    code does not know or one not below the current revision. The next use of the database by
    this version upgrades it again."""
    uri = settings.governance_db_uri
    eng = _raw_engine(uri)
    cfg = alembic_config()
    with _migrating(eng) as conn:
        before = _current(conn)
        known = {r.revision for r in _script().walk_revisions()}
        if revision != "base" and revision not in known:
            raise SchemaMismatchError(
                f"governance database {display_url(settings)}: no revision '{revision}' to go "
                f"back to (known: {', '.join(sorted(known))})"
            )
        if before is None or (revision != "base" and int(revision) >= int(before)):
            raise SchemaMismatchError(
                f"governance database {display_url(settings)} is at revision {before or 'none'}"
                f": '{revision}' is not an earlier one"
            )
        cfg.attributes["connection"] = conn
        cfg.attributes["settings"] = settings
        command.downgrade(cfg, revision)
        after = _current(conn)
    _UPGRADED.discard(uri)
    return UpgradeResult(display_url(settings), before, after)


def new_revision(
    message: str, *, autogenerate: bool = False, script_location: Path | None = None
) -> Path:
    """Write the next migration (``0002_<slug>.py``, …) and return its path.

    With ``autogenerate`` its operations are what ``jutong.governance.schema`` has beyond the
    current head, compared on a scratch SQLite database built by the migrations: review them
    (SQLite cannot see every difference) before committing the file.
    """
    cfg = alembic_config(script_location)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    rev_id = f"{int(head or 0) + 1:04d}"
    with tempfile.TemporaryDirectory() as tmp:
        scratch = sa.create_engine(sa.engine.URL.create("sqlite", database=f"{tmp}/scratch.db"))
        try:
            with scratch.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                script = command.revision(
                    cfg, message=message, autogenerate=autogenerate, rev_id=rev_id
                )
        finally:
            scratch.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


def dispose_all() -> None:
    """Close every pooled connection (tests switch settings between cases)."""
    for eng in _ENGINES.values():
        eng.dispose()
    _ENGINES.clear()
    _UPGRADED.clear()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


__all__ = [
    "SchemaMismatchError",
    "UpgradeResult",
    "alembic_config",
    "current_revision",
    "dispose_all",
    "engine",
    "head_revision",
    "legacy_tables",
    "new_revision",
    "pending_revisions",
    "upgrade",
    "utcnow",
]
