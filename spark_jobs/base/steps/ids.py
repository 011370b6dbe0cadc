"""Entity keys and ids: the normalized key of each mention (exact match), and the ids of
keys not seen before.

A key keeps its entity id across runs (the key map ``<base>_keys``: ``key``, ``entity_id``,
``first_seen``); new keys get the next numbers after the highest id, in key order.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from jutong.catalog.model import EntityKind

ID_PREFIX = {EntityKind.person: "P", EntityKind.org: "E"}
ID_COLUMN = {EntityKind.person: "person_id", EntityKind.org: "org_id"}
KEY_COLUMN = {EntityKind.person: "resident_id", EntityKind.org: "uscc"}


def canonical_keys(mentions: DataFrame, kind: EntityKind) -> DataFrame:
    """The mentions that are not exact duplicates, each with its usable key.

    Input: mentions (``spark_jobs.base.mentions`` shape: ``duplicate_of``, ``key``,
    ``legacy_kind``, ``legacy_code``, ``registration_no`` for organisations, ...).
    Output: the rows whose ``duplicate_of`` is null, with ``via`` (``exact`` for a valid
    key, ``legacy_code`` for an organisation found by a legacy organisation code or
    registration number that maps to exactly one credit code — GB 32100: the organisation
    code is positions 9–17 — else null) and ``key`` set to that credit code for the latter.
    """
    canon = mentions.filter(F.col("duplicate_of").isNull())
    if kind is not EntityKind.org:
        return canon.withColumn("via", F.when(F.col("key").isNotNull(), F.lit("exact")))
    keyed = canon.filter(F.col("key").isNotNull())
    by_orgcode = keyed.select(
        F.lit("legacy_orgcode").alias("legacy_kind"),
        F.substring("key", 9, 9).alias("legacy_code"),
        F.col("key").alias("mapped"),
    )
    by_regno = keyed.filter(F.col("registration_no").isNotNull()).select(
        F.lit("legacy_regno").alias("legacy_kind"),
        F.col("registration_no").alias("legacy_code"),
        F.col("key").alias("mapped"),
    )
    codes = (
        by_orgcode.unionByName(by_regno)
        .distinct()
        .groupBy("legacy_kind", "legacy_code")
        .agg(F.count("*").alias("n"), F.first("mapped").alias("mapped"))
        .filter("n = 1")  # a code shared by two credit codes maps to neither
        .drop("n")
    )
    out = canon.join(F.broadcast(codes), ["legacy_kind", "legacy_code"], "left")
    return (
        out.withColumn(
            "via",
            F.when(F.col("key").isNotNull(), F.lit("exact")).when(
                F.col("mapped").isNotNull(), F.lit("legacy_code")
            ),
        )
        .withColumn("key", F.coalesce("key", "mapped"))
        .drop("mapped")
    )


def highest_number(keymap: DataFrame) -> int:
    """The highest id number in a key map (0 when it is empty): ``P0000000042`` -> 42."""
    top = keymap.agg(F.max(F.substring("entity_id", 2, 20).cast("long")).alias("top")).collect()[0][
        "top"
    ]
    return int(top or 0)


def new_keys(
    keys: DataFrame, existing: DataFrame, prefix: str, as_of: dt.date, top: int
) -> DataFrame:
    """The keys of ``keys`` not in the key map ``existing``, numbered after ``top`` in key
    order.

    Input: ``keys`` with ``key``; ``existing`` with ``key``.
    Output: ``key``, ``entity_id`` (``prefix`` + the number in 10 digits), ``first_seen``
    (``as_of``), one row per new key.
    """
    return (
        keys.select("key")
        .distinct()
        .join(existing.select("key"), "key", "left_anti")
        .withColumn("n", F.row_number().over(Window.orderBy("key")) + F.lit(top))
        .select(
            "key",
            F.concat(F.lit(prefix), F.lpad(F.col("n").cast("string"), 10, "0")).alias("entity_id"),
            F.lit(as_of).alias("first_seen"),
        )
    )
