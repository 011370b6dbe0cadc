"""``standardize_table``: the standardize job's projection over an Arrow batch (no Spark).

The Spark SQL semantics it reproduces are written out here as expected values (what Spark
4.x gives: ``tests/spark_jobs/test_standardize_arrow.py`` asks Spark itself for the same
inputs); the golden comparison of every dataset is ``tests/spark_jobs/
test_standardize_equivalence.py``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from jutong.catalog import load_catalog
from jutong.catalog.model import ItemType
from jutong.identifiers.checkdigits import orgcode_check, resident_id_check, uscc_check
from jutong.standardize.frame import (
    FIRST_COPY,
    blank_to_null,
    output_schema,
    passthrough_fields,
    spark_trim,
    standardize_table,
    try_cast_decimal,
    try_cast_long,
)

AS_OF = dt.date(2026, 11, 21)
LOADED = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
# a resident ID ending in X (its lowercase form is repaired)
RID = next(
    b + "X"
    for b in (f"45010219900307{q:03d}" for q in range(1, 999, 2))
    if resident_id_check(b) == "X"
)
USCC = "91450100" + "MA5KXXXX" + orgcode_check("MA5KXXXX")
USCC += uscc_check(USCC)

# (text, Spark's try_cast(text as long), try_cast(text as decimal(20,4)))
CASTS = [
    ("12", 12, Decimal("12")),
    ("+12", 12, Decimal("12")),
    ("-12", -12, Decimal("-12")),
    ("\t12\n", 12, Decimal("12")),
    ("\x0b12", 12, Decimal("12")),
    ("\x7f12", 12, None),  # toLong trims ISO controls, Java's String.trim does not
    ("\xa012", None, None),
    ("12\u3000", None, None),
    ("1e3", None, Decimal("1000")),
    ("1E+2", None, Decimal("100")),
    ("1e-2", None, Decimal("0.01")),
    ("1.5", None, Decimal("1.5")),
    ("1.", None, Decimal("1")),
    (".5", None, Decimal("0.5")),
    ("-.5", None, Decimal("-0.5")),
    ("1.99999", None, Decimal("2")),
    ("0.00005", None, Decimal("0.0001")),  # HALF_UP
    ("-0.00005", None, Decimal("-0.0001")),
    ("0.00004999", None, Decimal("0")),
    ("1234567890123456.12345", None, Decimal("1234567890123456.1235")),
    ("9999999999999999.99995", None, None),  # rounds to 17 integral digits: overflow
    ("12345678901234567.1", None, None),
    ("1e15", None, Decimal("1000000000000000")),
    ("1e16", None, None),
    ("１２", None, Decimal("12")),  # Java's BigDecimal reads any Unicode digit
    ("٣", None, Decimal("3")),
    ("00012", 12, Decimal("12")),
    ("9223372036854775807", 9223372036854775807, None),
    ("9223372036854775808", None, None),
    ("-9223372036854775808", -9223372036854775808, None),
    ("-9223372036854775809", None, None),
    ("", None, None),
    ("+", None, None),
    ("+-1", None, None),
    ("1 2", None, None),
    ("1_000", None, None),
    ("1,000", None, None),
    ("0x1F", None, None),
    ("NaN", None, None),
    ("Infinity", None, None),
    ("12d", None, None),
    (None, None, None),
]


@pytest.fixture(scope="module")
def catalog(repo_root):
    return load_catalog(repo_root / "catalog")


@pytest.mark.parametrize(("text", "long_", "dec"), CASTS)
def test_try_casts_read_what_spark_reads(text, long_, dec):
    arr = pa.array([text, "7"], pa.string())
    assert try_cast_long(arr).to_pylist() == [long_, 7]
    got = try_cast_decimal(arr).to_pylist()
    assert got == [dec, Decimal("7")]
    assert try_cast_decimal(arr).type == pa.decimal128(20, 4)


def test_trim_is_spaces_only_and_blank_is_null():
    arr = pa.array([" a ", "\ta\t", "\u3000a\u3000", "   ", "", None])
    assert spark_trim(arr).to_pylist() == ["a", "\ta\t", "\u3000a\u3000", "", "", None]
    assert blank_to_null(arr).to_pylist() == ["a", "\ta\t", "\u3000a\u3000", None, None, None]


def _zongdi_table(entry, rows: list[dict], first_copy: list[int] | None = None) -> pa.Table:
    items = [i.name for i in entry.items]
    cols = {i: pa.array([r.get(i, "x") for r in rows], pa.string()) for i in items}
    n = len(rows)
    cols |= {
        "_department": pa.array([entry.department] * n),
        "_dataset": pa.array([entry.dataset] * n),
        "_batch_id": pa.array(["b1"] * n),
        "_row_number": pa.array(range(1, n + 1), pa.int64()),
        "_source_file": pa.array(["raw/x.csv"] * n),
        "_loaded_at": pa.array([LOADED] * n, pa.timestamp("us", tz="UTC")),
    }
    if first_copy is not None:
        cols[FIRST_COPY] = pa.array(first_copy, pa.int64())
    return pa.table(cols)


def test_zongdi_rows(catalog):
    entry = catalog.get("ziranziyuan.zongdi")
    base = {
        "parcel_code": "P1",
        "location": "南宁市兴宁区",
        "division_code": "450102",
        "area_m2": "12.5",
        "land_use": "住宅",
        "holder_name": "韦小宝",
        "holder_id_type": "居民身份证",
        "holder_id": RID,
        "geometry_wkt": "POINT (1 2)",
    }
    rows = [
        base,
        base,  # an exact copy of row 1
        # spaces trimmed (the raw text kept), '+12', a lowercase x repaired
        base | {"parcel_code": " P2 ", "area_m2": "+12", "holder_id": RID.lower()},
        # blanks: missing (required) first, per item in catalog order; '1e3' is a decimal
        base | {"parcel_code": "  ", "location": "", "area_m2": "1e3", "holder_name": None},
        # not a decimal; an organisation's code declared as such
        base | {"area_m2": "12a", "holder_id_type": "统一社会信用代码", "holder_id": USCC},
        # declared a resident ID but holding a credit code: judged as a resident ID
        base | {"holder_id": USCC, "area_m2": "１２"},
        # an unknown division code; overflow
        base | {"division_code": "459999", "area_m2": "1e16", "geometry_wkt": "\tPOINT (1 2)"},
    ]
    table = _zongdi_table(entry, rows, first_copy=[1, 1, 3, 4, 5, 6, 7])
    out = standardize_table(table, entry, AS_OF)
    assert out.schema == output_schema(entry, passthrough_fields(entry, table.schema))
    r = out.to_pylist()
    assert len(r) == 7
    assert r[0]["_valid"] and r[0]["_reasons"] == [] and r[0]["_warnings"] == []
    assert r[0]["area_m2"] == Decimal("12.5") and r[0]["area_m2_raw"] is None
    assert r[0]["holder_id_kind"] == "resident_id" and r[0]["holder_id_valid"]
    assert r[0]["holder_id_birth_date"] == dt.date(1990, 3, 7)
    assert r[0]["division_code_name"] and r[0]["_as_of"] == AS_OF
    assert (r[0]["_duplicate_of"], r[1]["_duplicate_of"]) == (None, 1)

    assert r[2]["parcel_code"] == "P2" and r[2]["parcel_code_raw"] == " P2 "
    assert r[2]["area_m2"] == Decimal("12") and r[2]["area_m2_raw"] is None  # text unchanged
    assert r[2]["holder_id"] == RID and r[2]["holder_id_raw"] == RID.lower()
    assert r[2]["holder_id_repairs"] and r[2]["_valid"]

    assert r[3]["parcel_code"] is None and r[3]["parcel_code_raw"] == "  "
    assert r[3]["location"] is None and r[3]["location_raw"] == ""
    assert r[3]["area_m2"] == Decimal("1000")
    assert r[3]["holder_name"] is None and r[3]["holder_name_raw"] is None
    assert r[3]["_reasons"] == ["parcel_code:missing", "location:missing", "holder_name:missing"]
    assert not r[3]["_valid"]

    assert r[4]["area_m2"] is None and r[4]["_reasons"] == ["area_m2:not_decimal"]
    assert r[4]["holder_id_kind"] == "uscc" and r[4]["holder_id_valid"]
    assert r[4]["holder_id_birth_date"] is None and r[4]["holder_id_sex"] is None

    assert r[5]["area_m2"] == Decimal("12")
    assert r[5]["holder_id_kind"] == "resident_id" and not r[5]["holder_id_valid"]
    assert r[5]["_reasons"] and all(c.startswith("holder_id:") for c in r[5]["_reasons"])

    assert r[6]["area_m2"] is None and r[6]["division_code_name"] is None
    assert r[6]["_reasons"] == ["division_code:unknown_code", "area_m2:not_decimal"]
    assert r[6]["geometry_wkt"] == "\tPOINT (1 2)" and r[6]["geometry_wkt_raw"] is None


def test_integer_items_and_addresses(catalog):
    entry = catalog.get("shichang.qiye")
    items = [
        i.model_copy(update={"type": ItemType.integer}) if i.name == "registered_capital" else i
        for i in entry.items
    ]
    entry = entry.model_copy(update={"items": items})
    values = ["12", " 12 ", "+12", "1.5", "1e3", "9223372036854775808", "", None]
    rows = [
        {
            "registered_capital": v,
            "registered_address": a,
            "uscc": USCC,
            "org_name": "某公司",
        }
        for v, a in zip(
            values,
            [" 广西 南宁市\t兴宁区\x0b1号 ", "广西\u3000南宁市", "", "  ", None, "a\nb", "x", "y"],
            strict=True,
        )
    ]
    out = standardize_table(_zongdi_table(entry, rows), entry, AS_OF).to_pylist()
    assert out[0]["registered_capital"] == 12
    assert [r["registered_capital"] for r in out] == [12, 12, 12, None, None, None, None, None]
    assert [r["registered_capital_raw"] for r in out][:3] == [None, " 12 ", None]
    not_integer = [("registered_capital:not_integer" in r["_reasons"]) for r in out]
    assert not_integer == [False, False, False, True, True, True, False, False]
    addresses = [r["registered_address"] for r in out]
    assert addresses[:6] == ["广西南宁市兴宁区1号", "广西\u3000南宁市", None, None, None, "ab"]
    assert out[0]["registered_address_raw"] == " 广西 南宁市\t兴宁区\x0b1号 "
    assert out[0]["registered_address_division"] == "450102"
    assert out[0]["_duplicate_of"] is None  # no __first_copy column: no row marked


def test_empty_batch(catalog):
    entry = catalog.get("renshe.shebao")
    table = _zongdi_table(entry, [], first_copy=[])
    out = standardize_table(table, entry, AS_OF)
    assert out.num_rows == 0
    assert out.schema == output_schema(entry, passthrough_fields(entry, table.schema))
