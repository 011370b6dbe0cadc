"""What the spatial and licence builds share: a register's latest records joined to the
holders the entity builds resolved, the build's outputs and their one-unit publish."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from jutong.lake import AuditError, Lake
from spark_jobs.base.entities import BASE_ZONE, STAGING_ZONE
from spark_jobs.lake import count_at, publish_tables, read_table, read_unit


@dataclass
class PlaceBuild:
    base: str
    as_of: str
    tables: dict[str, int]
    flagged: int = 0
    rows_in: int = 0
    duplicates: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def latest_records(df: DataFrame, key: str) -> tuple[DataFrame, DataFrame]:
    """(one row per key: the most recent delivery; the older rows it supersedes)."""
    w = Window.partitionBy(key).orderBy(
        F.col("_loaded_at").desc(), F.col("_batch_id").desc(), F.col("_row_number").desc()
    )
    ranked = df.withColumn("_rank", F.row_number().over(w))
    return ranked.filter("_rank = 1").drop("_rank"), ranked.filter("_rank > 1").drop("_rank")


def source_struct() -> F.Column:
    return F.struct(
        F.col("_department").alias("department"),
        F.col("_dataset").alias("dataset"),
        F.col("_batch_id").alias("batch_id"),
        F.col("_row_number").alias("row_number"),
        F.col("_loaded_at").alias("loaded_at"),
    )


def holders_of(spark: SparkSession, lake: Lake, dataset: str) -> DataFrame:
    """mention_id -> holder person/org id (and why none), from the entity builds' links."""
    frames = []
    for base, col in (("population", "holder_person_id"), ("legal_entity", "holder_org_id")):
        # the links of the build whose base table is published (one unit)
        links = read_unit(spark, lake, BASE_ZONE, [f"{base}_links", base])[f"{base}_links"]
        if links is None:
            raise AuditError(
                f"base.{base}_links does not exist: build {base} before the licence and "
                "spatial databases"
            )
        frames.append(
            links.filter((F.col("dataset") == dataset) & (F.col("role") == "holder")).select(
                F.col("mention_id"),
                F.lit(base).alias("holder_base"),
                F.col("entity_id").alias(col),
                F.when(F.col("entity_id").isNull(), F.col("reason")).alias("holder_reason"),
            )
        )
    cols = ["mention_id", "holder_base", "holder_person_id", "holder_org_id", "holder_reason"]
    a = frames[0].withColumn("holder_org_id", F.lit(None).cast("string")).select(*cols)
    b = frames[1].withColumn("holder_person_id", F.lit(None).cast("string")).select(*cols)
    return a.unionByName(b)


def holder_mention_id(dataset: str) -> F.Column:
    return F.concat_ws("|", F.lit(dataset), "_batch_id", "_row_number", F.lit("holder"))


def read_register(spark: SparkSession, lake: Lake, entry) -> tuple[DataFrame, DataFrame]:
    """(the register's staging table, its holders from the entity builds' links)."""
    staged = read_table(spark, lake, STAGING_ZONE, entry.table_name)
    if staged is None:
        raise AuditError(f"staging.{entry.table_name} does not exist: nothing to build from")
    return staged, holders_of(spark, lake, entry.id)


def records_with_holders(staged: DataFrame, holders: DataFrame, dataset: str, key: str):
    """(rows in, exact duplicates, latest record per ``key`` joined to its resolved holder,
    the older records it supersedes) of one register's staging table.

    Input: the staging rows (``key``, ``_batch_id``, ``_row_number``, ``_loaded_at``,
    ``_duplicate_of``, ...) and the holders (``mention_id``, ``holder_base``,
    ``holder_person_id``, ``holder_org_id``, ``holder_reason``). The latest records carry
    the staging columns plus ``mention_id`` and the holder columns."""
    rows_in = staged.count()
    dups = staged.filter(F.col("_duplicate_of").isNotNull()).count()
    latest, older = latest_records(staged.filter(F.col("_duplicate_of").isNull()), key)
    joined = latest.withColumn("mention_id", holder_mention_id(dataset)).join(
        holders, "mention_id", "left"
    )
    return rows_in, dups, joined, older


@dataclass
class PlaceOutputs:
    """Every table of one spatial or licence build (computed, not yet published):
    ``tables`` (name -> rows, in publish order; each replaces the current rows),
    ``expected_rows`` (the row count each audited table must have on its branch), the
    build's summary, the frames cached while computing and (licences) the count per state."""

    summary: PlaceBuild
    tables: dict[str, DataFrame]
    expected_rows: dict[str, int]
    cached: list[DataFrame] = field(default_factory=list)
    states: dict[str | None, int] = field(default_factory=dict)  # licences per state

    def release(self) -> None:
        for df in self.cached:
            df.unpersist()


def publish_places(lake: Lake, outputs: PlaceOutputs, *, properties: dict[str, str]) -> None:
    """Publish every table of ``outputs`` as one unit by write-audit-publish (see
    ``entities.publish_outputs``); a table in ``expected_rows`` is audited for its row
    count."""
    publish_tables(
        lake,
        BASE_ZONE,
        f"build.{next(iter(outputs.tables))}",
        outputs.tables,
        properties=properties,
        audits={n: row_count_audit(n, rows) for n, rows in outputs.expected_rows.items()},
    )


def row_count_audit(name: str, expected: int):
    def audit(table, sid: int) -> None:
        if count_at(table, sid) != expected:
            raise AuditError(f"base.{name}: row count differs on the branch")

    return audit


def holder_kind() -> F.Column:
    """person | org from the row's own 证件类型 (``holder_id_type``); null when it names neither."""
    return F.when(F.col("holder_id_type") == "居民身份证", "person").when(
        F.col("holder_id_type") == "统一社会信用代码", "org"
    )
