"""The licence build's resolution on hand-made staging rows: the latest delivery per licence,
its holder, its state as of the run date; nothing lost."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.spark_jobs.base.conftest import T1, T2

pytestmark = pytest.mark.spark

AS_OF = dt.date(2026, 11, 1)
STAGED = (
    "license_no string, license_type string, holder_name string, holder_id_type string, "
    "holder_id string, issuer string, issued_on date, valid_until date, status string, "
    "_department string, _dataset string, _batch_id string, _row_number long, "
    "_loaded_at timestamp, _duplicate_of long"
)
HOLDERS = (
    "mention_id string, holder_base string, holder_person_id string, holder_org_id string, "
    "holder_reason string"
)


def test_latest_licence_with_holder_and_state(spark):
    from spark_jobs.base.places import resolve_e_license

    person, org = "居民身份证", "统一社会信用代码"
    issued, later, past = dt.date(2020, 1, 1), dt.date(2027, 1, 1), dt.date(2026, 1, 1)

    def row(no, id_type, status, until, batch, n, at, dup=None):
        return (no, "食品经营", "某某", id_type, "X", "审批局", issued, until, status,
                "shenpi", "shenpi.xuke", batch, n, at, dup)  # fmt: skip

    staged = spark.createDataFrame(
        [
            row("L1", person, "有效", later, "b1", 1, T1),  # superseded by the later delivery
            row("L1", person, "暂扣", later, "b2", 1, T2),
            row("L2", org, "有效", past, "b2", 2, T2),  # past its validity: expired
            row("L2", org, "有效", past, "b2", 3, T2, 2),  # an exact duplicate of row 2
        ],
        STAGED,
    )
    holders = spark.createDataFrame(
        [
            ("shenpi.xuke|b2|1|holder", "population", "P1", None, None),
            ("shenpi.xuke|b2|2|holder", "legal_entity", None, None, "no identifier"),
        ],
        HOLDERS,
    )
    out = resolve_e_license(staged, holders, "shenpi.xuke", AS_OF)
    assert list(out.tables) == ["e_license"] and out.expected_rows == {"e_license": 2}
    assert out.states == {"suspended": 1, "expired": 1}
    s = out.summary
    assert (s.base, s.as_of, s.flagged, s.rows_in, s.duplicates) == (
        "e_license",
        "2026-11-01",
        1,
        4,
        1,
    )
    assert s.tables == {"e_license": 2, **{f"status:{k}": v for k, v in out.states.items()}}
    cols = ("license_no", "holder_kind", "holder_person_id", "holder_found", "flag_reason")
    lic = out.tables["e_license"]
    assert sorted(tuple(r[c] for c in (*cols, "status_raw", "status")) for r in lic.collect()) == [
        ("L1", "person", "P1", True, None, "暂扣", "suspended"),
        ("L2", "org", None, False, "no identifier", "有效", "expired"),
    ]
    assert [r["_source"]["batch_id"] for r in lic.orderBy("license_no").collect()] == ["b2", "b2"]
    out.release()
