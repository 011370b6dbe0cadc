"""The ledger: per batch and role, mentions in = matched + quarantined + duplicates."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.spark

AS_OF = dt.date(2026, 11, 1)


def test_ledger_balances_or_names_the_line(spark):
    from spark_jobs.base.steps.ledger import imbalance_message, ledger, unbalanced

    mentions = spark.createDataFrame(
        [
            ("huji", "b1", "person"),
            ("huji", "b1", "person"),
            ("huji", "b1", "person"),
            ("hunyin", "b2", "wife"),
            ("hunyin", "b2", "wife"),
        ],
        "dataset string, batch_id string, role string",
    )
    links = spark.createDataFrame(
        [
            ("huji", "b1", "person", "matched"),
            ("huji", "b1", "person", "quarantined"),
            ("huji", "b1", "person", "duplicate"),
            ("hunyin", "b2", "wife", "matched"),
            ("qiye", "b3", "rep", "matched"),  # a link without its mention
        ],
        "dataset string, batch_id string, role string, status string",
    )
    out = ledger(mentions, links, "population", AS_OF)
    assert out.columns == [
        "dataset",
        "batch_id",
        "role",
        "mentions_in",
        "matched",
        "quarantined",
        "duplicates",
        "balanced",
        "base",
        "as_of",
    ]
    assert sorted(tuple(r) for r in out.collect()) == [
        ("huji", "b1", "person", 3, 1, 1, 1, True, "population", AS_OF),
        ("hunyin", "b2", "wife", 2, 1, 0, 0, False, "population", AS_OF),
        ("qiye", "b3", "rep", 0, 1, 0, 0, False, "population", AS_OF),
    ]
    bad = sorted(unbalanced(out), key=lambda r: r["dataset"])
    assert [r["dataset"] for r in bad] == ["hunyin", "qiye"]
    assert imbalance_message("population", bad[0]) == (
        "base.population: ledger does not balance for hunyin batch b2 role wife: 2 in, "
        "1 matched + 0 quarantined + 0 duplicates"
    )
    assert unbalanced(out.filter("balanced")) == []
