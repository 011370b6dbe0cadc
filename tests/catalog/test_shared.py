"""The bureau's base and theme resources on the share list (``catalog/shared/``): loaded with
the catalog, every problem naming its file and field, found by ``shareable`` beside the
department entries, shown by ``jutong catalog show`` and ``jutong share resources``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jutong.catalog import load_catalog
from jutong.catalog.model import BaseDatabase, ShareType
from jutong.cli import main
from tests.catalog.conftest import edit, problems


def test_repository_share_list(repo_root: Path):
    cat = load_catalog(repo_root / "catalog")
    assert {"base.population", "base.legal_entity", "theme.ss_insurance_coverage"} <= set(
        cat.shared
    )
    pop = cat.shareable("base.population")
    assert pop.kind == "base" and pop.base is BaseDatabase.population
    assert pop.department == "dashuju" and pop.source_table == "base.population"
    assert pop.share.type is ShareType.conditional and pop.share.legal_basis
    assert cat.shareable("gongan.huji").source_table == "staging.gongan__huji"
    listed = [r.id for r in cat.share_list()]
    assert listed.index("ziranziyuan.zongdi") < listed.index("base.legal_entity")  # entries first
    assert len(listed) == len(cat) + len(cat.shared)
    with pytest.raises(KeyError, match="no catalog entry or shared resource 'base.nope'"):
        cat.shareable("base.nope")
    assert "base.population" not in {e.id for e in cat}  # not a department dataset


@pytest.mark.parametrize(
    ("mutate", "text"),
    [
        (lambda d: d.update(id="staging.population"), "id: 'staging.population' is not"),
        (lambda d: d.update(id="base.weather"), "'weather' is not a table of a base database"),
        (lambda d: d["items"].append(dict(d["items"][1])), "listed more than once: resident_id"),
        (lambda d: d["items"][0].pop("reason"), "'person_id': an explicit policy needs a reason"),
        (lambda d: d["share"].pop("legal_basis"), "needs a legal_basis (LZ-Rules art. 22)"),
        (lambda d: d.update(department="nobody"), "department: 'nobody' is not in"),
        (lambda d: d["items"][2].update(sensitivty=3), "items[2].sensitivty (item 'name')"),
    ],
)
def test_bad_shared_resource_names_file_and_field(cat_dir: Path, mutate, text: str):
    edit(cat_dir / "shared" / "base.population.yaml", mutate)
    found = problems(cat_dir)
    assert any("base.population.yaml" in p and text in p for p in found), found


def test_file_name_and_clash_with_an_entry(cat_dir: Path):
    shutil.copy(cat_dir / "shared" / "base.population.yaml", cat_dir / "shared" / "base.x.yaml")
    assert any(
        "base.x.yaml: id: 'base.population' but the file is named" in p for p in problems(cat_dir)
    )


def test_cli_show_and_share_resources(cat_dir: Path, capsys, monkeypatch):
    assert main(["catalog", "--catalog", str(cat_dir), "show", "base.population"]) == 0
    out = capsys.readouterr().out
    assert "自治区大数据发展局 (dashuju)" in out and "base table base.population" in out
    assert "pseudonym" in out and "(lineage)" in out
    assert main(["catalog", "--catalog", str(cat_dir), "list"]) == 0
    assert "base/theme resource(s) of the bureau" in capsys.readouterr().out

    monkeypatch.setenv("JUTONG_CATALOG_DIR", str(cat_dir))
    assert main(["share", "resources", "--kind", "theme", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got and all(r["kind"] == "theme" and r["provider"] == "dashuju" for r in got)
    assert {"name": "age_band", "label": "年龄段"} in next(
        r["items"] for r in got if r["id"] == "theme.ss_insurance_coverage"
    )
    assert main(["share", "resources"]) == 0
    out = capsys.readouterr().out
    assert "gongan.huji" in out and "基础库 base" in out and "resource(s) on the share list" in out
