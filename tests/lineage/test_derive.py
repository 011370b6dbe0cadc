"""Column lineage derived from the repository's catalog, dbt project and release definitions
(real files, dbt compile and sqlglot; no mock): a release column traced hop by hop down to
the department's extract column (可溯, GX-Dispatch art. 42)."""

from __future__ import annotations

import pytest
import yaml

from jutong.lineage.catalog_edges import ID_COLUMN, KEY_COLUMN
from jutong.lineage.derive import derive_edges
from jutong.lineage.graph import Lineage, table_inputs
from jutong.lineage.model import ROWS, Hop
from jutong.themes.policies import mart_columns
from jutong.themes.project import CHECKOUT_PROJECT
from tests.lineage.conftest import REPO


@pytest.fixture(scope="module")
def edges(catalog):
    return derive_edges(catalog, REPO / "catalog", CHECKOUT_PROJECT)


@pytest.fixture(scope="module")
def graph(edges):
    return Lineage(edges)


def _chain(graph: Lineage, column: str, *, want: str) -> list:
    """The edges from ``column`` up to the extract column ``want`` (one path)."""

    def walk(col, trail):
        if col == want:
            return trail
        for e in graph.up.get(col, []):
            if e.source is not None and (found := walk(e.source, [*trail, e])):
                return found
        return None

    found = walk(column, [])
    assert found, f"{column} does not reach {want}"
    return found


def test_a_records_release_column_reaches_the_department_extract_column(graph):
    chain = _chain(
        graph,
        "release.qiye_registrations.legal_rep_name",
        want="extract.shichang__qiye.法定代表人",
    )
    assert [(e.target, e.hop, e.transform) for e in chain] == [
        ("release.qiye_registrations.legal_rep_name", "release", "masked"),
        ("base.legal_entity.legal_rep_name", "base", "survivorship"),
        ("staging.shichang__qiye.legal_rep_name", "standardize", "standardized"),
        ("raw.shichang__qiye.legal_rep_name", "ingest", "renamed"),
    ]
    release, base, staging, raw = chain
    assert "mask (person_name)" in release.detail  # masking.policies' open policy
    assert "一数一源" in base.detail and "市场监督管理局" in base.detail  # authoritative_for
    assert "rule person_name" in staging.detail
    assert "'法定代表人'" in raw.detail
    assert all(e.article == Hop(e.hop).article for e in chain)
    assert Hop.ingest.article.startswith("GX-Dispatch art. 42")


def test_an_aggregate_release_column_goes_through_dbt_to_every_source_of_the_field(graph):
    extracts = graph.extract_columns("release.population_by_county_sex_age.age_band")
    # birth dates: the household register (authoritative) and, where it has none, insurance
    assert extracts == ["extract.gongan__huji.出生日期", "extract.renshe__shebao.csrq"]
    chain = _chain(
        graph, "release.population_by_county_sex_age.age_band", want="extract.gongan__huji.出生日期"
    )
    assert [e.target.split(".")[0] for e in chain] == [
        "release",
        "theme",
        "dbt",
        "base",
        "staging",
        "raw",
    ]
    mart = chain[1]
    assert mart.transform == "derived" and "YEAR(as_of)" in mart.detail  # sqlglot's expression
    assert chain[2].target == "dbt.stg_base__persons.birth_date"


def test_a_count_reaches_the_keys_its_records_are_resolved_by(graph):
    [count] = graph.up["release.population_by_county_sex_age.count"]
    assert count.source == "theme.pop_registered_by_county_sex_age.residents"
    assert count.transform == "aggregated" and "below 5" in count.detail
    [residents] = graph.up["theme.pop_registered_by_county_sex_age.residents"]
    assert residents.source == f"dbt.stg_base__persons.{ROWS}"
    assert "COUNT(*)" in residents.detail
    assert "extract.gongan__huji.公民身份号码" in graph.extract_columns(
        "release.population_by_county_sex_age.count"
    )


def test_every_catalog_item_has_its_extract_raw_and_staging_hops(catalog, graph):
    for entry in catalog:
        for it in entry.items:
            t = entry.table_name
            [raw] = graph.up[f"raw.{t}.{it.name}"]
            assert raw.source == f"extract.{t}.{it.column}"
            [std] = graph.up[f"staging.{t}.{it.name}"]
            assert std.source == f"raw.{t}.{it.name}"
            assert std.detail.startswith(f"rule {it.standardize_rule.value}")


def test_survivorship_names_the_authoritative_source_and_the_fallbacks(catalog, graph):
    by_source = {e.source: e.detail for e in graph.up["base.population.name"]}
    assert "authoritative source (一数一源)" in by_source["staging.gongan__huji.name"]
    assert (
        "used only where the authoritative gongan.huji"
        in (by_source["staging.minzheng__hunyin.male_name"])
    )
    marital = {e.detail for e in graph.up["base.population.marital_status"]}
    assert len(marital) == 2  # husband and wife of a marriage registration
    assert all("values mapped 结婚→已婚" in d for d in marital)
    constants = [e for e in graph.up["base.population.sex"] if e.source is None]
    assert {e.transform for e in constants} == {"constant"} and len(constants) == 2


def test_mart_lineage_from_the_sql_covers_the_declared_sources(edges):
    """sqlglot over the compiled SQL finds at least the sources a mart column declares
    (``meta.derived_from``; counts aside: a count reads rows, not a column)."""

    def dbt_source_name(src: str) -> str:  # staging.minzheng__hunyin.x -> minzheng.hunyin.x
        zone, table, col = src.split(".", 2)
        return f"{table.replace('__', '.', 1)}.{col}" if zone == "staging" else src

    graph = Lineage(edges)
    inputs: dict[str, dict] = {}
    for mart, col in mart_columns(CHECKOUT_PROJECT):
        target = f"theme.{mart}.{col['name']}"
        assert target in graph.up, f"{target}: no lineage"
        if any("COUNT(" in e.detail for e in graph.up[target]):
            continue
        ins = inputs.setdefault(mart, table_inputs(edges, f"theme.{mart}"))
        derived = {dbt_source_name(s) for s, _ in ins.get(col["name"], [])}
        declared = set(col["meta"]["derived_from"])
        assert declared <= derived, f"{target}: declared {declared}, derived {derived}"


def test_key_and_id_columns_are_the_base_builds(graph):
    from spark_jobs.base.steps import ids

    assert {k.value: v for k, v in ID_COLUMN.items()} == {
        k.value: v for k, v in ids.ID_COLUMN.items()
    }
    assert {k.value: v for k, v in KEY_COLUMN.items()} == {
        k.value: v for k, v in ids.KEY_COLUMN.items()
    }


def test_every_edge_is_well_formed(edges, catalog):
    assert len(edges) == len({e.sort_key() for e in edges})
    hops = {h.value for h in Hop}
    zones = {"extract", "raw", "staging", "base", "dbt", "theme", "release"}
    for e in edges:
        assert e.hop in hops and e.article == Hop(e.hop).article, e
        for name in (e.target, e.source):
            if name is not None:
                assert name.split(".", 1)[0] in zones and name.count(".") >= 2, e
    # every release column of the definitions is known (dropped ones excepted: none here)
    defs = [
        yaml.safe_load(p.read_text("utf-8")) for p in (REPO / "catalog/releases").glob("*.yaml")
    ]
    for d in defs:
        for c in d["columns"]:
            assert f"release.{d['id']}.{c['name']}" in {e.target for e in edges}
