"""The private PostgreSQL cluster of the tests (tests/pg_server.py): it runs queries, and
without PostgreSQL binaries a test that needs it is skipped loudly — or fails when
``CI_REQUIRE_POSTGRES`` is set."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from tests.conftest import REPO

PROBE = """
def test_needs_postgres(pg_database):
    assert pg_database
"""


def test_the_cluster_serves_fresh_databases(pg_url_factory, pg_cluster):
    a, b = pg_url_factory(), pg_url_factory(driver="psycopg")
    assert a != b and "@127.0.0.1:" in a and b.startswith("postgresql+psycopg://")
    eng = sa.create_engine(a)
    try:
        with eng.connect() as conn:
            assert conn.execute(sa.text("SHOW listen_addresses")).scalar() == "127.0.0.1"
            assert conn.execute(sa.text("SELECT current_database()")).scalar() == a.rsplit("/")[-1]
    finally:
        eng.dispose()


def _probe(tmp_path, **env):
    test = tmp_path / "test_probe.py"
    test.write_text(PROBE, encoding="utf-8")
    # the probe runs under this repository's conftest (copied beside it: fixtures by import)
    (tmp_path / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    run_env = {
        **{k: v for k, v in os.environ.items() if k != "CI_REQUIRE_POSTGRES"},
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "JUTONG_PG_BIN": str(tmp_path / "no-postgres-here"),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # a bare pytest starts faster
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", str(test)],
        capture_output=True, text=True, env=run_env, cwd=tmp_path, timeout=300,
    )  # fmt: skip


def test_without_postgres_it_skips_loudly_or_fails_when_required(tmp_path):
    skipped = _probe(tmp_path)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "1 skipped" in skipped.stdout and "SKIPPED LOUDLY" in skipped.stdout
    assert "apt-get install postgresql" in skipped.stdout
    required = _probe(tmp_path, CI_REQUIRE_POSTGRES="1")
    assert required.returncode != 0
    assert "CI_REQUIRE_POSTGRES is set but no PostgreSQL" in required.stdout
