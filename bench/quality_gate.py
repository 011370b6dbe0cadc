"""Bench: the quality gate's time on ~1M staging rows against the standardize job that
produced them, in one process. Target: the gate adds at most 50 % to the standardize time.

    .venv/bin/python bench/quality_gate.py [--rows 1000000] [--dataset renshe.shebao]

Generates a synthetic province big enough for ``--rows`` rows of the dataset, ingests it,
times the standardize transform (standardize_frame written to Parquet: the job's work without
the gate) and then the gate on the same rows (row flags + GE checkpoint with Data Docs + the
flag cross-check), and prints rows/s, peak memory and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# rows of renshe.shebao per synthetic person (about 1.0 with the default rates)
ROWS_PER_PERSON = {"renshe.shebao": 1.02, "gongan.huji": 0.97}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dataset", default="renshe.shebao", choices=sorted(ROWS_PER_PERSON))
    ap.add_argument("--keep", help="work folder to keep (default: a temporary one)")
    args = ap.parse_args()

    work = Path(args.keep or tempfile.mkdtemp(prefix="jutong-bench-gate-"))
    from bench._home import bench_home

    home = bench_home(work)
    os.environ["JUTONG_HOME"] = str(home)

    from jutong.catalog import load_catalog
    from jutong.ingest import ingest_file
    from jutong.lake import Lake
    from jutong.quality.suites import suite_for
    from jutong.settings import get_settings
    from jutong.synth import generate
    from spark_jobs.lake import read_batch
    from spark_jobs.quality.evaluate import check_frame
    from spark_jobs.quality.flags import row_failure_flags
    from spark_jobs.session import get_spark
    from spark_jobs.standardize import standardize_frame

    s = get_settings()
    entry = load_catalog(s.catalog_dir).get(args.dataset)
    lake = Lake(s)
    if not lake.table_exists("raw", entry.table_name):
        people = int(args.rows / ROWS_PER_PERSON[args.dataset]) + 1
        prov = work / "province"
        print(f"generating {people:,} people …", flush=True)
        generate(prov, people=people, orgs=max(1000, people // 10), seed=1)
        for f in sorted((prov / "extracts" / entry.department / entry.dataset).iterdir()):
            ingest_file(s, entry, f)
    spark = get_spark(s, "bench quality gate")
    raw = lake.table("raw", entry.table_name)
    batch = raw.current_snapshot().summary.additional_properties["jutong.batch_id"]
    as_of = dt.date.today()

    t0 = time.perf_counter()
    raw_df = read_batch(spark, lake, "raw", entry.table_name, batch)
    out = standardize_frame(raw_df, entry, as_of)
    target = work / "staged.parquet"
    shutil.rmtree(target, ignore_errors=True)
    out.write.parquet(str(target))
    t_std = time.perf_counter() - t0

    staged = spark.read.parquet(str(target))
    rows = staged.count()
    suite = suite_for(entry, s)
    t1 = time.perf_counter()
    flagged = row_failure_flags(staged, suite).cache()
    result = check_frame(
        flagged,
        suite,
        settings=s,
        name=f"bench.{entry.id}",
        parameters={"fresh_since": dt.datetime.combine(as_of - dt.timedelta(days=35), dt.time())},
        flagged=flagged,
    )
    t_gate = time.perf_counter() - t1
    flagged.unpersist()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"dataset {entry.id}: {rows:,} rows; {result.evaluated} expectations evaluated; "
        f"gate {'passed' if result.passed else 'blocked: ' + '; '.join(result.failures)}; "
        f"{result.failed_rows:,} rows would be quarantined"
    )
    print(f"standardize: {t_std:7.1f} s  ({rows / t_std:,.0f} rows/s)")
    print(f"gate:        {t_gate:7.1f} s  ({rows / t_gate:,.0f} rows/s)")
    print(f"ratio gate / standardize: {t_gate / t_std:.2f}  (target ≤ 0.50)")
    print(f"peak memory of the driver process: {peak_mb:,.0f} MB (Spark JVM not included)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
