from pathlib import Path

import pytest

from jutong.settings import SettingsError, load_settings


def test_defaults_are_relative_to_home(tmp_path: Path):
    s = load_settings({"JUTONG_HOME": str(tmp_path)})
    assert s.lake_root == tmp_path / "lake"
    assert s.landing_dir == tmp_path / "landing"
    assert s.airflow_home == tmp_path / "airflow_home"
    assert s.iceberg_catalog_uri == f"sqlite:///{tmp_path / 'lake' / 'iceberg_catalog.db'}"
    assert s.iceberg_warehouse == (tmp_path / "lake" / "warehouse").as_uri()
    assert s.raw_dir == tmp_path / "lake" / "raw"
    # keys live outside the project home
    assert not str(s.key_dir).startswith(str(tmp_path))


def test_file_then_environment_precedence(tmp_path: Path):
    (tmp_path / "jutong.toml").write_text(
        '[jutong]\nlake_root = "/data/lake"\nspark_master = "spark://master:7077"\n'
        "spark_shuffle_partitions = 64\n",
        encoding="utf-8",
    )
    s = load_settings({"JUTONG_HOME": str(tmp_path)})
    assert s.lake_root == Path("/data/lake")
    assert s.spark_master == "spark://master:7077"
    assert s.spark_shuffle_partitions == 64
    assert s.source == str(tmp_path / "jutong.toml")
    # derived URIs follow the lake root unless set
    assert s.iceberg_catalog_uri == "sqlite:////data/lake/iceberg_catalog.db"
    s2 = load_settings(
        {
            "JUTONG_HOME": str(tmp_path),
            "JUTONG_SPARK_MASTER": "yarn",
            "JUTONG_ICEBERG_CATALOG_URI": "postgresql+psycopg://u@db/iceberg",
        }
    )
    assert s2.spark_master == "yarn"
    assert s2.iceberg_catalog_uri == "postgresql+psycopg://u@db/iceberg"
    assert s2.lake_root == Path("/data/lake")


def test_settings_file_from_variable_sets_home(tmp_path: Path):
    f = tmp_path / "conf" / "prod.toml"
    f.parent.mkdir()
    f.write_text('landing_dir = "incoming"\n', encoding="utf-8")
    s = load_settings({"JUTONG_SETTINGS": str(f)})
    assert s.home == f.parent
    assert s.landing_dir == f.parent / "incoming"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('lake_rot = "x"\n', "unknown setting 'lake_rot'"),
        ("spark_shuffle_partitions = 'many'\n", "must be an integer"),
        ("lake_root = \n", "not valid TOML"),
    ],
)
def test_bad_settings_file_is_refused_with_its_name(tmp_path: Path, content: str, message: str):
    (tmp_path / "jutong.toml").write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError) as exc:
        load_settings({"JUTONG_HOME": str(tmp_path)})
    assert message in str(exc.value)
    assert "jutong.toml" in str(exc.value)


def test_missing_settings_file_is_refused(tmp_path: Path):
    with pytest.raises(SettingsError, match="not a file"):
        load_settings({"JUTONG_SETTINGS": str(tmp_path / "nope.toml")})


def test_airflow_environment_points_at_project(tmp_path: Path):
    s = load_settings({"JUTONG_HOME": str(tmp_path), "JUTONG_AIRFLOW_PARALLELISM": "3"})
    env = s.airflow_env()
    assert env["AIRFLOW_HOME"] == str(tmp_path / "airflow_home")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(tmp_path / "dags")
    assert env["AIRFLOW__CORE__PARALLELISM"] == "3"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["JUTONG_HOME"] == str(tmp_path)


def test_no_hard_coded_paths_outside_settings(repo_root: Path):
    """Lake, landing and Airflow locations come from settings only (issue 2, item 3)."""
    offenders = []
    for py in list((repo_root / "jutong").rglob("*.py")) + list((repo_root / "dags").rglob("*.py")):
        if py.name == "settings.py":
            continue
        text = py.read_text(encoding="utf-8")
        for needle in ('"lake/', "'lake/", '"./lake', "sqlite:///", "/tmp/", '"landing/'):
            if needle in text:
                offenders.append(f"{py.relative_to(repo_root)}: {needle}")
    assert offenders == []
