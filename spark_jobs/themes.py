"""The theme databases built on Spark and published into the lake (``jutong themes build
--engine spark``; GX design: "at scale, dbt-spark against the cluster").

The same dbt project as the embedded build (``jutong.themes.build``), on the platform's Spark
session (``spark_jobs.session``; the cluster of ``spark_master``):

1. the refusals of the embedded build first: every source table's declared columns present
   (``check_lake``) and every mart column reaching personal information with a masking policy
   (``policy_problems``);
2. each source table read from the lake — the base tables at the newest unit they were all
   published in (never a base with the links of another build), the staging registers at
   their current snapshot, a register not delivered yet as an empty table of its declared
   columns — into the databases ``base`` and ``staging`` of the session, under a scratch
   warehouse in the lake's theme folder;
3. ``dbt build --target spark`` (session method): models, unit tests and data tests — the
   tests are the audit: one failure and nothing is published;
4. every mart written as new files of ``theme.<mart>`` and published as **one unit** by
   write-audit-publish (``spark_jobs.lake.publish_tables``; each audited for dbt's row count),
   exactly as the embedded build publishes them.

The scratch databases are dropped afterwards; they are never referenced by a commit.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from collections.abc import Callable

from pyspark.sql import SparkSession

from jutong.lake import AuditError, Lake, Zone
from jutong.settings import Settings
from jutong.themes import lakeviews
from jutong.themes.build import MART_SCHEMA, ThemeBuild, ThemeBuildError
from jutong.themes.policies import mart_names, policy_problems
from jutong.themes.project import project_dir, theme_dir
from jutong.themes.sources import TABLES, SourceTable, check_lake
from jutong.themes.spark import SparkTargetError, build_on_spark
from spark_jobs.lake import count_at, publish_tables, read_table

# dbt's databases on Spark: the sources, the staging/intermediate models, the marts
DATABASES = ("base", "staging", "build", MART_SCHEMA)
_DUCK_TO_SPARK = {"VARCHAR": "STRING", "BIGINT": "BIGINT", "BOOLEAN": "BOOLEAN", "DATE": "DATE"}


def spark_type(duckdb_type: str) -> str:
    """The Spark SQL type of a declared source column (``jutong.themes.sources``)."""
    if re.fullmatch(r"DECIMAL\(\d+,\d+\)", duckdb_type):
        return duckdb_type
    try:
        return _DUCK_TO_SPARK[duckdb_type]
    except KeyError:
        raise ValueError(f"no Spark type for the declared type '{duckdb_type}'") from None


def _empty(spark: SparkSession, t: SourceTable):
    ddl = ", ".join(f"`{c.name}` {spark_type(c.data_type)}" for c in t.columns)
    return spark.createDataFrame([], ddl)


def _sources(spark: SparkSession, lake: Lake, warehouse, say) -> None:
    base_names = [t.name for t in TABLES if t.zone is Zone.base]
    pinned = lakeviews.unit_snapshots(lake, Zone.base, base_names)
    for db in DATABASES:
        spark.sql(f"DROP DATABASE IF EXISTS {db} CASCADE")
        spark.sql(f"CREATE DATABASE {db} LOCATION '{warehouse / db}'")
    for t in TABLES:
        df = read_table(spark, lake, t.zone, t.name, pinned.get(t.name))
        if df is None:
            if t.zone is not Zone.staging:
                raise ThemeBuildError(f"{t.zone.value}.{t.name}: nothing to build the themes from")
            say(f"  WARNING {t.zone.value}.{t.name}: no published batch (yet), read as empty")
            df = _empty(spark, t)
        # only the declared columns: the project reads nothing else
        df.select(*[f"`{c.name}`" for c in t.columns]).write.saveAsTable(f"{t.zone.value}.{t.name}")


def _drop(spark: SparkSession, warehouse) -> None:
    for db in DATABASES:
        spark.sql(f"DROP DATABASE IF EXISTS {db} CASCADE")
    shutil.rmtree(warehouse, ignore_errors=True)


def _row_audit(mart: str, expected: int) -> Callable[[object, int], None]:
    def audit(table, snapshot_id: int) -> None:
        n = count_at(table, snapshot_id)
        if n != expected:
            raise AuditError(f"theme.{mart}: branch holds {n} rows, dbt built {expected}")

    return audit


def build_themes_on_spark(
    settings: Settings,
    *,
    as_of: dt.date | None = None,
    lake: Lake | None = None,
    spark: SparkSession | None = None,
    progress: Callable[[str], None] | None = None,
) -> ThemeBuild:
    """Build every mart on Spark and publish them to the ``theme`` zone (see the module doc)."""
    from spark_jobs.session import get_spark

    start = time.monotonic()
    say = progress or (lambda _msg: None)
    lake = lake or Lake(settings)
    res = ThemeBuild((as_of or dt.date.today()).isoformat())
    project = project_dir(settings)
    problems = check_lake(lake) + policy_problems(project)
    if problems:
        raise ThemeBuildError("cannot build the themes: " + "; ".join(problems))
    spark = spark or get_spark(settings, "jutong-themes")
    warehouse = theme_dir(settings) / "_dbt_spark" / "warehouse"
    say(f"themes on Spark ({spark.sparkContext.master}): reading {len(TABLES)} lake tables")
    try:
        _sources(spark, lake, warehouse, say)
        say("themes on Spark: dbt build (unit tests, models, data tests) …")
        try:
            results = build_on_spark(settings, as_of=res.as_of)
        except SparkTargetError as err:
            raise ThemeBuildError(
                f"{err}. Nothing was published; the theme zone is unchanged"
            ) from None
        res.tests_passed = results
        marts = mart_names(project)
        frames = {m: spark.table(f"{MART_SCHEMA}.{m}").cache() for m in marts}
        rows = {m: df.count() for m, df in frames.items()}
        say(f"themes on Spark: dbt build passed ({results} tests); publishing {len(marts)} marts")
        snapshots = publish_tables(
            lake,
            Zone.theme,
            "themes",
            frames,
            properties={
                "jutong.as_of": res.as_of,
                "jutong.operation": "themes build",
                "jutong.engine": "spark",
            },
            audits={m: _row_audit(m, rows[m]) for m in marts},
        )
        for df in frames.values():
            df.unpersist()
    finally:
        _drop(spark, warehouse)
    res.marts = rows
    res.snapshots = {k.split(".", 1)[1]: v for k, v in snapshots.items()}
    for mart, n in res.marts.items():
        say(f"  theme.{mart}: {n:,} rows")
    res.seconds = time.monotonic() - start
    return res
