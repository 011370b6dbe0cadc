"""Benchmark: ingestion of a province's extracts, dataset by dataset, against the hardware's floor.

Each extract of a synthetic province (``--persons``, default 200,000; or ``--province DIR``,
a folder ``jutong.synth`` wrote) goes through ``jutong.ingest.ingest_file`` into a fresh lake:
the hash and strict decode pass, the catalog contract (header, widths, types, control
characters, UTF-8 inside GBK, JSON keys), the Parquet write and the Iceberg commit with its
audit. For each dataset: wall and CPU seconds, rows/s, peak memory of this process.

The baseline, in the same run and on the same file: pyarrow's own reader (``pyarrow.csv`` with
every column as text, ``pyarrow.json`` for JSON lines) and a zstd Parquet write on one core —
no contract checked, what the hardware does with these bytes. Workbooks (xlsx) have no
vectorized reader and no baseline. Printed per dataset: both rates and the ratio
ingest / baseline (1.0 = as fast as reading the file with no checks). Not part of the tests.

    .venv/bin/python bench/ingest.py [--persons 200000] [--province DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._memory import MemoryPeak  # noqa: E402

AS_OF = dt.date(2026, 11, 1)


def _baseline(entry, path: Path, out: Path) -> tuple[int, float] | None:
    """Rows and CPU seconds of pyarrow reading ``path`` as text and writing Parquet (1 core)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.json as pjson
    import pyarrow.parquet as pq

    fmt = entry.extract.format.value
    if fmt not in ("csv", "jsonl"):
        return None
    pa.set_cpu_count(1)
    try:
        t = time.process_time()
        if fmt == "csv":
            names = [it.column for it in entry.items]
            table = pcsv.read_csv(
                path,
                read_options=pcsv.ReadOptions(encoding=entry.extract.encoding, use_threads=False),
                parse_options=pcsv.ParseOptions(delimiter=entry.extract.delimiter or ","),
                convert_options=pcsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=False
                ),
            )
        else:
            table = pjson.read_json(path, read_options=pjson.ReadOptions(use_threads=False))
        pq.write_table(table, out, compression="zstd")
        return table.num_rows, time.process_time() - t
    finally:
        pa.set_cpu_count(__import__("os").cpu_count() or 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=200_000)
    ap.add_argument("--province", type=Path, default=None, help="a province jutong.synth wrote")
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="jutong-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)

    from bench._home import bench_home
    from jutong.catalog import load_catalog
    from jutong.ingest.core import ingest_file
    from jutong.settings import load_settings
    from jutong.synth import generate

    province = args.province or work / "province"
    if not (province / "synth.json").exists():
        t = time.perf_counter()
        generate(
            province, people=args.persons, orgs=max(60, args.persons // 10), seed=7, as_of=AS_OF
        )
        print(
            f"province of {args.persons:,} persons generated in "
            f"{time.perf_counter() - t:.0f} s (not timed below)"
        )
    shutil.rmtree(work / "home", ignore_errors=True)
    home = bench_home(work)
    settings = load_settings(
        {
            "JUTONG_HOME": str(home),
            "JUTONG_KEY_DIR": str(home / "keys"),
            "JUTONG_INGEST_QUIET_SECONDS": "0",
        }
    )
    catalog = load_catalog(settings.catalog_dir)
    # the fixed cost of a process that ingests (imports, the Iceberg catalog), apart
    t, c = time.perf_counter(), time.process_time()
    import pyiceberg.io.pyarrow  # noqa: F401

    from jutong.ingest import textcheck
    from jutong.lake import Lake

    Lake(settings).catalog  # noqa: B018
    if hasattr(textcheck, "rare_char"):  # (absent before 2026-12-03: the bench ran on both)
        textcheck.rare_char()
    print(
        f"process set-up (imports, catalog): {time.perf_counter() - t:.1f} s wall, "
        f"{time.process_time() - c:.1f} s CPU (once per ingesting process, not below)"
    )
    peak = MemoryPeak()
    peak.start()
    print(
        f"{'dataset':<22} {'rows':>10} {'wall s':>7} {'cpu s':>7} {'rows/s':>9} "
        f"{'MiB':>6} | {'baseline rows/s':>15} {'ratio':>6}"
    )
    totals = [0, 0.0, 0.0]
    for entry in catalog:
        folder = province / "extracts" / entry.department / entry.dataset
        for f in sorted(p for p in folder.iterdir() if p.is_file()):
            size = f.stat().st_size
            keep = work / "copy" / f.name  # ingestion moves the file away: keep one to compare
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, keep)
            peak.reset()
            t, c = time.perf_counter(), time.process_time()
            rows = ingest_file(settings, entry, f).rows
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            shutil.copy2(keep, f)  # the province stays as it was
            base = _baseline(entry, keep, work / "copy" / f"{f.stem}.parquet")
            rate = rows / cpu if cpu else 0.0
            tail = "(no vectorized reader)"
            if base is not None:
                b_rows, b_cpu = base
                b_rate = b_rows / b_cpu if b_cpu else 0.0
                tail = f"{b_rate:15,.0f} {rate / b_rate if b_rate else 0:6.2f}"
            print(
                f"{entry.id:<22} {rows:>10,} {wall:7.1f} {cpu:7.1f} {rate:9,.0f} "
                f"{peak.python / 2**20:6,.0f} | {tail}   ({size / 2**20:,.0f} MiB "
                f"{entry.extract.format.value})",
                flush=True,
            )
            totals[0] += rows
            totals[1] += wall
            totals[2] += cpu
    peak.stop = True
    rows, wall, cpu = totals
    print(
        f"{'total':<22} {rows:>10,} {wall:7.1f} {cpu:7.1f} {rows / cpu if cpu else 0:9,.0f}"
        f"   (rows/s per CPU second of this process; ingestion is one process per file)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
