"""Release definitions in the catalog: loading, errors naming file and field, and
``jutong catalog validate`` checking them with the entries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from jutong.catalog import releases as D
from jutong.cli import main


@pytest.fixture()
def cat_dir(tmp_path: Path, repo_root: Path) -> Path:
    d = tmp_path / "catalog"
    shutil.copytree(repo_root / "catalog", d)
    return d


def test_definitions_load_and_bad_ones_name_file_and_field(settings):
    defs = D.load_definitions(settings)
    assert {"qiye_registrations", "population_by_county_sex_age"} <= set(defs)
    bad = D.releases_dir(settings) / "broken.yaml"
    bad.write_text(
        "id: broken\ntitle: x\ncatalog_entry: a.b\nsource: {zone: base, table: t}\n"
        "kind: records\ncolumns: [{name: a, policy: keep}]\n",
        encoding="utf-8",
    )
    with pytest.raises(D.ReleaseError, match=r"broken.yaml: columns.*needs a reason"):
        D.load_definitions(settings)


def test_definitions_load_from_a_catalog_folder(cat_dir: Path):
    defs = D.load_definitions(cat_dir)
    agg = defs["population_by_county_sex_age"]
    assert agg.kind == "aggregate" and agg.aggregate.dimensions == [
        "county_code",
        "sex",
        "age_band",
    ]
    assert defs["qiye_registrations"].purpose == "release_qiye_registrations"
    with pytest.raises(D.ReleaseError, match="no release definition 'nope'.*known: "):
        D.get_definition(cat_dir, "nope")


def test_validate_covers_release_definitions(cat_dir: Path, capsys):
    assert main(["catalog", "--catalog", str(cat_dir), "validate"]) == 0
    assert "2 release definition(s)" in capsys.readouterr().out

    path = cat_dir / "releases" / "population_by_county_sex_age.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["aggregate"]["dimensions"] = ["county_code", "sexx"]
    data["kind"] = "statistics"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (cat_dir / "releases" / "orphan.yaml").write_text(
        "id: orphan\ntitle: x\ncatalog_entry: gongan.nope\nsource: {zone: base, table: t}\n"
        "kind: records\ncolumns: [{name: a}]\n",
        encoding="utf-8",
    )
    assert main(["catalog", "--catalog", str(cat_dir), "validate"]) == 1
    err = capsys.readouterr().err
    assert "2 problem(s)" in err
    assert (
        "population_by_county_sex_age.yaml: kind: Input should be 'records' or 'aggregate'" in err
    )
    assert "orphan.yaml: catalog_entry: no catalog entry 'gongan.nope'" in err


def test_validate_reports_catalog_and_definition_problems_together(cat_dir: Path, capsys):
    (cat_dir / "gongan" / "huji.yaml").write_text("id: gongan.huji\n", encoding="utf-8")
    (cat_dir / "releases" / "qiye_registrations.yaml").write_text("id: [\n", encoding="utf-8")
    assert main(["catalog", "--catalog", str(cat_dir), "validate"]) == 1
    err = capsys.readouterr().err
    assert "huji.yaml: title: Field required" in err
    assert "qiye_registrations.yaml: not valid YAML" in err
