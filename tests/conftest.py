"""Shared fixtures: an isolated project home per test session, one Spark session, and a private
PostgreSQL cluster (started on first use) for the governance database on PostgreSQL.

The governance database is SQLite in a test's home by default. Tests (or modules, with
``pytestmark``) marked ``postgres`` run twice, ``[sqlite]`` and ``[postgresql]`` (the latter with
the end-to-end tests, ``make test-e2e``): on PostgreSQL
the ``settings`` fixture points ``governance_db_uri`` at a fresh database of the private cluster,
already migrated to head (a copy of a template migrated once per session). Setting
``JUTONG_TEST_GOVERNANCE_DB=postgresql`` runs every test on PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from jutong.settings import Settings, load_settings, reset_settings_cache
from tests.pg_server import INSTALL as PG_INSTALL
from tests.pg_server import PgCluster, find_bindir, postgres_required

REPO = Path(__file__).resolve().parent.parent

# pytest-xdist workers run in a ``__main__`` with neither ``__spec__`` nor ``__file__``, which
# pyspark's connect module takes for its own doctest run and answers with ``sys.exit(0)``
# (pyspark/sql/connect/utils.py, ``check_dependencies``): give it a name.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


def make_home(base: Path) -> Path:
    """A throw-away project home: a copy of the catalog, empty lake/landing/airflow folders."""
    base.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "catalog", base / "catalog", dirs_exist_ok=True)
    for folder in ("dags", "plugins"):  # the project's DAGs and Airflow plugins
        if not (base / folder).exists():
            (base / folder).symlink_to(REPO / folder)
    return base


def settings_for(home: Path, **extra: str) -> Settings:
    env = {
        "JUTONG_HOME": str(home),
        "JUTONG_KEY_DIR": str(home / "keys"),
        "JUTONG_SPARK_MASTER": "local[2]",
        "JUTONG_SPARK_SHUFFLE_PARTITIONS": "2",
        "JUTONG_SPARK_DRIVER_MEMORY": "2g",
        # test files are written whole before they are ingested (the quiet period is tested
        # on its own in tests/ingest/test_landing.py)
        "JUTONG_INGEST_QUIET_SECONDS": "0",
    }
    env.update({f"JUTONG_{k.upper()}": v for k, v in extra.items()})
    return load_settings(env)


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path / "home")


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``postgres`` that use the governance database run on both backends."""
    if (
        metafunc.definition.get_closest_marker("postgres")
        and "governance_backend" in metafunc.fixturenames
    ):
        # the PostgreSQL variants run with the end-to-end tests (`make test-e2e`, CI): `make
        # test` keeps the tests that exist only for PostgreSQL (serve, migrations, concurrency,
        # the Iceberg catalog) and stays under its time budget
        metafunc.parametrize(
            "governance_backend",
            ["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)],
            indirect=True,
        )


@pytest.fixture()
def governance_backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: where this test's governance database lives."""
    default = os.environ.get("JUTONG_TEST_GOVERNANCE_DB", "sqlite")
    backend = getattr(request, "param", default)
    assert backend in BACKENDS, f"JUTONG_TEST_GOVERNANCE_DB={backend!r}: one of {BACKENDS}"
    return backend


@pytest.fixture()
def settings(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    governance_backend: str,
    request: pytest.FixtureRequest,
) -> Settings:
    """Settings for an isolated home; also exported to the environment for code that loads them.

    On PostgreSQL (``governance_backend``) the governance database is a fresh, migrated
    database of the session's private cluster."""
    extra: dict[str, str] = {}
    if governance_backend == "postgresql":
        extra["governance_db_uri"] = request.getfixturevalue("pg_governance_url")
        monkeypatch.setenv("JUTONG_GOVERNANCE_DB_URI", extra["governance_db_uri"])
    s = settings_for(home, **extra)
    monkeypatch.setenv("JUTONG_HOME", str(home))
    monkeypatch.setenv("JUTONG_KEY_DIR", str(home / "keys"))
    monkeypatch.setenv("JUTONG_SPARK_MASTER", "local[2]")
    monkeypatch.setenv("JUTONG_SPARK_SHUFFLE_PARTITIONS", "2")
    monkeypatch.setenv("JUTONG_INGEST_QUIET_SECONDS", "0")
    reset_settings_cache()
    yield s
    reset_settings_cache()


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory):
    """One local[2] Spark session for the whole test run."""
    from spark_jobs.session import get_spark

    s = settings_for(make_home(tmp_path_factory.mktemp("spark_home")))
    session = get_spark(s, "jutong-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def new_settings():
    """Factory: ``new_settings(base_dir, **extra)`` -> Settings for a fresh home in ``base_dir``."""

    def factory(base: Path, **extra: str) -> Settings:
        return settings_for(make_home(base), **extra)

    return factory


# ---- PostgreSQL (tests/pg_server.py) ----


@pytest.fixture(scope="session")
def pg_cluster():
    """A private PostgreSQL cluster for the session, started when a test first needs it."""
    bindir = find_bindir()
    if bindir is None:
        if postgres_required():
            pytest.fail(
                f"CI_REQUIRE_POSTGRES is set but no PostgreSQL binaries here ({PG_INSTALL})"
            )
        pytest.skip(f"SKIPPED LOUDLY: no PostgreSQL binaries (initdb, pg_ctl) here ({PG_INSTALL})")
    cluster = PgCluster(bindir).start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_url_factory(pg_cluster):
    """``pg_url_factory(template=None, driver="psycopg2")`` -> the SQLAlchemy URL of a new
    database of the private cluster (empty, or a copy of database ``template``)."""

    def factory(template: str | None = None, driver: str = "psycopg2") -> str:
        return pg_cluster.url(pg_cluster.create_database(template=template), driver)

    return factory


@pytest.fixture(scope="module")
def pg_database(pg_url_factory) -> str:
    """A fresh, empty database for the test module (its SQLAlchemy URL)."""
    return pg_url_factory()


@pytest.fixture(scope="session")
def _pg_governance_template(pg_cluster, tmp_path_factory) -> str:
    """A database migrated to head by the real migrations, once: copied for each test."""
    from jutong.governance.db import dispose_all, engine

    name = pg_cluster.create_database("governance_template")
    home = make_home(tmp_path_factory.mktemp("pg_template_home"))
    engine(settings_for(home, governance_db_uri=pg_cluster.url(name)))
    dispose_all()  # CREATE DATABASE … TEMPLATE needs it without connections
    return name


@pytest.fixture()
def pg_governance_url(pg_cluster, pg_url_factory, _pg_governance_template) -> str:
    """This test's own governance database on PostgreSQL, migrated to head; dropped after
    the test (its files would otherwise pile up: about 8 MB a database)."""
    url = pg_url_factory(template=_pg_governance_template)
    yield url
    pg_cluster.drop_database(url.rsplit("/", 1)[1])
