"""The ledger (``<base>_ledger``): per batch and role, mentions in = matched + quarantined +
exact duplicates. Nothing is lost: a line that does not balance refuses the publish."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

KEYS = ["dataset", "batch_id", "role"]


def ledger(mentions: DataFrame, links: DataFrame, base: str, as_of: dt.date) -> DataFrame:
    """Input: all mentions (``dataset``, ``batch_id``, ``role``) and the links table (the
    same plus ``status``: matched | quarantined | duplicate).
    Output: one row per (``dataset``, ``batch_id``, ``role``): ``mentions_in``, ``matched``,
    ``quarantined``, ``duplicates`` (0 where none), ``balanced``, ``base``, ``as_of``."""
    return (
        mentions.groupBy(*KEYS)
        .agg(F.count("*").alias("mentions_in"))
        .join(
            links.groupBy(*KEYS).agg(
                F.sum(F.when(F.col("status") == "matched", 1).otherwise(0)).alias("matched"),
                F.sum(F.when(F.col("status") == "quarantined", 1).otherwise(0)).alias(
                    "quarantined"
                ),
                F.sum(F.when(F.col("status") == "duplicate", 1).otherwise(0)).alias("duplicates"),
            ),
            KEYS,
            "full",
        )
        .fillna(0)
        .withColumn(
            "balanced",
            F.col("mentions_in") == F.col("matched") + F.col("quarantined") + F.col("duplicates"),
        )
        .withColumn("base", F.lit(base))
        .withColumn("as_of", F.lit(as_of))
    )


def unbalanced(ledger_df: DataFrame) -> list[Row]:
    """The ledger lines that do not balance (one Spark action)."""
    return ledger_df.filter(~F.col("balanced")).collect()


def imbalance_message(base: str, line: Row) -> str:
    """The audit's refusal for a ledger line that does not balance."""
    return (
        f"base.{base}: ledger does not balance for {line['dataset']} batch "
        f"{line['batch_id']} role {line['role']}: {line['mentions_in']} in, {line['matched']} "
        f"matched + {line['quarantined']} quarantined + {line['duplicates']} duplicates"
    )
