"""The governance schema and its migrations: fresh databases, databases made before
migrations (adopted with their rows), mismatches, the metadata/migration equality, the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from jutong.cli import main
from jutong.governance import db, schema
from jutong.governance.db import SchemaMismatchError

FIXTURE = Path(__file__).parent / "fixtures" / "governance_v0.sql"
TABLES = {
    "quality_gate_runs",
    "quality_tickets",
    "quality_ticket_events",
    "review_items",
    "release_versions",
    "release_events",
}


@pytest.fixture()
def governance_backend() -> str:
    """SQLite files only here (also under JUTONG_TEST_GOVERNANCE_DB=postgresql): the
    backend-neutral cases are in tests/governance/test_migrations_backends.py."""
    return "sqlite"


@pytest.fixture(autouse=True)
def _fresh_engines():
    db.dispose_all()
    yield
    db.dispose_all()


def _db_file(settings) -> Path:
    return Path(sa.engine.make_url(settings.governance_db_uri).database)


def _sqlite(settings, script: str) -> None:
    path = _db_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.executescript(script)


# tables of later revisions (0002: the audit chain; 0004: cases; 0005: users and tokens;
# 0006: opening)
LATER_TABLES = {
    "audit_events",
    "audit_head",
    "cases",
    "case_clocks",
    "share_deliveries",
    "users",
    "user_roles",
    "api_tokens",
    "open_accounts",
    "open_agreements",
    "open_deliveries",
    "open_api_keys",
    "open_ratings",
    "notices",
}


def _table_sql(conn) -> dict[str, str]:
    q = "select name, sql from sqlite_master where name not like 'sqlite_%'"
    return {name: sql for name, sql in conn.execute(q) if name != schema.VERSION_TABLE}


def _count(settings, table: str) -> int:
    with sqlite3.connect(_db_file(settings)) as conn:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]


def test_fresh_database_goes_to_head_and_second_upgrade_does_nothing(settings):
    assert db.current_revision(settings) is None
    first = db.upgrade(settings)
    assert (first.from_revision, first.to_revision, first.adopted) == (None, db.head_revision(), ())
    second = db.upgrade(settings)
    assert (second.from_revision, second.to_revision) == (db.head_revision(), db.head_revision())
    assert db.current_revision(settings) == db.head_revision()
    assert db.pending_revisions(settings) == []
    names = set(sa.inspect(db.engine(settings)).get_table_names())
    # never Airflow's alembic_version
    assert names == TABLES | LATER_TABLES | {"jutong_alembic_version"}


def test_engine_upgrades_on_first_use(settings):
    eng = db.engine(settings)
    assert db.current_revision(settings) == db.head_revision()
    with eng.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.gate_runs)).scalar() == 0


def test_migrations_build_exactly_the_metadata(settings):
    db.upgrade(settings)
    with db.engine(settings).connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": schema.VERSION_TABLE}
        )
        assert compare_metadata(ctx, schema.metadata) == []


def test_migrations_write_the_same_ddl_as_the_code_before_migrations(settings):
    db.upgrade(settings, "0001")
    old = sqlite3.connect(":memory:")
    old.executescript(FIXTURE.read_text(encoding="utf-8"))
    with sqlite3.connect(_db_file(settings)) as new:
        assert _table_sql(new) == _table_sql(old)


def test_database_made_before_migrations_is_adopted_with_its_rows(settings):
    _sqlite(settings, FIXTURE.read_text(encoding="utf-8"))
    counts = {t: _count(settings, t) for t in TABLES}
    assert db.current_revision(settings) is None
    assert db.legacy_tables(settings) == sorted(TABLES, key=list(schema.metadata.tables).index)

    res = db.upgrade(settings)
    assert res.from_revision is None and res.to_revision == db.head_revision()
    assert set(res.adopted) == TABLES
    assert {t: _count(settings, t) for t in TABLES} == counts

    # the modules work on the adopted data
    from jutong.base import review
    from jutong.governance import releases, tickets
    from jutong.quality import store

    t1 = tickets.get_ticket(settings, "T-000001")
    assert (t1.status, t1.extension_days, t1.due_on) == ("open", 3, dt.date(2026, 12, 3))
    assert [e.event for e in tickets.ticket_history(settings, "T-000001")] == ["open", "extend"]
    tickets.resolve_ticket(settings, "T-000001", note="已核实更正", resolved_by="王科长")
    new = tickets.open_ticket(
        settings,
        department="gongan",
        kind="conflict",
        subject="出生日期冲突",
        source_ref="conflict:x",
    )
    assert new.id == "T-000003"
    assert [t.status for t in tickets.list_tickets(settings)] == ["resolved", "resolved", "open"]

    assert store.blocked_batches(settings, "gongan.huji") == {"b1"}
    runs = store.runs(settings, "gongan.huji")
    assert [r.batch_id for r in runs] == ["b1", "b2"]
    assert runs[0].outcomes == [{"expectation": "x", "unexpected": 3}]
    store.record(settings, dataclasses.replace(runs[1], batch_id="b3", gated_at=db.utcnow()))
    assert [r.batch_id for r in store.runs(settings, "gongan.huji")] == ["b1", "b2", "b3"]

    assert review.decisions(settings, "population") == {
        ("gongan.huji|b1|3|person", "P0000001"): "accepted"
    }
    assert [i.status for i in review.list_items(settings, base="population", status=None)] == [
        "accepted",
        "pending",
    ]
    review.decide(settings, 2, "rejected", by="李四", note="不同人")

    assert releases.status(settings, "qiye_registrations").value == "suspended"
    releases.restore(settings, "qiye_registrations", "投诉不成立", actor="审核员")
    assert [e["action"] for e in releases.events(settings, "qiye_registrations")] == [
        "publish",
        "suspend",
        "restore",
    ]


def test_database_with_some_tables_gets_the_missing_ones(settings):
    statements = FIXTURE.read_text(encoding="utf-8").split(";\n")
    _sqlite(settings, ";\n".join(s for s in statements if " quality_ticket" in s) + ";")
    res = db.upgrade(settings)
    assert res.adopted == ("quality_tickets", "quality_ticket_events")
    assert _count(settings, "quality_tickets") == 2
    assert _count(settings, "release_events") == 0
    with db.engine(settings).connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": schema.VERSION_TABLE}
        )
        assert compare_metadata(ctx, schema.metadata) == []


@pytest.mark.parametrize(
    ("ddl", "message"),
    [
        (
            "CREATE TABLE review_items (id INTEGER NOT NULL PRIMARY KEY, base VARCHAR(32) NOT NULL)",
            "table review_items: column mention_id is missing",
        ),
        (
            "CREATE TABLE release_events (id INTEGER NOT NULL PRIMARY KEY, "
            "release_id VARCHAR(64) NOT NULL, version VARCHAR(10), action VARCHAR(16) NOT NULL, "
            "from_status VARCHAR(16), to_status VARCHAR(16) NOT NULL, reason TEXT NOT NULL, "
            "actor VARCHAR(128) NOT NULL, at DATETIME NOT NULL)",
            "table release_events: column version is VARCHAR(10) where revision 0001 has INTEGER",
        ),
        (
            "CREATE TABLE release_events (id INTEGER NOT NULL PRIMARY KEY, "
            "release_id VARCHAR(64) NOT NULL, version INTEGER, action VARCHAR(16) NOT NULL, "
            "from_status VARCHAR(16), to_status VARCHAR(16), reason TEXT NOT NULL, "
            "actor VARCHAR(128) NOT NULL, at DATETIME NOT NULL, extra TEXT)",
            "table release_events: column to_status should be NOT NULL",
        ),
        (
            "CREATE TABLE release_events (id INTEGER NOT NULL PRIMARY KEY, "
            "release_id VARCHAR(64) NOT NULL, version INTEGER, action VARCHAR(16) NOT NULL, "
            "from_status VARCHAR(16), to_status VARCHAR(16) NOT NULL, reason TEXT NOT NULL, "
            "actor VARCHAR(128) NOT NULL, at DATETIME NOT NULL, extra TEXT)",
            "table release_events: column extra is not in revision 0001",
        ),
    ],
)
def test_mismatched_table_stops_with_one_line_and_changes_nothing(settings, ddl, message):
    _sqlite(settings, ddl + ";")
    with pytest.raises(SchemaMismatchError) as exc:
        db.upgrade(settings)
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)
    with sqlite3.connect(_db_file(settings)) as conn:
        assert len(_table_sql(conn)) == 1  # no table created, no version recorded
    assert db.current_revision(settings) is None


def test_unknown_revision_is_one_clear_line(settings):
    db.upgrade(settings)
    with db.engine(settings).begin() as conn:
        conn.execute(sa.text(f"UPDATE {schema.VERSION_TABLE} SET version_num = '0099'"))
    db.dispose_all()
    with pytest.raises(SchemaMismatchError, match="at revision 0099, which this version"):
        db.upgrade(settings)


def test_concurrent_first_use_migrates_once(settings):
    code = (
        "import sys; from jutong.settings import load_settings; from jutong.governance import db;"
        "s = load_settings(); r = db.upgrade(s); print(r.from_revision, r.to_revision)"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = sorted(p.communicate(timeout=120)[0].strip() for p in procs)
    assert [p.returncode for p in procs] == [0, 0]
    head = db.head_revision()
    assert outs == sorted([f"None {head}", f"{head} {head}"])


def test_cli_status_and_upgrade(settings, capsys):
    _sqlite(settings, FIXTURE.read_text(encoding="utf-8"))
    assert main(["governance", "status"]) == 0
    out = capsys.readouterr().out
    assert "current: none (6 table(s) from before migrations, adopted on upgrade)" in out
    revisions = len(list((db.MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")))
    assert f"pending: {revisions} migration(s)" in out and "0001  Initial schema" in out

    assert main(["governance", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert f": none -> {db.head_revision()}\n" in out
    assert "adopted 6 table(s) made before migrations: quality_gate_runs," in out

    assert main(["governance", "upgrade"]) == 0
    assert "(already up to date)" in capsys.readouterr().out
    assert main(["governance", "status"]) == 0
    out = capsys.readouterr().out
    assert f"current: {db.head_revision()}" in out and "up to date" in out


def test_cli_mismatch_is_one_line_on_stderr(settings, capsys):
    _sqlite(settings, "CREATE TABLE quality_tickets (seq INTEGER NOT NULL PRIMARY KEY);")
    assert main(["governance", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("jutong governance: governance database: table quality_tickets: ")
    assert err.count("\n") == 1
    # any other command needing the database says the same in one line
    assert main(["tickets", "list"]) != 0
    err = capsys.readouterr().err.strip()
    assert "table quality_tickets: column department is missing" in err
    assert err.count("\n") == 0


def test_new_revision_is_numbered_and_autogenerates_nothing_when_schema_matches(tmp_path):
    scripts = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = db.head_revision()
    nxt = f"{int(head) + 1:04d}"
    path = db.new_revision("add a note", autogenerate=True, script_location=scripts)
    assert path.name == f"{nxt}_add_a_note.py"
    text = path.read_text(encoding="utf-8")
    assert f"revision = '{nxt}'" in text and f"down_revision = '{head}'" in text
    assert "op." not in text  # schema.py and the migrations agree
