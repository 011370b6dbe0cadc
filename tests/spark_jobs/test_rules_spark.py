"""The Spark column functions give the same answers as the scalar rules (one local[2] session)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jutong.identifiers.checkdigits import orgcode_check, resident_id_check, uscc_check
from jutong.identifiers.resident_id import check_resident_id
from jutong.identifiers.uscc import check_uscc
from jutong.standardize import (
    lookup_division_code,
    split_address,
    standardize_date,
    standardize_name,
    standardize_phone,
    standardize_sex,
)

pytestmark = pytest.mark.spark
AS_OF = dt.date(2026, 11, 21)


def make_id(region="450202", birth="19900101", seq="123"):
    body = region + birth + seq
    return body + resident_id_check(body)


def make_uscc(prefix="91", division="450202", org8="MA5L0A1B"):
    body = prefix + division + org8 + orgcode_check(org8)
    return body + uscc_check(body)


ids = st.one_of(
    st.builds(
        make_id,
        st.sampled_from(["450202", "450221", "450299", "990000"]),
        st.dates(dt.date(1870, 1, 1), dt.date(2030, 1, 1)).map(lambda d: d.strftime("%Y%m%d")),
        st.text(alphabet="0123456789", min_size=3, max_size=3),
    ),
    st.text(alphabet="0123456789Xx -\u3000０", max_size=19),
    st.none(),
)
codes = st.one_of(
    st.builds(make_uscc, st.sampled_from(["91", "Y1", "N2", "94", "B1"])),
    st.sampled_from(["12345678-9", "450200000012340", "无", "91450202MA5L0A1BI1"]),
    st.text(alphabet="0123456789ABCDXYZ -a", max_size=19),
    st.none(),
)


@given(st.lists(st.tuples(ids, codes), min_size=1, max_size=80))
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_spark_identifier_structs_equal_scalar(spark, rows):
    from spark_jobs.rules import resident_id_struct, resident_id_valid, uscc_struct, uscc_valid

    df = spark.createDataFrame(rows, "rid string, uscc string")
    out = df.select(
        "rid",
        "uscc",
        resident_id_struct("rid", AS_OF).alias("r"),
        resident_id_valid("rid", "2026-11-21").alias("rv"),
        uscc_struct("uscc").alias("u"),
        uscc_valid("uscc").alias("uv"),
    ).collect()
    for row in out:
        r = check_resident_id(row.rid, AS_OF)
        assert (row.r.valid, row.rv) == (r.valid, r.valid)
        assert (
            row.r.normalized,
            tuple(row.r.reasons),
            tuple(row.r.warnings),
            tuple(row.r.repairs),
        ) == (
            r.normalized,
            r.reasons,
            r.warnings,
            r.repairs,
        )
        assert (row.r.birth_date, row.r.sex, row.r.province) == (r.birth_date, r.sex, r.province)
        u = check_uscc(row.uscc)
        assert (row.u.valid, row.uv, row.u.kind, tuple(row.u.reasons)) == (
            u.valid,
            u.valid,
            u.kind,
            u.reasons,
        )
        assert (row.u.normalized, row.u.division, row.u.orgcode) == (
            u.normalized,
            u.division,
            u.orgcode,
        )


def test_spark_standardize_structs_equal_scalar(spark):
    from spark_jobs.rules import (
        address_struct,
        date_struct,
        division_struct,
        name_struct,
        phone_struct,
        sex_struct,
    )

    rows = [
        (
            "+86 138 1234 5678",
            "阿依古丽•买买提",
            "1990年1月2日",
            "男",
            "450221",
            "广西柳州柳江拉堡镇",
        ),
        ("0772-2812345转801", "张 三", "32875", "F", "450206", "人民路1号"),
        (None, None, None, None, None, None),
        ("abc", "无", "60", "x", "999999", "柳江县拉堡镇"),
    ]
    df = spark.createDataFrame(rows, "p string, n string, d string, s string, dv string, a string")
    out = df.select(
        "*",
        phone_struct("p").alias("P"),
        name_struct("n").alias("N"),
        date_struct("d").alias("D"),
        sex_struct("s").alias("S"),
        division_struct("dv").alias("DV"),
        address_struct("a").alias("A"),
    ).collect()
    for row in out:
        assert row.P.asDict() == vars(standardize_phone(row.p))
        n = standardize_name(row.n)
        assert (row.N.normalized, row.N.valid, tuple(row.N.repairs)) == (
            n.normalized,
            n.valid,
            n.repairs,
        )
        assert row.D.asDict() == vars(standardize_date(row.d))
        assert row.S.asDict() == vars(standardize_sex(row.s))
        assert row.DV.asDict() == vars(lookup_division_code(row.dv))
        assert row.A.asDict() == vars(split_address(row.a))
    assert out[0].DV.replaced_by == "450206"
