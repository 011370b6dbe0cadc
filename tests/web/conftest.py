"""What the web tests share.

- tests/web/api, tests/web/console: the real application over a real SQLite governance
  database in tmp_path (a copy of one the real migrations made once: ``governance_db``, made
  autouse by those folders' conftest files); users with roles and API keys made through
  ``jutong.governance.users`` (as ``jutong users`` does).
- tests/web/portal, tests/web/browser: a tiny released home (``released``): two real open
  releases built by ``masking.release`` from a real Iceberg lake (as tests/masking/
  test_release.py builds them), recorded in a real SQLite governance database —
  ``qiye_registrations`` (records, 无条件开放): v1 from 40 organisations, v2 after 5 more;
  ``population_by_county_sex_age`` (aggregate of an entry that is 不予开放): v1. Built once per
  session (about 5 s); each test gets its own copy of the governance database
  (``portal_settings``), so a test may suspend or withdraw a release without touching the
  others (the release files are shared, read only).
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette's TestClient notes that httpx is deprecated for it
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from jutong.governance.db import dispose_all
from jutong.governance.users import add_user, issue_token, parse_grant
from jutong.settings import Settings, reset_settings_cache
from tests.conftest import make_home, settings_for
from web.app import create_app
from web.context import Context


@pytest.fixture(scope="session")
def _migrated_db(tmp_path_factory):
    """A governance database brought to the newest revision by the real migrations, once."""
    from jutong.governance.db import engine

    s = settings_for(make_home(tmp_path_factory.mktemp("template_home")))
    engine(s)
    dispose_all()
    return s.lake_root / "governance.db"


@pytest.fixture()
def governance_db(settings, _migrated_db):
    """Each test's own SQLite governance database in tmp_path: a copy of the migrated one
    (migrating a fresh file per test would take most of the folder's time)."""
    target = settings.lake_root / "governance.db"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_migrated_db, target)
    yield
    dispose_all()


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    """One application for the session (building its routes takes a while); each test gives
    it its own settings — its own home and SQLite governance database in tmp_path."""

    return create_app(settings_for(make_home(tmp_path_factory.mktemp("api_home"))))


@pytest.fixture()
def client(_app, settings):
    _app.state.context = Context(settings)
    with TestClient(_app) as c:
        yield c
    dispose_all()


@pytest.fixture()
def make_user(settings):
    """``make_user(name, "ROLE@DEPT", ...) -> headers`` with a fresh API key of that user."""

    def factory(name: str, *grants: str, password: str | None = None) -> dict[str, str]:
        add_user(
            settings,
            name,
            by="test-admin",
            password=password,
            grants=[parse_grant(g) for g in grants],
        )
        key = issue_token(settings, name, by="test-admin", name="tests")
        return {"Authorization": f"Bearer {key.token}"}

    return factory


# ---- the released home of the portal and browser tests ----

QIYE = "qiye_registrations"
POPULATION = "population_by_county_sex_age"


@dataclass(frozen=True)
class Released:
    home: Path
    settings: Settings
    governance_db: Path


@pytest.fixture(scope="session")
def released(tmp_path_factory: pytest.TempPathFactory) -> Released:
    # the release build and its test data load Presidio and pyiceberg: only when a test needs it
    from jutong.lake import Lake
    from masking.release import build_release
    from tests.masking.test_release import (
        AS_OF,
        load_base,
        load_population,
        org_rows,
        population_rows,
    )

    home = make_home(tmp_path_factory.mktemp("portal") / "home")
    settings = settings_for(home)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUTONG_HOME", str(home))
        mp.setenv("JUTONG_KEY_DIR", str(home / "keys"))
        reset_settings_cache()
        load_base(settings, "legal_entity", org_rows(40))
        load_population(settings, population_rows(240))
        assert build_release(settings, QIYE, as_of=AS_OF, actor="tester").version == 1
        Lake(settings).table("base", "legal_entity").append(org_rows(45).slice(40))
        assert build_release(settings, QIYE, as_of=AS_OF, actor="tester").version == 2
        assert build_release(settings, POPULATION, as_of=AS_OF, actor="tester").version == 1
        reset_settings_cache()
    dispose_all()
    db = settings.lake_root / "governance.db"
    assert db.is_file()
    return Released(home, settings, db)


@pytest.fixture(scope="session")
def _released_pg_template(released: Released, pg_cluster) -> str:
    """The released home's governance database copied into PostgreSQL once (a template)."""
    import sqlalchemy as sa

    from jutong.governance.db import engine
    from jutong.governance.transfer import copy_rows

    name = pg_cluster.create_database("released_template")
    target = settings_for(released.home, governance_db_uri=pg_cluster.url(name))
    source = sa.create_engine(f"sqlite:///{released.governance_db}")
    try:
        copy_rows(source, engine(target))
    finally:
        source.dispose()
        dispose_all()
    return name


@pytest.fixture()
def portal_settings(
    released: Released, tmp_path: Path, governance_backend: str, request
) -> Settings:
    """Settings of the released home with a governance database of this test's own (a copy
    of the released one: a SQLite file, or a PostgreSQL database)."""
    if governance_backend == "postgresql":
        uri = request.getfixturevalue("pg_url_factory")(
            template=request.getfixturevalue("_released_pg_template")
        )
    else:
        db = tmp_path / "governance.db"
        shutil.copy2(released.governance_db, db)
        uri = f"sqlite:///{db}"
    yield settings_for(released.home, governance_db_uri=uri)
    dispose_all()
