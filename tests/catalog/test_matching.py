"""Entity-resolution settings in the catalog (catalog/matching.yaml): defaults, per-base
values, and a bad file refused by the catalog loader naming the file, base and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jutong.catalog import CatalogError, load_catalog
from jutong.catalog.matching import DEFAULT, MatchSettings
from jutong.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    out = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", out)
    return out


def test_the_repositorys_file_holds_the_defaults():
    cat = load_catalog(REPO / "catalog")
    assert cat.match_settings("population") == DEFAULT
    assert cat.match_settings("legal_entity") == DEFAULT
    assert (DEFAULT.match_upper, DEFAULT.match_lower, DEFAULT.review_candidates) == (0.99, 0.6, 3)


def test_absent_file_or_base_gives_the_defaults(catalog_dir):
    (catalog_dir / "matching.yaml").unlink()
    assert load_catalog(catalog_dir).match_settings("population") == DEFAULT
    (catalog_dir / "matching.yaml").write_text(
        "legal_entity:\n  match_upper: 0.97\n", encoding="utf-8"
    )
    cat = load_catalog(catalog_dir)
    assert cat.match_settings("population") == DEFAULT
    assert cat.match_settings("legal_entity") == MatchSettings(match_upper=0.97)


@pytest.mark.parametrize(
    "body, message",
    [
        ("population:\n  match_lower: 0.99\n", "population: match_lower (0.99) must be below"),
        ("population:\n  match_upper: 1.5\n", "population.match_upper: Input should be less"),
        ("population:\n  threshold: 0.9\n", "population.threshold: Extra inputs"),
        ("spatial:\n  match_upper: 0.9\n", "'spatial' is not an entity base database"),
        ("- population\n", "expected a mapping of base database -> settings"),
        ("population: [\n", "not valid YAML"),
    ],
)
def test_a_bad_file_is_refused_naming_base_and_field(catalog_dir, body, message):
    path = catalog_dir / "matching.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(catalog_dir)
    assert any(p.startswith(f"{path}: ") and message in p for p in err.value.problems), (
        err.value.problems
    )


def test_catalog_validate_reports_it(catalog_dir, capsys):
    (catalog_dir / "matching.yaml").write_text(
        "population:\n  match_lower: 0.995\n", encoding="utf-8"
    )
    assert main(["catalog", "--catalog", str(catalog_dir), "validate"]) != 0
    out = capsys.readouterr()
    assert "matching.yaml" in out.out + out.err and "match_lower" in out.out + out.err
