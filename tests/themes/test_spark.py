"""The theme project on Spark (dbt-spark, session method, local Spark): the same SQL runs
there — one mart and the age logic, on the tiny lake's tables."""

from __future__ import annotations

import pytest

from jutong.themes.spark import run_on_spark
from tests.themes import tiny_lake

pytestmark = pytest.mark.spark

SOURCES = {
    "base.population": tiny_lake.persons,
    "base.spatial_division": tiny_lake.divisions,
    "base.spatial_parcel": tiny_lake.parcels,
}


@pytest.fixture()
def spark_lake(spark, tmp_path):
    """The source tables as external Parquet tables, and the databases dbt writes to, all
    under ``tmp_path`` (nothing in the session's default warehouse)."""
    import pyarrow.parquet as pq

    for db in ("base", "build", "theme"):
        spark.sql(f"CREATE DATABASE IF NOT EXISTS {db} LOCATION '{tmp_path / db}'")
    for ident, make in SOURCES.items():
        folder = tmp_path / "files" / ident
        folder.mkdir(parents=True)
        pq.write_table(make(), folder / "part-0.parquet")
        spark.sql(f"CREATE TABLE {ident} USING parquet LOCATION '{folder}'")
    yield spark
    for db in ("theme", "build", "base"):
        spark.sql(f"DROP DATABASE IF EXISTS {db} CASCADE")


def test_a_mart_and_the_age_logic_run_on_spark(spark_lake, lake_settings):
    target = run_on_spark(
        lake_settings,
        "+nr_parcels_by_county +int_persons_aged",
        as_of=tiny_lake.AS_OF.isoformat(),
    )
    compiled = next((target / "compiled").rglob("int_persons_aged.sql")).read_text()
    assert "date_format(" in compiled and "strftime(" not in compiled  # Spark's dialect
    rows = spark_lake.sql(
        "SELECT county_code, holder_kind, land_use, parcels, CAST(area_m2 AS STRING) "
        "FROM theme.nr_parcels_by_county ORDER BY 1, 2"
    ).collect()
    assert [tuple(r) for r in rows] == [
        ("450102", "org", "工业用地", 1, "2000.0000"),
        ("450102", "person", "农村宅基地", 1, "100.5000"),
        ("450103", "person", "农村宅基地", 1, "50.0000"),
    ]
    ages = dict(spark_lake.sql("SELECT person_id, age FROM build.int_persons_aged").collect())
    # P4 was born on 2000-11-01: 26 on the as-of day itself
    assert ages == {"P1": 36, "P2": 34, "P3": 66, "P4": 26}
