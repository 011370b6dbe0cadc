"""Bench: write-audit-publish and repair against a plain append, in one process.

    .venv/bin/python bench/lake_publish.py [--batches 50] [--rows 20000]

Publishes ``--batches`` batches of ``--rows`` rows each to one table through
``Lake.publish_files`` (branch, audit of the batch's rows, publish, branch removal, with the
skip-if-already-published check) and, as the baseline, the same files to a second table with
pyiceberg's plain ``add_files`` on main (no branch, no audit). Then times
``jutong lake repair --dry-run`` (what runs before every job) on the published table. Prints
rows/s, ms per batch, peak memory and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "lake"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=50)
    ap.add_argument("--rows", type=int, default=20_000)
    args = ap.parse_args()

    from lakeutil import already, audit_rows, make_table, write_batch

    from jutong.lake import Lake
    from jutong.lake.repair import repair
    from jutong.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake(load_settings({"JUTONG_HOME": tmp}))
        wap, plain = make_table(lake, "wap"), make_table(lake, "plain")
        t_wap = t_plain = 0.0
        for i in range(args.batches):
            b = f"b{i:05d}"
            files = write_batch(lake, wap, b, args.rows)
            t0 = time.perf_counter()
            lake.publish_files(
                wap,
                files,
                properties={"jutong.batch_id": b},
                audit=audit_rows(b, args.rows),
                skip_if=already(b),
            )
            t_wap += time.perf_counter() - t0
            files = write_batch(lake, plain, b, args.rows)
            t0 = time.perf_counter()
            plain = plain.refresh()
            plain.add_files(files, snapshot_properties={"jutong.batch_id": b})
            t_plain += time.perf_counter() - t0
        t0 = time.perf_counter()
        repair(lake, ["staging.wap"], dry_run=True)
        t_repair = time.perf_counter() - t0
        rows = args.batches * args.rows
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"batches {args.batches} x {args.rows:,} rows = {rows:,} rows")
        print(
            f"baseline add_files on main: {rows / t_plain:,.0f} rows/s, "
            f"{1000 * t_plain / args.batches:.0f} ms/batch"
        )
        print(
            f"write-audit-publish:        {rows / t_wap:,.0f} rows/s, "
            f"{1000 * t_wap / args.batches:.0f} ms/batch (ratio {t_wap / t_plain:.2f})"
        )
        print(f"repair --dry-run on {args.batches} snapshots: {1000 * t_repair:.0f} ms")
        print(f"peak memory {peak:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
