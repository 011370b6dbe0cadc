"""Conflicts (GX-Reg art. 18): per entity and field, each other department whose latest
value differs from the golden value.

Input: the matched mentions (as for ``survivorship.golden_records``), the golden records
and the mentions' ``SurvivorOrder``.
Output: one row per (entity, field, other department): the id column (``person_id`` /
``org_id``), ``field``, ``golden_value``, ``golden_department``, ``golden_dataset``,
``golden_batch_id``, ``golden_row_number``, ``other_value``, ``other_department``,
``other_dataset``, ``other_batch_id``, ``other_row_number`` (values as strings).
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jutong.catalog.model import EntityKind
from spark_jobs.base.mentions import kind_fields
from spark_jobs.base.steps.ids import ID_COLUMN
from spark_jobs.base.steps.survivorship import SurvivorOrder


def conflicts(
    linked: DataFrame, golden: DataFrame, kind: EntityKind, order: SurvivorOrder | None = None
) -> DataFrame:
    """Per entity and field: each other department whose latest value differs from the
    golden value, with both sources (for quality owners, GX-Reg art. 18). One pass: the
    fields are exploded into (entity, field, value) rows and joined once."""
    order = order or SurvivorOrder(linked)
    id_col = ID_COLUMN[kind]
    fields = kind_fields(kind)
    observed = (
        order.attach(linked)
        .select(
            "entity_id",
            "department",
            "_seq",
            F.explode(
                F.array(
                    *[
                        F.struct(F.lit(f).alias("field"), F.col(f).cast("string").alias("value"))
                        for f in fields
                    ]
                )
            ).alias("fv"),
        )
        .select("entity_id", "department", "_seq", "fv.field", "fv.value")
        .filter(F.col("value").isNotNull())
    )
    latest = observed.groupBy("entity_id", "department", "field").agg(
        F.max_by("value", "_seq").alias("other_value"), F.max("_seq").alias("other_seq")
    )
    gold = (
        golden.select(
            F.col(id_col).alias("entity_id"),
            F.explode(
                F.array(
                    *[
                        F.struct(
                            F.lit(f).alias("field"),
                            F.col(f).cast("string").alias("golden_value"),
                            F.col(f"{f}_source").alias("gs"),
                        )
                        for f in fields
                    ]
                )
            ).alias("g"),
        )
        .select("entity_id", "g.*")
        .filter(F.col("golden_value").isNotNull())
    )
    other = order.lineage_of(F.col("other_seq"))
    return (
        latest.join(gold, ["entity_id", "field"])
        .filter(
            (F.col("other_value") != F.col("golden_value"))
            & (F.col("department") != F.col("gs.department"))
        )
        .select(
            F.col("entity_id").alias(id_col),
            "field",
            "golden_value",
            F.col("gs.department").alias("golden_department"),
            F.col("gs.dataset").alias("golden_dataset"),
            F.col("gs.batch_id").alias("golden_batch_id"),
            F.col("gs.row_number").alias("golden_row_number"),
            F.col("other_value"),
            F.col("department").alias("other_department"),
            other["dataset"].alias("other_dataset"),
            other["batch_id"].alias("other_batch_id"),
            other["row_number"].alias("other_row_number"),
        )
    )
