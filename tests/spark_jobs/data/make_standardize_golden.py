"""Make the golden files of ``test_standardize_equivalence.py`` (run once, with the code that
produced the expected output: the column form of commit ad711cf, ``standardize_frame_columns``).

    JUTONG_HOME=<home of an ingested synthetic province> python make_standardize_golden.py OUT

For every dataset: its raw rows (``<dataset>.raw.parquet``), the standardized rows of the
former transform (``<dataset>.expected.parquet``), and in ``summary.json`` the counts the job
reports (``_batch_counts``) and the rows the gate sends to quarantine.
"""

import datetime as dt
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
from pyspark.sql import functions as F

from jutong.catalog import load_catalog
from jutong.lake import Lake
from jutong.quality.suites import suite_for
from jutong.settings import get_settings
from spark_jobs.lake import read_table
from spark_jobs.quality.flags import row_failure_flags
from spark_jobs.session import get_spark
from spark_jobs.standardize import _batch_counts, standardize_frame

AS_OF = dt.date(2026, 11, 21)
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
s = get_settings()
lake = Lake(s)
spark = get_spark(s, "golden")
summary = {}
for e in load_catalog(s.catalog_dir):
    df = read_table(spark, lake, "raw", e.table_name)
    raw = df.toArrow().sort_by([("_batch_id", "ascending"), ("_row_number", "ascending")])
    pq.write_table(raw, out / f"{e.id}.raw.parquet", compression="zstd")
    std = standardize_frame(spark.read.parquet(str(out / f"{e.id}.raw.parquet")), e, AS_OF)
    exp = std.toArrow().sort_by([("_batch_id", "ascending"), ("_row_number", "ascending")])
    pq.write_table(exp, out / f"{e.id}.expected.parquet", compression="zstd")
    flagged = row_failure_flags(std, suite_for(e, s))
    counts, extra = _batch_counts(flagged, e)
    quarantined = sorted(
        r["_row_number"]
        for r in flagged.filter(F.size("_failed_expectations") > 0).select("_row_number").collect()
    )
    summary[e.id] = {
        "identifiers": counts,
        "valid_rows": extra["valid_rows"],
        "duplicates": extra["duplicates"],
        "quarantined_rows": quarantined,
    }
(out / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
spark.stop()
