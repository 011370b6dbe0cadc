"""``jutong lineage build`` and ``jutong lineage COLUMN [--downstream] [--json]`` on a fresh
home (the repository's catalog and dbt project)."""

from __future__ import annotations

import json

import pytest

from jutong.cli import main
from jutong.lake import Lake
from jutong.lineage.store import read_lineage
from jutong.settings import reset_settings_cache


@pytest.fixture(scope="module")
def home(new_settings, tmp_path_factory):
    s = new_settings(tmp_path_factory.mktemp("lineage") / "home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUTONG_HOME", str(s.home))
        reset_settings_cache()
        assert main(["lineage", "build"]) == 0
    reset_settings_cache()
    return s


@pytest.fixture(autouse=True)
def _env(home, monkeypatch):
    monkeypatch.setenv("JUTONG_HOME", str(home.home))
    reset_settings_cache()
    yield
    reset_settings_cache()


def test_build_publishes_the_table_once(home, capsys):
    edges = read_lineage(Lake(home))
    assert edges and {e.hop for e in edges} == {"ingest", "standardize", "base", "dbt", "release"}
    assert main(["lineage", "build", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["published"] is False and out["edges"] == len(edges)


def test_upstream_tree_down_to_the_extract(capsys):
    assert main(["lineage", "release.population_by_county_sex_age.sex"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "release.population_by_county_sex_age.sex  [开放数据 open release]"
    for hop in (
        "← theme.pop_registered_by_county_sex_age.sex_code",
        "← dbt.stg_base__persons.sex_code",
        "← base.population.sex",
        "← staging.gongan__huji.sex",
        "← raw.gongan__huji.sex",
        "← extract.gongan__huji.性别",
    ):
        assert hop in out, hop
    assert "sex as sex_code" in out and "[GX-Dispatch art. 42; LZ-Rules art. 25]" in out


def test_json_and_downstream(capsys):
    assert main(["lineage", "--json", "release.qiye_registrations.legal_rep_name"]) == 0
    tree = json.loads(capsys.readouterr().out)
    assert tree["extract_columns"] == ["extract.shichang__qiye.法定代表人"]
    assert tree["edges"][0]["transform"] == "masked"
    assert main(["lineage", "--downstream", "extract.shichang__qiye.法定代表人"]) == 0
    out = capsys.readouterr().out
    assert "→ release.qiye_registrations.legal_rep_name" in out


def test_an_unknown_column_is_an_error_naming_it(capsys):
    assert main(["lineage", "release.qiye_registrations.legal_rep"]) == 1
    err = capsys.readouterr().err
    assert "unknown column 'release.qiye_registrations.legal_rep'" in err
    assert "release.qiye_registrations.legal_rep_name" in err
