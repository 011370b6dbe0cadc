"""The standardize transform gives, row by row, what the former column form gave.

The golden files (``data/standardize_golden``) hold a small synthetic province's raw rows of
every dataset and the rows the former transform (one Arrow UDF per rule, commit ad711cf)
produced from them, with the counts the job reports and the rows the gate quarantines
(``data/make_standardize_golden.py``). Every column is compared, the flags and reasons
included; the schema (types and nullability) too.
"""

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from jutong.catalog import load_catalog
from jutong.quality.suites import suite_for
from spark_jobs.quality.flags import row_failure_flags
from spark_jobs.standardize import _batch_counts, standardize_frame

# a whole small province through the transform: the end-to-end stage (make test-e2e)
pytestmark = [pytest.mark.spark, pytest.mark.e2e]
GOLDEN = Path(__file__).parent / "data" / "standardize_golden"
AS_OF = dt.date(2026, 11, 21)
SUMMARY = json.loads((GOLDEN / "summary.json").read_text())


@pytest.fixture(scope="module")
def catalog(repo_root):
    return load_catalog(repo_root / "catalog")


def _key(row):
    return (row["_batch_id"], row["_row_number"])


@pytest.mark.parametrize("dataset", sorted(SUMMARY))
def test_standardize_output_equals_the_former_transform(spark, catalog, settings, dataset):
    entry = catalog.get(dataset)
    raw = spark.read.parquet(str(GOLDEN / f"{dataset}.raw.parquet"))
    out = standardize_frame(raw, entry, AS_OF)
    expected = pq.read_table(GOLDEN / f"{dataset}.expected.parquet")

    got = out.toArrow()
    assert got.schema.names == expected.schema.names
    assert [(f.type, f.nullable) for f in got.schema] == [
        (f.type, f.nullable) for f in expected.schema
    ]
    got_rows = sorted(got.to_pylist(), key=_key)
    want_rows = expected.to_pylist()
    assert len(got_rows) == len(want_rows) > 0
    for g, w in zip(got_rows, want_rows, strict=True):
        if g != w:
            diff = {k: (w[k], g[k]) for k in w if g[k] != w[k]}
            pytest.fail(f"{dataset} row {_key(w)}: (expected, got) {diff}")

    # the counts the job reports and the rows the quality gate sends to quarantine
    want = SUMMARY[dataset]
    flagged = row_failure_flags(out, suite_for(entry, settings))
    counts, extra = _batch_counts(flagged, entry)
    assert counts == want["identifiers"]
    assert (extra["valid_rows"], extra["duplicates"]) == (want["valid_rows"], want["duplicates"])
    quarantined = sorted(
        r["_row_number"]
        for r in flagged.filter(F.size("_failed_expectations") > 0).select("_row_number").collect()
    )
    assert quarantined == want["quarantined_rows"]


def test_golden_files_cover_what_can_go_wrong():
    """The comparison can fail: the expected rows hold rejected values, repairs, warnings,
    exact copies and kept raw values. (The gate quarantines no row of this province: its
    quarantine list is compared, but empty.)"""
    rows = [r for d in SUMMARY for r in pq.read_table(GOLDEN / f"{d}.expected.parquet").to_pylist()]
    assert any(r["_reasons"] for r in rows)
    assert any(r["_warnings"] for r in rows)
    assert any(r["_duplicate_of"] is not None for r in rows)
    assert any(v for r in rows for k, v in r.items() if k.endswith("_repairs"))
    assert any(k.endswith("_raw") and v is not None for r in rows for k, v in r.items())
    assert any(not r["_valid"] for r in rows)
