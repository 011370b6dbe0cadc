"""Entities without a valid key: organisations known only by a legacy code, and clusters of
unkeyed mentions (issue 13 items 2 and 3).

After the probabilistic match, two kinds of mention are still unplaced and would be lost:

- an organisation mention whose only identifier is a valid **legacy code** (9-character
  organisation code, GB 11714; 15-digit registration number) that maps to no credit code and
  that the matcher placed nowhere: it becomes an entity of its own under its legacy key
  (``orgcode:856060908``, ``regno:450405000012345``), credit code null. Only mentions still
  unplaced after scoring are keyed, so whatever the matcher places keeps its placement;
- **unkeyed mentions that are one entity among themselves** (``jutong.base.matching
  .score_among``: the same person's rows with one mistyped ID): the cluster becomes an entity
  under ``mentions:`` + its smallest mention id.

Such a key is a *provisional key*: it is in the key map (``<base>_keys``), so the entity
keeps its id across runs, and it is published in the golden record's ``provisional_key``
(null for an entity with a valid key). When a credit code whose organisation code (positions
9–17, GB 32100) or registration number is a legacy entity's arrives, the credit code
inherits that entity's id (``inherit_legacy``): the organisation is linked, not duplicated.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jutong.catalog.model import EntityKind

LEGACY_PREFIX = {"legacy_orgcode": "orgcode:", "legacy_regno": "regno:"}
CLUSTER_PREFIX = "mentions:"


def legacy_key(legacy_kind: str, code: str) -> str:
    """The key-map key of an organisation known only by a legacy code."""
    return LEGACY_PREFIX[legacy_kind] + code


def cluster_key(mention_ids: list[str]) -> str:
    """The key-map key of a cluster of unkeyed mentions: its smallest mention id."""
    return CLUSTER_PREFIX + min(mention_ids)


def inherit_legacy(new: DataFrame, existing: DataFrame, keyed: DataFrame) -> DataFrame:
    """New credit-code keys that carry a legacy entity's code take that entity's id.

    Input: ``new`` (``key``, ``entity_id``, ``first_seen``: the keys about to be added to the
    key map), ``existing`` (the key map so far), ``keyed`` (mentions with a valid ``key`` and
    ``registration_no``). A legacy entity is inherited by one credit code only — the one
    whose organisation code (positions 9–17) or registration number is its legacy code — and
    only when no credit code holds its id yet; a credit code matching two legacy entities
    takes the lower id. Output: ``new`` with those ids replaced."""
    legacy = existing.filter(
        F.col("key").startswith(LEGACY_PREFIX["legacy_orgcode"])
        | F.col("key").startswith(LEGACY_PREFIX["legacy_regno"])
    ).select(F.col("key").alias("lkey"), F.col("entity_id").alias("legacy_id"))
    claimed = existing.join(legacy, existing["key"] == legacy["lkey"], "left_anti").select(
        F.col("entity_id").alias("legacy_id")
    )
    by_orgcode = new.select(
        "key", F.concat(F.lit(LEGACY_PREFIX["legacy_orgcode"]), F.substring("key", 9, 9))
    ).toDF("key", "lkey")
    by_regno = (
        keyed.filter(F.col("registration_no").isNotNull())
        .join(new.select("key"), "key")
        .select("key", F.concat(F.lit(LEGACY_PREFIX["legacy_regno"]), "registration_no"))
        .toDF("key", "lkey")
    )
    hits = (
        by_orgcode.unionByName(by_regno)
        .distinct()
        .join(legacy, "lkey")
        .join(claimed, "legacy_id", "left_anti")
    )
    one_each = (
        hits.groupBy("legacy_id")
        .agg(F.count_distinct("key").alias("n"), F.min("key").alias("key"))
        .filter("n = 1")
        .groupBy("key")
        .agg(F.min("legacy_id").alias("legacy_id"))
    )
    return (
        new.join(one_each, "key", "left")
        .withColumn("entity_id", F.coalesce("legacy_id", "entity_id"))
        .select(*new.columns)
    )


def with_provisional(golden: DataFrame, provisional: DataFrame, kind: EntityKind, id_col: str):
    """The golden records with ``provisional_key`` (null for an entity with a valid key); an
    organisation known only by a legacy code also gets it as ``org_code`` /
    ``registration_no`` where those are empty.

    Input: golden records (``id_col``, ...); ``provisional`` (``entity_id``, ``key``: the
    provisional keys of this build's entities)."""
    prov = provisional.select(
        F.col("entity_id").alias(id_col), F.col("key").alias("provisional_key")
    ).dropDuplicates([id_col])
    out = golden.join(F.broadcast(prov), id_col, "left")
    if kind is EntityKind.org:
        pk = F.col("provisional_key")
        out = out.withColumn(
            "org_code",
            F.coalesce(
                "org_code",
                F.when(
                    pk.startswith(LEGACY_PREFIX["legacy_orgcode"]),
                    F.substring_index(pk, ":", -1),
                ),
            ),
        ).withColumn(
            "registration_no",
            F.coalesce(
                "registration_no",
                F.when(
                    pk.startswith(LEGACY_PREFIX["legacy_regno"]), F.substring_index(pk, ":", -1)
                ),
            ),
        )
    return out.select(*golden.columns, "provisional_key")
