"""Links: keyed, probabilistic, quarantined (with the reason) and duplicate mentions."""

from __future__ import annotations

import pytest

from jutong.catalog.model import EntityKind

pytestmark = pytest.mark.spark

LINK = ("mention_id", "entity_id", "link_status", "match_kind", "match_probability", "reason")


def _rows(df, cols=LINK):
    return sorted(tuple(r[c] for c in cols) for r in df.collect())


def test_keyed_mentions_are_matched_with_certainty(mentions, spark):
    from spark_jobs.base.steps.links import keyed_links, matched_by_key

    keyed = mentions(
        EntityKind.person,
        [
            {"mention_id": "a", "key": "K1", "key_status": "valid"},
            {"mention_id": "b", "key": "K9", "key_status": "valid"},
        ],
        extra=("via",),
    ).fillna({"via": "exact"})
    keymap = spark.createDataFrame([("K1", "P1")], "key string, entity_id string")
    linked = keyed_links(keyed, keymap)
    assert _rows(linked, ("mention_id", "entity_id")) == [("a", "P1")]
    out = matched_by_key(linked)
    assert "via" not in out.columns
    assert _rows(out) == [("a", "P1", "matched", "exact", 1.0, None)]


def test_unkeyed_mentions_are_merged_or_quarantined_with_the_reason(mentions):
    from spark_jobs.base.steps.links import unkeyed_links

    unkeyed = mentions(
        EntityKind.person,
        [
            {"mention_id": "u1", "key_status": "invalid"},
            {"mention_id": "u2", "key_status": "missing"},
            {"mention_id": "u3", "key_status": "placeholder"},
            {"mention_id": "u4", "key_status": "legacy"},
            {"mention_id": "u5", "key_status": "invalid"},
        ],
        extra=("via",),
    )
    merged = {"u1": ("P1", "probabilistic", 0.995), "u5": ("P2", "review", 0.7)}
    out = unkeyed_links(unkeyed, merged, {"u2"}, 0.99)
    assert "via" not in out.columns
    assert _rows(out) == [
        ("u1", "P1", "matched", "probabilistic", 0.995, None),
        (
            "u2",
            None,
            "quarantined",
            None,
            None,
            "no identifier; match in clerical review (jutong review list)",
        ),
        (
            "u3",
            None,
            "quarantined",
            None,
            None,
            "placeholder identifier; no match at or above 0.99",
        ),
        (
            "u4",
            None,
            "quarantined",
            None,
            None,
            "legacy code that maps to no credit code; no match at or above 0.99",
        ),
        ("u5", "P2", "matched", "review", 0.7, None),
    ]
    # nothing decided: every mention quarantined
    assert {r["link_status"] for r in unkeyed_links(unkeyed, {}, set(), 0.99).collect()} == {
        "quarantined"
    }


def test_duplicates_follow_their_row_and_the_table_counts_every_mention(mentions):
    from pyspark.sql import functions as F

    from spark_jobs.base.steps.links import (
        LINK_COLUMNS,
        duplicate_links,
        link_summary,
        link_table,
        matched_by_key,
        unkeyed_links,
    )

    all_mentions = mentions(
        EntityKind.person,
        [
            {"mention_id": "a", "key": "K1", "key_status": "valid"},
            {"mention_id": "u", "key_status": "missing"},
            {"mention_id": "a2", "key": "K1", "key_status": "valid", "duplicate_of": "a"},
            {"mention_id": "u2", "key_status": "missing", "duplicate_of": "u"},
        ],
    )
    keyed = matched_by_key(
        all_mentions.filter("mention_id = 'a'")
        .withColumn("entity_id", F.lit("P1"))
        .withColumn("via", F.lit("exact"))
    )
    unkeyed = unkeyed_links(all_mentions.filter("mention_id = 'u'"), {}, set(), 0.99)
    resolved = keyed.unionByName(unkeyed)
    dups = duplicate_links(all_mentions, resolved)
    assert _rows(dups) == [
        ("a2", "P1", "duplicate", "duplicate", None, None),
        ("u2", None, "duplicate", "duplicate", None, None),
    ]
    links = link_table(resolved, dups)
    assert links.columns == [c if c != "link_status" else "status" for c in LINK_COLUMNS]
    assert _rows(links, ("mention_id", "entity_id", "status", "duplicate_of")) == [
        ("a", "P1", "matched", None),
        ("a2", "P1", "duplicate", "a"),
        ("u", None, "quarantined", None),
        ("u2", None, "duplicate", "u"),
    ]
    assert link_summary(links) == {
        "exact": 1,
        "legacy_code": 0,
        "probabilistic": 0,
        "reviewed": 0,
        "legacy_key": 0,
        "clustered": 0,
        "duplicates": 2,
        "quarantined": 1,
        "quarantine_reasons": {"no identifier; no match at or above 0.99": 1},
    }
