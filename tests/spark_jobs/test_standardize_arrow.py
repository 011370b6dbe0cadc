"""The Arrow form of the standardize projection against Spark itself.

``jutong.standardize.frame`` reproduces Spark SQL's ``try_cast`` to ``long`` and
``decimal(20,4)``, ``trim`` and ``regexp_replace('\\s+')``: Spark is asked for the same
tricky inputs here. And ``standardize_frame`` (the duplicate window, then ``mapInArrow``) gives
on Spark what ``standardize_table`` gives in this process, with the job's Spark types."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from pyspark.sql import functions as F

from jutong.catalog import load_catalog
from jutong.standardize.frame import (
    _JAVA_SPACES,
    blank_to_null,
    output_schema,
    passthrough_fields,
    standardize_table,
    try_cast_decimal,
    try_cast_long,
)
from spark_jobs.standardize import standardize_frame
from tests.standardize.test_frame import CASTS, LOADED, RID, USCC

pytestmark = pytest.mark.spark
AS_OF = dt.date(2026, 11, 21)
SPACES = ["\t a \n", "a\x0bb", "a\u3000b", "a\u00a0b", "a\fb\rc", "  ", "", None]


def test_casts_trim_and_spaces_equal_spark_sql(spark):
    texts = [t for t, _, _ in CASTS] + SPACES
    df = spark.createDataFrame([(t,) for t in texts], "s string")
    got = df.select(
        F.col("s").try_cast("long").alias("l"),
        F.col("s").try_cast("decimal(20,4)").alias("d"),
        F.trim("s").alias("t"),
        F.regexp_replace("s", r"\s+", "").alias("r"),
    ).toArrow()
    arr = pa.array(texts, pa.string())
    assert try_cast_long(arr).to_pylist() == got.column("l").to_pylist()
    assert try_cast_decimal(arr).to_pylist() == got.column("d").to_pylist()
    trimmed = blank_to_null(arr).to_pylist()
    assert trimmed == [t or None for t in got.column("t").to_pylist()]
    spaces = pc.replace_substring_regex(arr, _JAVA_SPACES, "").to_pylist()
    assert spaces == got.column("r").to_pylist()


def test_spark_frame_equals_the_arrow_table(spark, repo_root):
    entry = load_catalog(repo_root / "catalog").get("ziranziyuan.zongdi")
    items = [i.name for i in entry.items]
    base = dict.fromkeys(items, "x") | {
        "division_code": "450102",
        "holder_id_type": "居民身份证",
        "holder_id": RID,
        "area_m2": "1",
        "holder_name": "韦小宝",
    }
    rows = [
        base,
        base,
        base | {"area_m2": " +12 ", "holder_id": RID.lower(), "parcel_code": ""},
        base | {"area_m2": "1.23456", "holder_id_type": "统一社会信用代码", "holder_id": USCC},
        base | {"area_m2": "1e3", "holder_id": USCC, "location": None},
        base | {"area_m2": "99999999999999999", "holder_id": "123", "division_code": "450221"},
        base | {"area_m2": "１２", "holder_id_type": None, "holder_id": USCC.lower()},
    ]
    prov = ("ziranziyuan", "zongdi", "b1")
    data = [
        tuple(r[i] for i in items) + prov + (n + 1, "raw/x.csv", LOADED) for n, r in enumerate(rows)
    ]
    schema = ", ".join(f"{c} string" for c in [*items, "_department", "_dataset", "_batch_id"])
    schema += ", _row_number long, _source_file string, _loaded_at timestamp"
    df = spark.createDataFrame(data, schema)

    got = standardize_frame(df, entry, AS_OF).toArrow()
    raw = df.toArrow()
    first = [1, 1, 3, 4, 5, 6, 7]
    want = standardize_table(raw.append_column("__first_copy", pa.array(first)), entry, AS_OF)
    assert got.schema.names == want.schema.names
    assert got.schema.names == output_schema(entry, passthrough_fields(entry, raw.schema)).names
    # the job's Spark types and nullability
    assert [(f.type, f.nullable) for f in got.schema] == [(f.type, f.nullable) for f in want.schema]
    got_rows = sorted(got.to_pylist(), key=lambda r: r["_row_number"])
    assert got_rows == want.to_pylist()
    assert [r["_duplicate_of"] for r in got_rows] == [None, 1, None, None, None, None, None]
    assert got_rows[5]["_warnings"] == ["division_code:abolished_division"]
    assert got_rows[2]["_reasons"] == ["parcel_code:missing"]
    assert got_rows[4]["_reasons"][0] == "location:missing"
