"""History of the golden records (SCD type 2, ``<base>_history``): a new version only for
the entities whose golden values changed; a record as of a date is the latest version whose
``_valid_from`` is not after it."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

_LATEST_TYPE = "struct<_version:int,_record_hash:string,_valid_from:date>"


def versioned(
    golden: DataFrame,
    history: DataFrame | None,
    id_col: str,
    as_of: dt.date,
    built_at: dt.datetime,
) -> DataFrame:
    """The golden records with their version.

    Input: the golden records (``id_col``, ``_record_hash``, ...); the history so far
    (``id_col``, ``_version``, ``_record_hash``, ``_valid_from``), or None before the first
    build.
    Output: the golden records plus ``_changed`` (new entity, or values differ from its
    latest version), ``_version`` (the latest version, plus one where changed),
    ``_valid_from`` (``as_of`` where changed, else the latest version's) and ``_built_at``."""
    if history is not None:
        latest = history.groupBy(id_col).agg(
            F.max_by(F.struct("_version", "_record_hash", "_valid_from"), "_version").alias("h")
        )
        out = golden.join(latest, id_col, "left")
    else:
        out = golden.withColumn("h", F.lit(None).cast(_LATEST_TYPE))
    changed = F.col("h").isNull() | (F.col("h._record_hash") != F.col("_record_hash"))
    return (
        out.withColumn("_changed", changed)
        .withColumn(
            "_version",
            F.when(changed, F.coalesce(F.col("h._version"), F.lit(0)) + 1).otherwise(
                F.col("h._version")
            ),
        )
        .withColumn("_valid_from", F.when(changed, F.lit(as_of)).otherwise(F.col("h._valid_from")))
        .withColumn("_built_at", F.lit(built_at).cast("timestamp"))
        .drop("h")
    )


def as_of(history: DataFrame, id_col: str, on: dt.date) -> DataFrame:
    """Input: the history (``id_col``, ``_version``, ``_valid_from``, ...). Output: the same
    columns, one row per entity: its latest version valid on ``on`` (entities that did not
    exist yet are absent)."""
    w = Window.partitionBy(id_col).orderBy(F.col("_version").desc())
    return (
        history.filter(F.col("_valid_from") <= F.lit(on))
        .withColumn("_rank", F.row_number().over(w))
        .filter("_rank = 1")
        .drop("_rank")
    )
