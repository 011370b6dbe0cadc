"""Links: every mention tied to its entity, or quarantined with the reason, or marked as an
exact duplicate of the row it copies (``<base>_links``).

While mentions are in play the link's status is ``link_status`` (an organisation's golden
field ``status`` is its registration status); the published table calls it ``status``.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

# why an unkeyed mention has no key (``key_status``), the start of its quarantine reason
KEY_REASON = {
    "invalid": "identifier fails its check",
    "placeholder": "placeholder identifier",
    "missing": "no identifier",
    "legacy": "legacy code that maps to no credit code",
}
LINK_COLUMNS = (
    "mention_id",
    "dataset",
    "department",
    "batch_id",
    "row_number",
    "role",
    "source_file",
    "entity_id",
    "link_status",
    "match_kind",
    "match_probability",
    "reason",
    "duplicate_of",
    "key_status",
)


# a mention with nothing but a name (a legal representative without an ID): a name alone
# identifies nobody, so it is kept apart and says so
NAME_ONLY = "only a name to compare"


def _name_only():
    """The mention's only compared feature is its name (sex aside)."""
    others = [F.col(c).isNull() for c in ("id17", "m_birth", "m_division", "m_mobile", "m_rep")]
    out = F.col("m_name").isNotNull()
    for c in others:
        out = out & c
    return out


def keyed_links(keyed: DataFrame, keymap: DataFrame) -> DataFrame:
    """The keyed mentions with their entity id (inner join on ``key``).

    Input: mentions with ``key`` (and ``via``); the key map (``key``, ``entity_id``).
    Output: the mention columns plus ``entity_id``."""
    return keyed.join(keymap.select("key", "entity_id"), "key")


def matched_by_key(linked: DataFrame) -> DataFrame:
    """Input: keyed mentions with ``entity_id`` and ``via``. Output: the same rows with
    ``link_status`` = matched, ``match_kind`` = ``via`` (exact | legacy_code),
    ``match_probability`` = 1.0, ``reason`` null, without ``via``."""
    return (
        linked.withColumn("link_status", F.lit("matched"))
        .withColumn("match_kind", F.col("via"))
        .withColumn("match_probability", F.lit(1.0))
        .withColumn("reason", F.lit(None).cast("string"))
        .drop("via")
    )


def unkeyed_links(
    unkeyed: DataFrame,
    merged: dict[str, tuple[str, str, float]],
    pending_ids: set[str],
    match_upper: float,
) -> DataFrame:
    """The unkeyed mentions linked by the probabilistic decisions.

    Input: unkeyed mentions (``mention_id``, ``key_status``, ...); ``merged``:
    ``{mention_id: (entity_id, how, probability)}``; the mention ids in clerical review; the
    merge threshold (named in the reason of a mention left apart).
    Output: the mention columns (without ``via``) plus ``entity_id``, ``link_status``
    (matched | quarantined), ``match_kind`` (review | probabilistic | legacy_key | clustered
    | null),
    ``match_probability`` and ``reason`` (why a quarantined mention is not linked)."""
    spark = unkeyed.sparkSession
    decided_rows = [(m, e, how, float(p)) for m, (e, how, p) in merged.items()]
    decided_df = spark.createDataFrame(
        decided_rows or [("", "", "", 0.0)],
        "mention_id string, m_entity string, how string, prob double",
    ).filter(F.col("mention_id") != "")
    pending_df = (
        spark.createDataFrame([(m,) for m in sorted(pending_ids)] or [("",)], "mention_id string")
        .filter(F.col("mention_id") != "")
        .withColumn("is_pending", F.lit(True))
    )
    reason_col = F.lit(None).cast("string")
    for status, text in KEY_REASON.items():
        reason_col = F.when(F.col("key_status") == status, F.lit(text)).otherwise(reason_col)
    return (
        unkeyed.join(F.broadcast(decided_df), "mention_id", "left")
        .join(F.broadcast(pending_df), "mention_id", "left")
        .withColumn("entity_id", F.col("m_entity"))
        .withColumn(
            "link_status",
            F.when(F.col("entity_id").isNotNull(), "matched").otherwise("quarantined"),
        )
        .withColumn("match_kind", F.col("how"))
        .withColumn("match_probability", F.col("prob"))
        .withColumn(
            "reason",
            F.when(F.col("entity_id").isNotNull(), F.lit(None).cast("string"))
            .when(
                F.col("is_pending"),
                F.concat(reason_col, F.lit("; match in clerical review (jutong review list)")),
            )
            .when(
                _name_only(),
                F.concat(reason_col, F.lit(f"; {NAME_ONLY}; no match at or above {match_upper}")),
            )
            .otherwise(F.concat(reason_col, F.lit(f"; no match at or above {match_upper}"))),
        )
        .drop("m_entity", "how", "prob", "is_pending")
        .drop("via")
    )


def duplicate_links(mentions: DataFrame, resolved: DataFrame) -> DataFrame:
    """Exact duplicates follow the row they copy.

    Input: all mentions (``duplicate_of`` set on the copies); the resolved links
    (``mention_id``, ``entity_id``). Output: the copies with ``entity_id`` (their
    survivor's), ``link_status`` and ``match_kind`` = duplicate, ``match_probability`` and
    ``reason`` null."""
    survivors = resolved.select(
        F.col("mention_id").alias("duplicate_of"),
        F.col("entity_id").alias("s_entity"),
    )
    return (
        mentions.filter(F.col("duplicate_of").isNotNull())
        .join(survivors, "duplicate_of", "left")
        .withColumn("entity_id", F.col("s_entity"))
        .withColumn("link_status", F.lit("duplicate"))
        .withColumn("match_kind", F.lit("duplicate"))
        .withColumn("match_probability", F.lit(None).cast("double"))
        .withColumn("reason", F.lit(None).cast("string"))
        .drop("s_entity")
    )


def link_table(resolved: DataFrame, duplicates: DataFrame) -> DataFrame:
    """The published links: ``LINK_COLUMNS`` of the resolved mentions and the duplicates,
    with ``link_status`` named ``status``."""
    return (
        resolved.select(*LINK_COLUMNS)
        .unionByName(duplicates.select(*LINK_COLUMNS))
        .withColumnRenamed("link_status", "status")
    )


def link_summary(links: DataFrame) -> dict:
    """How the mentions were linked and why the quarantined ones were, in one Spark action:
    ``exact``, ``legacy_code``, ``probabilistic``, ``reviewed``, ``legacy_key`` (an
    organisation known only by a legacy code, under that code), ``clustered`` (unkeyed
    mentions that are one entity among themselves), ``duplicates``, ``quarantined``, and
    ``quarantine_reasons`` (quarantined mentions per reason).
    Input: the links table (``status``, ``match_kind``, ``reason``)."""
    quarantined = F.col("status") == "quarantined"
    rows = (
        links.groupBy("status", "match_kind", F.when(quarantined, F.col("reason")).alias("why"))
        .agg(F.count("*").alias("n"))
        .collect()
    )
    counts: dict[tuple[str, str], int] = {}
    reasons: dict[str, int] = {}
    for r in rows:
        key = (r["status"], r["match_kind"])
        counts[key] = counts.get(key, 0) + r["n"]
        if r["status"] == "quarantined":
            reasons[r["why"]] = reasons.get(r["why"], 0) + r["n"]
    return {
        "exact": counts.get(("matched", "exact"), 0),
        "legacy_code": counts.get(("matched", "legacy_code"), 0),
        "probabilistic": counts.get(("matched", "probabilistic"), 0),
        "reviewed": counts.get(("matched", "review"), 0),
        "legacy_key": counts.get(("matched", "legacy_key"), 0),
        "clustered": counts.get(("matched", "clustered"), 0),
        "duplicates": sum(v for (s, _), v in counts.items() if s == "duplicate"),
        "quarantined": sum(v for (s, _), v in counts.items() if s == "quarantined"),
        "quarantine_reasons": reasons,
    }
