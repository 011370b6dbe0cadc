"""A tiny released home shared by the portal tests: two real open releases built by
``masking.release`` from a real Iceberg lake (as tests/masking/test_release.py builds them),
recorded in a real SQLite governance database.

- ``qiye_registrations`` (records, 无条件开放): v1 from 40 organisations, v2 after 5 more;
- ``population_by_county_sex_age`` (aggregate of an entry that is 不予开放): v1.

Built once per session (about 5 s); each test gets its own copy of the governance database,
so a test may suspend or withdraw a release without touching the others (the release files are
shared, read only).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from jutong.governance.db import dispose_all
from jutong.settings import Settings, reset_settings_cache
from tests.conftest import make_home, settings_for

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
    from tests.masking.test_release import AS_OF, load_base, org_rows, population_rows

    home = make_home(tmp_path_factory.mktemp("portal") / "home")
    settings = settings_for(home)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUTONG_HOME", str(home))
        mp.setenv("JUTONG_KEY_DIR", str(home / "keys"))
        reset_settings_cache()
        load_base(settings, "legal_entity", org_rows(40))
        load_base(settings, "population", population_rows(240))
        assert build_release(settings, QIYE, as_of=AS_OF, actor="tester").version == 1
        Lake(settings).table("base", "legal_entity").append(org_rows(45).slice(40))
        assert build_release(settings, QIYE, as_of=AS_OF, actor="tester").version == 2
        assert build_release(settings, POPULATION, as_of=AS_OF, actor="tester").version == 1
        reset_settings_cache()
    dispose_all()
    db = settings.lake_root / "governance.db"
    assert db.is_file()
    return Released(home, settings, db)


@pytest.fixture()
def portal_settings(released: Released, tmp_path: Path) -> Settings:
    """Settings of the released home with a governance database of this test's own."""
    db = tmp_path / "governance.db"
    shutil.copy2(released.governance_db, db)
    yield settings_for(released.home, governance_db_uri=f"sqlite:///{db}")
    dispose_all()
