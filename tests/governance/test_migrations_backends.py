"""The migrations on both backends (SQLite and PostgreSQL): an empty database to head, every
earlier revision (holding rows) to head, the built schema equal to the metadata, and two
processes migrating one database at once (the lock file on SQLite, the advisory lock on
PostgreSQL). The SQLite-only cases (adoption of a pre-migration file, the DDL of revision
0001) are in test_schema_migrations.py."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from jutong.governance import db, schema
from tests.conftest import REPO, settings_for

pytestmark = pytest.mark.postgres

EARLIER = ["0001", "0002", "0003", "0004", "0005", "0006", "0007"]


@pytest.fixture()
def empty_uri(home, governance_backend, request, tmp_path):
    """A factory of empty databases on this test's backend."""
    serial = iter(range(100))

    def factory() -> str:
        if governance_backend == "postgresql":
            return request.getfixturevalue("pg_url_factory")()
        return f"sqlite:///{tmp_path / f'governance-{next(serial)}.db'}"

    db.dispose_all()
    yield factory
    db.dispose_all()


def _settings(home, uri: str):
    return settings_for(home, governance_db_uri=uri)


def _assert_schema_is_the_metadata(settings) -> None:
    with db.engine(settings).connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": schema.VERSION_TABLE}
        )
        assert compare_metadata(ctx, schema.metadata) == []


def test_empty_database_to_head_and_a_second_upgrade_does_nothing(home, empty_uri):
    s = _settings(home, empty_uri())
    assert db.current_revision(s) is None
    first = db.upgrade(s)
    assert (first.from_revision, first.to_revision, first.adopted) == (None, db.head_revision(), ())
    second = db.upgrade(s)
    assert (second.from_revision, second.to_revision) == (db.head_revision(), db.head_revision())
    assert db.pending_revisions(s) == []
    names = set(sa.inspect(db.engine(s)).get_table_names())
    assert names == {t.name for t in schema.metadata.sorted_tables} | {schema.VERSION_TABLE}
    _assert_schema_is_the_metadata(s)


def _insert_rows_of(conn: sa.Connection, revision: str) -> None:
    """Rows in the tables that exist at ``revision`` (only the columns that exist there)."""
    meta = sa.MetaData()
    meta.reflect(conn)
    now = dt.datetime(2026, 9, 28, 2, 0)
    ticket = {
        "department": "gongan",
        "kind": "gate",
        "subject": "身份证号校验位错误",
        "details": {"rows": 3},
        "source_ref": f"test:{revision}",
        "opened_at": now,
        "opened_by": "tester",
        "received_on": now.date(),
        "due_on": dt.date(2026, 10, 12),
        "status": "open",
    }
    t = meta.tables["quality_tickets"]
    conn.execute(t.insert().values({k: v for k, v in ticket.items() if k in t.c}))
    if "cases" in meta.tables:
        case = {
            "ref": "SR-000001",
            "kind": "share_request",
            "flow": "region",
            "state": "provider_review",
            "requester": "minzheng",
            "provider": "gongan",
            "bureau": "dashuju",
            "resource": "gongan.huji",
            "title": "低保核查",
            "data": {"urgency": "normal"},
            "opened_at": now,
            "opened_by": "tester",
            "updated_at": now,
            "closed": False,
        }
        c = meta.tables["cases"]
        conn.execute(c.insert().values({k: v for k, v in case.items() if k in c.c}))


@pytest.mark.parametrize("revision", EARLIER)
def test_each_earlier_revision_with_rows_upgrades_to_head(home, empty_uri, revision):
    s = _settings(home, empty_uri())
    assert db.upgrade(s, revision).to_revision == revision
    with db._raw_engine(s.governance_db_uri).begin() as conn:
        _insert_rows_of(conn, revision)
    result = db.upgrade(s)
    assert (result.from_revision, result.to_revision) == (revision, db.head_revision())
    with db.engine(s).connect() as conn:
        ticket = conn.execute(sa.select(schema.tickets)).one()
        assert ticket.subject == "身份证号校验位错误" and ticket.details == {"rows": 3}
        assert ticket.due_provisional is False  # 0003's server default on an existing row
        cases = conn.execute(sa.select(schema.cases)).all()
        shares = [(c.ref, c.version, c.closed) for c in cases if c.kind == "share_request"]
        if revision >= "0004":
            assert shares == [("SR-000001", 1, False)]
        else:
            assert shares == []
        # 0008: the ticket is a case (its id the reference), open, its clock running
        [tc] = [c for c in cases if c.kind == "ticket"]
        assert (tc.ref, tc.state, tc.provider, tc.closed) == ("T-000001", "open", "gongan", False)
        [clock] = conn.execute(
            sa.select(schema.case_clocks).where(schema.case_clocks.c.case_seq == tc.seq)
        ).all()
        assert (clock.state, clock.status, clock.due_on) == (
            "open",
            "running",
            dt.date(2026, 10, 12),
        )
    _assert_schema_is_the_metadata(s)


def test_two_processes_migrating_at_once_migrate_once(home, empty_uri):
    uri = empty_uri()
    code = (
        "from jutong.settings import load_settings; from jutong.governance import db;"
        "r = db.upgrade(load_settings()); print(r.from_revision, r.to_revision)"
    )
    env = {
        **os.environ,
        "JUTONG_HOME": str(home),
        "JUTONG_GOVERNANCE_DB_URI": uri,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    head = db.head_revision()
    assert sorted(out.strip() for out, _ in outs) == sorted([f"None {head}", f"{head} {head}"])
