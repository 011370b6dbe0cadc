"""Benchmark: a whole province through the pipeline on one machine, stage by stage.

A synthetic province of N persons (default 1,000,000; about 4 department rows per person)
goes through the jobs the Airflow DAGs run, called directly in one process on one Spark
session (``local[2]`` by default; ``--master`` for a cluster):

1. ingest: every extract into the raw zone (``jutong.ingest``);
2. standardize + gate: every raw batch into staging (``spark_jobs.standardize``, the quality
   gate as its audit);
3. the four base builds (``spark_jobs.base.run.build_base``: keys, Splink, survivorship,
   links, ledger, history, conflicts, write-audit-publish);
4. the theme build (dbt-duckdb, write-audit-publish) and the open-data releases.

For each stage: wall time, the rows it read, rows/s, peak memory of this process and of the
Spark JVM. The baseline, in the same run: the hardware's floor for the same rows — every raw
table read from the lake and written again as Parquet with pyarrow on one core — and each
stage's time as a multiple of it. Printed at the end: the total, and the projection to a
province of ``--project`` persons (default 50 M) per core, assuming linear scaling.
Target (issue 19): the 1 M-person pipeline within 10 minutes on 2 cores. Not part of the tests.

    .venv/bin/python bench/pipeline.py [--persons 1000000] [--orgs N] [--work DIR]
        [--master local[2]] [--project 50000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._memory import MemoryPeak  # noqa: E402

AS_OF = dt.date(2026, 11, 1)


class Stages:
    """Times and peak memory per stage, printed as they end."""

    def __init__(self, peak: MemoryPeak):
        self.peak = peak
        self.rows: list[tuple[str, float, int, float, float]] = []

    def run(self, name: str, rows_of, fn, detail=None):
        """Run ``fn`` as the stage ``name``; ``rows_of(out)`` (or a number): the rows it read;
        ``detail(out)``: a line printed under the stage's (the build's steps)."""
        self.peak.reset()
        t = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - t
        rows = rows_of(out) if callable(rows_of) else rows_of
        py, jvm = self.peak.python / 2**20, self.peak.jvm / 2**20
        self.rows.append((name, seconds, rows, py, jvm))
        rate = f"{rows / seconds:12,.0f}" if seconds > 0 and rows else f"{'-':>12}"
        print(
            f"  {name:<28} {seconds:8.1f} s  {rows:>11,} rows  {rate} rows/s  "
            f"python {py:6,.0f} MiB  JVM {jvm:6,.0f} MiB",
            flush=True,
        )
        if detail is not None and (line := detail(out)):
            print(f"    {line}", flush=True)
        return out


def _settings(work: Path, master: str):
    from bench._home import bench_home
    from jutong.settings import load_settings

    home = bench_home(work)
    return load_settings(
        {
            "JUTONG_HOME": str(home),
            "JUTONG_KEY_DIR": str(home / "keys"),
            "JUTONG_SPARK_MASTER": master,
            "JUTONG_SPARK_SHUFFLE_PARTITIONS": "8",
            "JUTONG_SPARK_DRIVER_MEMORY": "4g",
            "JUTONG_INGEST_QUIET_SECONDS": "0",
        }
    )


def _ingest(settings, catalog, province: Path) -> int:
    from jutong.ingest.core import ingest_file

    rows = 0
    for entry in catalog:
        folder = province / "extracts" / entry.department / entry.dataset
        for f in sorted(p for p in folder.iterdir() if p.is_file()):
            rows += ingest_file(settings, entry, f).rows
    return rows


def _floor(lake, catalog, work: Path) -> int:
    """The baseline: every raw table read and written again as Parquet, one core."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pa.set_cpu_count(1)
    rows = 0
    try:
        for entry in catalog:
            table = lake.table("raw", entry.table_name).scan().to_arrow()
            pq.write_table(table, work / f"floor_{entry.table_name}.parquet")
            rows += table.num_rows
    finally:
        pa.set_cpu_count(os.cpu_count() or 1)
    return rows


def _standardize(spark, settings, catalog) -> int:
    from spark_jobs.standardize import run_standardize

    rows = 0
    for entry in catalog:
        for res in run_standardize(spark, settings, entry, AS_OF):
            rows += res.rows
            if res.status != "passed":
                print(f"    {entry.id} batch {res.batch_id}: {res.status} {res.failures[:2]}")
    return rows


def _base(spark, settings, base: str) -> tuple[int, str]:
    """Build ``base``: the rows it placed, and its steps' line (the entity builds time their
    steps, ``spark_jobs.base.resolve``; empty for the others)."""
    from jutong.lake import Lake
    from jutong.lake.history import rows_at
    from jutong.steps import steps_line
    from spark_jobs.base.run import build_base

    summary = build_base(spark, settings, base, AS_OF)
    steps = "steps: " + steps_line(summary["steps"]) if summary.get("steps") else ""
    lake = Lake(settings)
    links = lake.table_or_none("base", f"{base}_links")
    if links is not None:  # an entity build: every mention it placed
        return rows_at(links), steps
    # spatial and e-licences: the rows of their record tables (spatial_division, …)
    own = [t for t in lake.tables("base") if t == base or t.startswith(f"{base}_")]
    rows = sum(rows_at(lake.table("base", t)) for t in own if not t.endswith(_BOOKKEEPING))
    return rows, steps


_BOOKKEEPING = ("_history", "_ledger", "_keys", "_conflicts", "_links")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--orgs", type=int, default=None, help="default: persons / 10")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--project", type=int, default=50_000_000, help="persons to project to")
    args = ap.parse_args()
    orgs = args.orgs or max(60, args.persons // 10)
    work = args.work or Path(tempfile.mkdtemp(prefix="jutong-bench-pipeline-"))
    work.mkdir(parents=True, exist_ok=True)

    from jutong.catalog import load_catalog
    from jutong.catalog.model import BASES
    from jutong.catalog.releases import load_definitions
    from jutong.lake import Lake
    from jutong.synth import generate
    from jutong.themes.build import build_themes
    from masking.release.build import build_release
    from spark_jobs.session import get_spark

    settings = _settings(work, args.master)
    catalog = load_catalog(settings.catalog_dir)
    province = work / "province"
    if not (province / "synth.json").exists():
        t = time.perf_counter()
        generate(province, people=args.persons, orgs=orgs, seed=7, as_of=AS_OF)
        print(
            f"province of {args.persons:,} persons, {orgs:,} organisations generated in "
            f"{time.perf_counter() - t:.0f} s (not timed below)"
        )
    cores = os.cpu_count() or 1
    print(f"pipeline on {args.master} ({cores} cores on this machine), work {work}")
    peak = MemoryPeak()
    peak.start()
    stages = Stages(peak)
    began = time.perf_counter()
    raw_rows = stages.run("ingest", lambda n: n, lambda: _ingest(settings, catalog, province))
    lake = Lake(settings)
    floor = Stages(peak)
    print("  (baseline, not in the total:)")
    floor.run("raw read+write, pyarrow 1 core", lambda n: n, lambda: _floor(lake, catalog, work))
    spark = stages.run("Spark session start", 0, lambda: get_spark(settings, "bench-pipeline"))
    stages.run("standardize + gate", lambda n: n, lambda: _standardize(spark, settings, catalog))
    for base in BASES:
        stages.run(
            f"build {base.value}",
            lambda out: out[0],
            lambda b=base: _base(spark, settings, b.value),
            detail=lambda out: out[1],
        )
    stages.run(
        "themes (dbt-duckdb)",
        lambda res: sum(res.marts.values()),
        lambda: build_themes(settings, as_of=AS_OF, docs=False),
    )
    stages.run(
        "releases",
        lambda results: sum(getattr(r, "rows", 0) or 0 for r in results),
        lambda: [build_release(settings, rid, as_of=AS_OF) for rid in load_definitions(settings)],
    )
    total = time.perf_counter() - began
    peak.stop = True
    spark.stop()

    floor_s = floor.rows[0][1]
    print(
        "\nstage                            seconds   × floor   (floor: raw rows read and "
        f"written by pyarrow on one core, {floor_s:.1f} s)"
    )
    for name, seconds, _rows, _py, _jvm in stages.rows:
        print(f"  {name:<28} {seconds:8.1f}   {seconds / floor_s:7.1f}×")
    print(
        f"\ntotal {total:,.0f} s for {args.persons:,} persons ({raw_rows:,} department rows): "
        f"{raw_rows / total:,.0f} rows/s on {args.master}; target ≤ 600 s at 1,000,000 persons"
    )
    scale = args.project / args.persons
    core_hours = total * scale * min(cores, 2) / 3600
    print(
        f"projection to {args.project:,} persons (linear): {total * scale / 3600:,.1f} h on "
        f"this machine's {min(cores, 2)} cores = {core_hours:,.0f} core-hours; in one night "
        f"(8 h): {max(1, round(core_hours / 8)):,} cores"
    )
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
