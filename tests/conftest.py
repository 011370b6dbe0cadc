"""Shared fixtures: an isolated project home per test session, and one Spark session."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from jutong.settings import Settings, load_settings, reset_settings_cache

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


@pytest.fixture()
def settings(home: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for an isolated home; also exported to the environment for code that loads them."""
    s = settings_for(home)
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
