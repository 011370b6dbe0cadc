"""What the web tests share (tests/web/api, tests/web/console): the real application over a
real SQLite governance database in tmp_path; users with roles and API keys made through
``jutong.governance.users`` (as ``jutong users`` does)."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():  # starlette's TestClient notes that httpx is deprecated for it
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from jutong.governance.db import dispose_all
from jutong.governance.users import add_user, issue_token, parse_grant
from web.app import create_app
from web.context import Context


@pytest.fixture(scope="session")
def _migrated_db(tmp_path_factory):
    """A governance database brought to the newest revision by the real migrations, once."""
    from jutong.governance.db import engine
    from tests.conftest import make_home, settings_for

    s = settings_for(make_home(tmp_path_factory.mktemp("template_home")))
    engine(s)
    dispose_all()
    return s.lake_root / "governance.db"


@pytest.fixture(autouse=True)
def _governance_db(settings, _migrated_db):
    """Each test's own SQLite governance database in tmp_path: a copy of the migrated one
    (migrating a fresh file per test would take most of the folder's time)."""
    import shutil

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
    from tests.conftest import make_home, settings_for

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
