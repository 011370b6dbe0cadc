"""Survivorship on hand-made mentions: authoritative first, then the latest load, then batch,
row and role; the lineage decoded from the packed order number is the winning row's."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.catalog.model import EntityKind

pytestmark = pytest.mark.spark

T1 = dt.datetime(2026, 11, 1, 8, 0)
T2 = dt.datetime(2026, 11, 2, 8, 0)
COLS = (
    "entity_id string, key string, dataset string, department string, batch_id string, "
    "row_number long, role string, loaded_at timestamp, name string, mobile string, "
    "auth_fields array<string>"
)


def _mentions(spark, rows):
    """The rows, with the person fields they do not set empty."""
    from pyspark.sql import functions as F

    from jutong.catalog.model import PERSON_FIELDS

    df = spark.createDataFrame(rows, COLS)
    for f in PERSON_FIELDS:
        if f not in df.columns:
            df = df.withColumn(f, F.lit(None).cast("date" if f == "birth_date" else "string"))
        if f.endswith("_address"):
            df = df.withColumn(f"{f}_division", F.lit(None).cast("string"))
    return df


def test_authoritative_then_latest_with_lineage(spark):
    from spark_jobs.base.steps.survivorship import SurvivorOrder, golden_records

    huji = ["name"]
    rows = [
        # P1: the household register is authoritative for the name, though older
        ("P1", "K1", "gongan.huji", "gongan", "b1", 7, "person", T1, "王伟", None, huji),
        ("P1", "K1", "renshe.shebao", "renshe", "b2", 3, "person", T2, "王 伟", "13800000001", []),
        # the latest non-null mobile wins; a later empty value does not erase it
        (
            "P1",
            "K1",
            "renshe.shebao",
            "renshe",
            "b3",
            1,
            "person",
            T2.replace(hour=9),
            None,
            None,
            [],
        ),
        # P2: no authoritative source; latest load wins, then the higher row of one batch
        ("P2", "K2", "renshe.shebao", "renshe", "b2", 4, "person", T2, "李娜", "13900000002", []),
        ("P2", "K2", "renshe.shebao", "renshe", "b2", 9, "person", T2, "李 娜", None, []),
        ("P2", "K2", "minzheng.hunyin", "minzheng", "b0", 2, "wife", T1, "李那", None, []),
    ]
    linked = _mentions(spark, rows)
    order = SurvivorOrder(linked)
    assert order.datasets == ["gongan.huji", "minzheng.hunyin", "renshe.shebao"]
    golden = {
        r["person_id"]: r
        for r in golden_records(linked, EntityKind.person, order)
        .select(
            "person_id", "name", "name_source", "mobile", "mobile_source", "_sources", "_mentions"
        )
        .collect()
    }
    p1, p2 = golden["P1"], golden["P2"]
    assert p1["name"] == "王伟"
    assert p1["name_source"].asDict() == {
        "department": "gongan",
        "dataset": "gongan.huji",
        "batch_id": "b1",
        "row_number": 7,
        "loaded_at": T1,
    }
    assert p1["mobile"] == "13800000001" and p1["mobile_source"]["batch_id"] == "b2"
    assert p1["_sources"] == ["gongan.huji", "renshe.shebao"] and p1["_mentions"] == 3
    assert p2["name"] == "李 娜" and p2["name_source"]["row_number"] == 9
    assert p2["_sources"] == ["minzheng.hunyin", "renshe.shebao"]


def test_out_of_range_row_number_is_refused(spark):
    from spark_jobs.base.steps.survivorship import SurvivorOrder

    rows = [("P1", "K1", "gongan.huji", "gongan", "b1", 1 << 40, "person", T1, "王伟", None, [])]
    with pytest.raises(ValueError, match=r"gongan.huji batch b1: row number .* out of range"):
        SurvivorOrder(_mentions(spark, rows))


def test_missing_batch_is_refused(spark):
    from spark_jobs.base.steps.survivorship import SurvivorOrder

    rows = [("P1", "K1", "gongan.huji", "gongan", None, 1, "person", T1, "王伟", None, [])]
    with pytest.raises(ValueError, match="lack their dataset, batch or role"):
        SurvivorOrder(_mentions(spark, rows))
