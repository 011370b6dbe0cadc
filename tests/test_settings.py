import logging
import os
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


def test_openlineage_goes_to_a_file_by_default_to_a_transport_or_nowhere(tmp_path: Path):
    import json

    env = load_settings({"JUTONG_HOME": str(tmp_path)}).airflow_env()
    transport = json.loads(env["AIRFLOW__OPENLINEAGE__TRANSPORT"])
    assert transport == {
        "type": "file",
        "log_file_path": str(tmp_path / "airflow_home" / "lineage" / "events" / "events.jsonl"),
        "append": True,
    }
    assert env["AIRFLOW__OPENLINEAGE__DISABLED"] == "False"
    assert env["AIRFLOW__OPENLINEAGE__EXTRACTORS"].endswith("openlineage.TaskExtractor")
    marquez = '{"type": "http", "url": "http://marquez:5000"}'
    env = load_settings(
        {"JUTONG_HOME": str(tmp_path), "JUTONG_OPENLINEAGE_TRANSPORT": marquez}
    ).airflow_env()
    assert env["AIRFLOW__OPENLINEAGE__TRANSPORT"] == marquez
    env = load_settings(
        {"JUTONG_HOME": str(tmp_path), "JUTONG_OPENLINEAGE_TRANSPORT": "off"}
    ).airflow_env()
    assert env["AIRFLOW__OPENLINEAGE__DISABLED"] == "True"
    assert "AIRFLOW__OPENLINEAGE__TRANSPORT" not in env


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


def test_key_dir_from_the_environment_is_honoured(tmp_path: Path):
    s = load_settings({"JUTONG_HOME": str(tmp_path), "JUTONG_KEY_DIR": str(tmp_path / "k")})
    assert s.key_dir == tmp_path / "k"
    s = load_settings({"JUTONG_HOME": str(tmp_path), "JUTONG_KEY_DIR": "keys"})
    assert s.key_dir == tmp_path / "keys"


def test_an_ignored_environment_variable_is_reported_by_name(tmp_path: Path, caplog):
    env = {
        "JUTONG_HOME": str(tmp_path),
        "JUTONG_LAKE_RUT": "/data/lake",
        "JUTONG_SECRET_TOKEN": "s3cr3t-value",
        "JUTONG_KEY_OPEN_2026": "00" * 32,  # a pseudonym key: read by masking.keys
    }
    with caplog.at_level(logging.WARNING, logger="jutong.settings"):
        s = load_settings(env)
    assert s.lake_root == tmp_path / "lake"
    reported = [r.getMessage() for r in caplog.records]
    assert len(reported) == 2
    assert reported[0].startswith("ignoring environment variable JUTONG_LAKE_RUT: not a setting")
    assert "lake_root" in reported[0]
    assert reported[1].startswith("ignoring environment variable JUTONG_SECRET_TOKEN")
    assert "s3cr3t" not in caplog.text and "0000" not in caplog.text


def test_secrets_never_come_from_the_settings_file(tmp_path: Path):
    (tmp_path / "jutong.toml").write_text('key_open_2026 = "00112233"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="secrets are never read from the settings file"):
        load_settings({"JUTONG_HOME": str(tmp_path)})
    (tmp_path / "jutong.toml").write_text('key_dir = "/srv/keys"\n', encoding="utf-8")
    assert load_settings({"JUTONG_HOME": str(tmp_path)}).key_dir == Path("/srv/keys")


def test_a_database_password_never_comes_from_the_settings_file(tmp_path: Path):
    uri = "postgresql+psycopg2://jutong:s3cr3t@db.example:5432/governance"
    (tmp_path / "jutong.toml").write_text(f'governance_db_uri = "{uri}"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="'governance_db_uri': the URI holds a password") as e:
        load_settings({"JUTONG_HOME": str(tmp_path)})
    assert "JUTONG_GOVERNANCE_DB_URI" in str(e.value) and "PGPASSFILE" in str(e.value)
    assert "s3cr3t" not in str(e.value)
    # without the password in the file (libpq's PGPASSFILE), or the URI in the environment
    no_pw = uri.replace(":s3cr3t", "")
    (tmp_path / "jutong.toml").write_text(f'governance_db_uri = "{no_pw}"\n', encoding="utf-8")
    assert load_settings({"JUTONG_HOME": str(tmp_path)}).governance_db_uri == no_pw
    env = {"JUTONG_HOME": str(tmp_path), "JUTONG_GOVERNANCE_DB_URI": uri}
    assert load_settings(env).governance_db_uri == uri
    (tmp_path / "jutong.toml").write_text(f'iceberg_catalog_uri = "{uri}"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="'iceberg_catalog_uri'"):
        load_settings({"JUTONG_HOME": str(tmp_path)})


def test_a_number_setting_refuses_text_and_negatives(tmp_path: Path):
    for bad in ("soon", "-1"):
        with pytest.raises(SettingsError, match="ingest_quiet_seconds"):
            load_settings({"JUTONG_HOME": str(tmp_path), "JUTONG_INGEST_QUIET_SECONDS": bad})


def _fake_stack(home: Path, catalog: str = "sql") -> Path:
    """A stack folder as `jutong stack up` leaves it: settings files and the env file."""
    folder = home / ".stack"
    folder.mkdir(parents=True)
    for name, kind in (("jutong.toml", "sql"), ("jutong-rest.toml", "rest")):
        (folder / name).write_text(
            f'[jutong]\niceberg_catalog_type = "{kind}"\n'
            'iceberg_catalog_uri = "http://127.0.0.1:1/x"\n'
            'airflow_api_url = "http://127.0.0.1:2"\n',
            encoding="utf-8",
        )
    settings = folder / ("jutong.toml" if catalog == "sql" else "jutong-rest.toml")
    (folder / "env").write_text(
        f"export JUTONG_HOME={home}\nexport JUTONG_SETTINGS={settings}\n"
        "export AWS_ACCESS_KEY_ID=k3y\nexport AIRFLOW_API_PASSWORD='p w'\n",
        encoding="utf-8",
    )
    return folder


def test_the_stack_profile_takes_the_stacks_settings_and_credentials(tmp_path: Path, monkeypatch):
    home = tmp_path / "home"
    _fake_stack(home, "rest")
    s = load_settings({"JUTONG_PROFILE": "stack", "JUTONG_HOME": str(home)})
    assert s.iceberg_catalog_type == "rest" and s.airflow_api_url == "http://127.0.0.1:2"
    assert s.source == str(home / ".stack" / "jutong-rest.toml")
    # an explicit variable wins over the profile's
    other = tmp_path / "other.toml"
    other.write_text('[jutong]\niceberg_catalog_type = "sql"\n', encoding="utf-8")
    s = load_settings(
        {"JUTONG_PROFILE": "stack", "JUTONG_HOME": str(home), "JUTONG_SETTINGS": str(other)}
    )
    assert s.iceberg_catalog_type == "sql" and s.airflow_api_url == ""
    # the process's own settings: the credentials reach its environment (S3, API clients)
    monkeypatch.setenv("JUTONG_PROFILE", "stack")
    monkeypatch.setenv("JUTONG_HOME", str(home))
    for name in ("JUTONG_SETTINGS", "AWS_ACCESS_KEY_ID", "AIRFLOW_API_PASSWORD"):
        # set, then deleted: monkeypatch records it and removes what load_settings puts there
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    assert load_settings().iceberg_catalog_type == "rest"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "k3y"
    assert os.environ["AIRFLOW_API_PASSWORD"] == "p w"


def test_the_stack_profile_without_a_stack_or_an_unknown_profile_is_refused(tmp_path: Path):
    with pytest.raises(SettingsError, match=r"no stack in .*\.stack.*make stack"):
        load_settings({"JUTONG_PROFILE": "stack", "JUTONG_HOME": str(tmp_path)})
    with pytest.raises(SettingsError, match="unknown profile"):
        load_settings({"JUTONG_PROFILE": "cluster", "JUTONG_HOME": str(tmp_path)})
    # JUTONG_STACK_DIR names a stack elsewhere
    folder = _fake_stack(tmp_path / "elsewhere")
    s = load_settings(
        {"JUTONG_PROFILE": "stack", "JUTONG_STACK_DIR": str(folder), "JUTONG_HOME": str(tmp_path)}
    )
    assert s.iceberg_catalog_type == "sql"
