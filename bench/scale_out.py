"""Benchmark: the same Spark work on ``local[2]`` and on a Spark standalone cluster of two
workers, side by side (issue 18 item 8), with the projection of the executors a 50 M-person
province needs in one night.

The work is ``bench/base_build.py``'s: exact-key dedup and survivorship of the population base
database over N persons' mentions (about 4 per person), run once per master in its own process
(one Spark application each). The cluster is started here with ``jutong.stack.spark`` — the
same master and workers ``jutong stack up`` runs — under a temporary folder, two workers
sharing this machine's cores, and stopped at the end. On one 2-core machine the two masters
use the same hardware: the figure shows what the cluster's scheduling and shuffle over the
network cost; on real nodes each worker brings its own cores. Not part of the tests.

    .venv/bin/python bench/scale_out.py [--persons 1000000] [--workers 2] [--project 50000000]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

LINE = re.compile(r"\(a\) Spark (\S+)\s*: +([\d.]+) s +([\d.]+) M rows/s")


def _run(persons: int, master: str, work: Path) -> tuple[float, float, str]:
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "base_build.py"),
            "--persons",
            str(persons),
            "--master",
            master,
            "--work",
            str(work),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench/base_build.py on {master} failed:\n{proc.stderr[-3000:]}")
    found = LINE.search(proc.stdout)
    if not found:
        raise SystemExit(f"no Spark timing in the output of base_build.py:\n{proc.stdout}")
    return float(found.group(2)), float(found.group(3)), proc.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--project", type=int, default=50_000_000, help="persons to project to")
    ap.add_argument("--night-hours", type=float, default=8.0)
    args = ap.parse_args()

    from jutong.stack.common import assign_ports
    from jutong.stack.runner import context
    from jutong.stack.spark import Spark, master_url, worker_cores

    root = Path(tempfile.mkdtemp(prefix="jutong-bench-scale-"))
    work = root / "work"
    ctx = context(root / ".stack", REPO)
    ctx.ports = assign_ports(list(Spark.ports), {})
    ctx.options.update(spark_workers=str(args.workers), spark_worker_memory="2g")
    cores = worker_cores(ctx) * args.workers
    results = {}
    t = time.perf_counter()
    results["local[2]"] = _run(args.persons, "local[2]", work)
    print(f"local[2]: done ({time.perf_counter() - t:.0f} s with the data generation)", flush=True)
    print("  " + results["local[2]"][2].strip().replace("\n", "\n  "), flush=True)
    spark = Spark()
    spark.start(ctx)
    try:
        url = master_url(ctx)
        print(f"standalone cluster {url}: {args.workers} workers × {worker_cores(ctx)} core(s)")
        results[f"{args.workers} workers"] = _run(args.persons, url, work)
    finally:
        print(f"cluster stopped: {spark.stop(ctx)}")

    rows = None
    print(f"\nexact-key dedup + survivorship, {args.persons:,} persons:")
    print(f"  {'master':<12} {'seconds':>8} {'M rows/s':>9} {'M rows/s per core':>18}")
    per_core = {}
    for name, (seconds, mrows, out) in results.items():
        n = 2 if name == "local[2]" else cores
        per_core[name] = mrows / n
        print(f"  {name:<12} {seconds:8.1f} {mrows:9.2f} {mrows / n:18.3f}")
        m = re.search(r"([\d,]+) mention rows", out)
        rows = rows or (int(m.group(1).replace(",", "")) if m else None)
    ratio = results[f"{args.workers} workers"][0] / results["local[2]"][0]
    print(f"  cluster / local[2] time: {ratio:.2f}×")
    rate = per_core[f"{args.workers} workers"] * 1e6  # rows/s per core on the cluster
    mentions = (rows / args.persons if rows else 4.0) * args.project
    core_seconds = mentions / rate
    cores_needed = core_seconds / (args.night_hours * 3600)
    print(
        f"\nprojection: {args.project:,} persons ≈ {mentions:,.0f} mentions; at the cluster's "
        f"{rate:,.0f} rows/s per core this step takes {core_seconds / 3600:,.1f} core-hours: "
        f"{max(1, int(cores_needed + 0.999))} executor core(s) finish it in "
        f"{args.night_hours:g} h (linear scaling assumed; the whole build is several such steps, "
        "see bench/pipeline.py)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
