"""The theme databases built on Spark (dbt-spark, session method, local Spark) and published
into the lake: the same marts, row for row, as the embedded DuckDB build publishes; a failing
dbt test publishes nothing."""

from __future__ import annotations

import shutil

import pytest

from jutong.lake import Lake, Zone
from jutong.themes.build import ThemeBuildError, build_themes
from jutong.themes.project import CHECKOUT_PROJECT
from jutong.themes.sources import TABLES
from spark_jobs.themes import build_themes_on_spark, spark_type
from tests.themes import tiny_lake

# the whole project built on DuckDB once and on Spark twice: in `make test-e2e`
pytestmark = [pytest.mark.spark, pytest.mark.e2e]


def _marts(lake: Lake) -> dict[str, list[tuple]]:
    out = {}
    for name in lake.tables(Zone.theme):
        rows = lake.table(Zone.theme, name).scan().to_arrow().to_pylist()
        out[name] = sorted(tuple(str(v) for v in r.values()) for r in rows)
    return out


def test_spark_build_publishes_the_marts_the_embedded_build_publishes(spark, lake_settings):
    lake = Lake(lake_settings)
    embedded = build_themes(lake_settings, as_of=tiny_lake.AS_OF, docs=False)
    expected = _marts(lake)
    before = {m: lake.table(Zone.theme, m).current_snapshot().snapshot_id for m in expected}
    said: list[str] = []
    res = build_themes_on_spark(
        lake_settings, as_of=tiny_lake.AS_OF, spark=spark, progress=said.append
    )
    assert res.marts == embedded.marts and res.tests_passed == embedded.tests_passed
    lake = Lake(lake_settings)
    assert _marts(lake) == expected  # the same numbers, row for row
    for m in expected:
        snap = lake.table(Zone.theme, m).current_snapshot()
        assert snap.snapshot_id != before[m] and snap.summary["jutong.engine"] == "spark"
    assert any("themes on Spark: dbt build passed" in s for s in said)
    assert not spark.catalog.databaseExists("base")  # the scratch databases are gone

    # a failing dbt test on Spark: refused, the theme zone unchanged
    project = lake_settings.home / "dbt_project"
    shutil.copytree(CHECKOUT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "tests" / "always_fails.sql").write_text("select 1 as failure\n")
    now = {m: lake.table(Zone.theme, m).current_snapshot().snapshot_id for m in expected}
    try:
        with pytest.raises(ThemeBuildError, match="always_fails.*Nothing was published"):
            build_themes_on_spark(lake_settings, as_of=tiny_lake.AS_OF, spark=spark)
    finally:
        shutil.rmtree(project)
    lake = Lake(lake_settings)
    assert {m: lake.table(Zone.theme, m).current_snapshot().snapshot_id for m in now} == now


def test_every_declared_source_type_has_a_spark_type():
    assert {spark_type(c.data_type) for t in TABLES for c in t.columns} <= {
        "STRING",
        "BIGINT",
        "BOOLEAN",
        "DATE",
        "DECIMAL(20,4)",
    }
    with pytest.raises(ValueError, match="no Spark type for the declared type 'BLOB'"):
        spark_type("BLOB")
