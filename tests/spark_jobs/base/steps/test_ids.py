"""Keys and ids: the usable key of each mention, and the numbering of new keys."""

from __future__ import annotations

import datetime as dt

import pytest

from jutong.catalog.model import EntityKind

pytestmark = pytest.mark.spark

U1 = "91450100" + "123456789" + "X"
U2 = "91450200" + "987654321" + "Y"
U3 = "91450300" + "987654321" + "Z"  # shares U2's organisation code


def _rows(df):
    return sorted((r["mention_id"], r["key"], r["via"]) for r in df.collect())


def test_person_keys_are_exact_and_duplicates_are_set_aside(mentions):
    from spark_jobs.base.steps.ids import canonical_keys

    df = mentions(
        EntityKind.person,
        [
            {"mention_id": "a", "key": "K1"},
            {"mention_id": "b"},
            {"mention_id": "c", "key": "K1", "duplicate_of": "a"},
        ],
    )
    assert _rows(canonical_keys(df, EntityKind.person)) == [
        ("a", "K1", "exact"),
        ("b", None, None),
    ]


def test_org_legacy_codes_map_to_their_one_credit_code(mentions):
    from spark_jobs.base.steps.ids import canonical_keys

    orgcode, regno = "legacy_orgcode", "legacy_regno"
    df = mentions(
        EntityKind.org,
        [
            {"mention_id": "m1", "key": U1, "registration_no": "REG1"},
            {"mention_id": "m2", "key": U2},
            {"mention_id": "m3", "key": U3},
            {"mention_id": "m4", "legacy_kind": orgcode, "legacy_code": "123456789"},
            # an organisation code shared by two credit codes maps to neither
            {"mention_id": "m5", "legacy_kind": orgcode, "legacy_code": "987654321"},
            {"mention_id": "m6", "legacy_kind": regno, "legacy_code": "REG1"},
            {"mention_id": "m7", "legacy_kind": regno, "legacy_code": "REG9"},
            {"mention_id": "m8", "key": U1, "duplicate_of": "m1"},
        ],
    )
    assert _rows(canonical_keys(df, EntityKind.org)) == [
        ("m1", U1, "exact"),
        ("m2", U2, "exact"),
        ("m3", U3, "exact"),
        ("m4", U1, "legacy_code"),
        ("m5", None, None),
        ("m6", U1, "legacy_code"),
        ("m7", None, None),
    ]


def test_highest_number(spark):
    from spark_jobs.base.steps.ids import highest_number

    schema = "key string, entity_id string, first_seen date"
    assert highest_number(spark.createDataFrame([], schema)) == 0
    rows = [("K1", "P0000000007", None), ("K2", "P0000000012", None)]
    assert highest_number(spark.createDataFrame(rows, schema)) == 12


def test_new_keys_are_numbered_after_the_top_in_key_order(spark):
    from spark_jobs.base.steps.ids import new_keys

    as_of = dt.date(2026, 11, 1)
    keys = spark.createDataFrame([("K3",), ("K1",), ("K2",), ("K1",)], "key string")
    existing = spark.createDataFrame(
        [("K2", "E0000000005", dt.date(2026, 1, 1))],
        "key string, entity_id string, first_seen date",
    )
    out = new_keys(keys, existing, "E", as_of, 5)
    assert out.columns == ["key", "entity_id", "first_seen"]
    assert sorted(tuple(r) for r in out.collect()) == [
        ("K1", "E0000000006", as_of),
        ("K3", "E0000000007", as_of),
    ]
