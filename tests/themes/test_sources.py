"""The dbt project's generated sources and its marts' declarations, checked without a lake."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from jutong.catalog.loader import load_catalog
from jutong.cli import main
from jutong.themes.project import CHECKOUT_PROJECT
from jutong.themes.sources import TABLES, Col, column_pii, render_sources, stale_sources

REPO = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO / "catalog")


def _marts() -> list[dict]:
    out = []
    for path in sorted((CHECKOUT_PROJECT / "models" / "marts").rglob("*.yml")):
        out += yaml.safe_load(path.read_text(encoding="utf-8")).get("models", [])
    return out


def _source_pii(catalog) -> dict[str, str]:
    """``<zone-or-source>.<table>.<column>`` -> PII class, from the generated sources."""
    doc = yaml.safe_load(render_sources(catalog).split("\n", 2)[2])
    out = {}
    for src in doc["sources"]:
        for t in src["tables"]:
            for c in t["columns"]:
                out[f"{src['name']}.{t['name']}.{c['name']}"] = c["meta"]["pii"]
    return out


def test_committed_sources_are_not_stale(catalog):
    assert not stale_sources(catalog, CHECKOUT_PROJECT), (
        "dbt_project/models/staging/_sources.yml is stale: run `jutong themes sources --write`"
    )


def test_a_changed_catalog_makes_them_stale(catalog, tmp_path):
    (tmp_path / "models" / "staging").mkdir(parents=True)
    text = render_sources(catalog)
    (tmp_path / "models" / "staging" / "_sources.yml").write_text(
        text.replace("公民身份号码", "身份证号"), encoding="utf-8"
    )
    assert stale_sources(catalog, tmp_path)


def test_sources_check_command(tmp_path, capsys):
    assert main(["themes", "sources", "--check"]) == 0
    assert main(["themes", "sources", "--check", "--project-dir", str(tmp_path)]) == 1
    assert "stale" in capsys.readouterr().err


def test_pii_classes_come_from_the_catalog(catalog):
    by_name = {(t.name, c.name): c for t in TABLES for c in t.columns}
    assert column_pii(catalog, by_name[("population", "resident_id")]) == "resident_id"
    assert column_pii(catalog, by_name[("population", "birth_date")]) == "birth_date"
    assert column_pii(catalog, by_name[("legal_entity", "org_name")]) == "none"
    with pytest.raises(ValueError, match="golden:nothing"):
        column_pii(catalog, Col("x", "VARCHAR", "x", "x", items=("golden:nothing",)))


def test_every_mart_has_a_contract_bilingual_descriptions_and_types():
    marts = _marts()
    assert len(marts) >= 7
    project = yaml.safe_load((CHECKOUT_PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))
    marts_cfg = project["models"]["jutong_themes"]["marts"]
    assert "+contract" in marts_cfg  # enforced on DuckDB: tests/themes/test_build.py
    assert marts_cfg["+materialized"] == "table"
    for m in marts:
        assert CJK.search(m["description"]) and LATIN.search(m["description"]), m["name"]
        assert "Grain:" in m["description"] and "Question:" in m["description"], m["name"]
        for c in m["columns"]:
            where = f"{m['name']}.{c['name']}"
            assert c.get("data_type"), where
            assert CJK.search(c["description"]) and LATIN.search(c["description"]), where


def test_mart_pii_classes_follow_their_lineage(catalog):
    """Each mart column's ``meta.pii`` is the PII of the source columns it is derived from
    (``meta.derived_from``), as the generated sources classify them."""
    pii = _source_pii(catalog)
    for m in _marts():
        for c in m["columns"]:
            where = f"{m['name']}.{c['name']}"
            origins = c["meta"]["derived_from"]
            unknown = [o for o in origins if o not in pii]
            assert not unknown, f"{where}: unknown source column(s) {unknown}"
            expected = sorted({p for o in origins for p in pii[o].split("+")} - {"none"})
            assert c["meta"]["pii"] == ("+".join(expected) or "none"), where


def test_each_mart_has_data_tests_and_the_project_unit_tests():
    marts = _marts()
    for m in marts:
        tests = (
            list(m.get("data_tests", []))
            + [t for c in m["columns"] for t in c.get("data_tests", [])]
            + [k for c in m["columns"] for k in c.get("constraints", [])]
        )
        assert tests, m["name"]
    kinds = set()
    for path in (CHECKOUT_PROJECT / "models").rglob("*.yml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for m in doc.get("models", []):
            for t in m.get("data_tests", []) + [
                t for c in m.get("columns", []) for t in c.get("data_tests", [])
            ]:
                kinds.add(t if isinstance(t, str) else next(iter(t)))
        kinds |= {"unit_test"} if doc.get("unit_tests") else set()
    assert {"unique", "not_null", "relationships", "accepted_values", "unit_test"} <= kinds
