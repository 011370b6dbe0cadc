"""History: a new version only where the golden values changed; a record as of a date."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.spark

AS_OF = dt.date(2026, 11, 1)
BUILT = dt.datetime(2026, 11, 1, 9, 30)
D1, D2 = dt.date(2026, 10, 1), dt.date(2026, 10, 15)
HISTORY = "person_id string, _record_hash string, _version int, _valid_from date"


def _golden(spark):
    return spark.createDataFrame(
        [("P1", "h1"), ("P2", "h2-new"), ("P3", "h3")], "person_id string, _record_hash string"
    )


def test_first_build_versions_every_record(spark):
    from spark_jobs.base.steps.history import versioned

    out = versioned(_golden(spark), None, "person_id", AS_OF, BUILT)
    assert out.columns == [
        "person_id",
        "_record_hash",
        "_changed",
        "_version",
        "_valid_from",
        "_built_at",
    ]
    assert sorted(tuple(r) for r in out.collect()) == [
        ("P1", "h1", True, 1, AS_OF, BUILT),
        ("P2", "h2-new", True, 1, AS_OF, BUILT),
        ("P3", "h3", True, 1, AS_OF, BUILT),
    ]


def test_only_changed_and_new_records_get_a_version(spark):
    from spark_jobs.base.steps.history import versioned

    history = spark.createDataFrame(
        [("P1", "h1", 1, D1), ("P2", "h2", 1, D1), ("P2", "h2-b", 2, D2)], HISTORY
    )
    out = versioned(_golden(spark), history, "person_id", AS_OF, BUILT)
    assert sorted(tuple(r) for r in out.collect()) == [
        ("P1", "h1", False, 1, D1, BUILT),
        ("P2", "h2-new", True, 3, AS_OF, BUILT),
        ("P3", "h3", True, 1, AS_OF, BUILT),
    ]


def test_as_of_reads_the_latest_version_valid_on_the_date(spark):
    from spark_jobs.base.steps.history import as_of

    history = spark.createDataFrame(
        [("P1", "h1", 1, D1), ("P1", "h1-b", 2, D2), ("P2", "h2", 1, D2)], HISTORY
    )
    assert sorted(tuple(r) for r in as_of(history, "person_id", D2).collect()) == [
        ("P1", "h1-b", 2, D2),
        ("P2", "h2", 1, D2),
    ]
    assert [tuple(r) for r in as_of(history, "person_id", dt.date(2026, 10, 2)).collect()] == [
        ("P1", "h1", 1, D1)
    ]
    assert as_of(history, "person_id", dt.date(2026, 9, 1)).count() == 0
