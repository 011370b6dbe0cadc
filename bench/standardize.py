"""Benchmark: the standardize job against the same vectorized rules in one process.

In one run, on the raw table of one synthetic dataset (``jutong.synth``, ingested into a
temporary lake once; ``--work DIR`` keeps it for the next run):

- (a) **baseline**: the core's column rules (``check_resident_ids``, ``check_usccs``,
  ``standardize_names``/``_dates``/``_phones``/``_sexes``, ``lookup_division_codes``,
  ``address_division_codes``: the rules the job applies) over the raw Arrow table in this process, Arrow limited to one thread
  (one core);
- (b) **transform**: ``standardize_frame`` on Spark (``--master``, default ``local[2]``),
  materialized the way the job materializes it: cached, counted, the summary counts taken from
  the cache (``_batch_counts``), then written as Parquet from the cache with the job's file
  count (``files_hint``). Without the gate's row flags;
- (c) **job**: the whole ``run_standardize`` for the batch (raw table in the temporary lake →
  staging and quarantine, the quality gate, Data Docs, the governance record), on a fresh copy
  of the lake each time it runs.

Prints rows/s, the ratio Spark / baseline, the time per phase (Spark jobs and stages from
Spark's status store: wall time, task time, Python UDF time from the SQL metrics) and peak
memory: this process (``ru_maxrss``) and the Spark JVM (RSS sampled from /proc). Not part of
the tests. Targets (issue 19): the job ≥ 150,000 rows/s on ``local[2]`` at 1 M rows and
≥ 1.3× the one-core baseline.

    .venv/bin/python bench/standardize.py [--rows 1000000] [--dataset renshe.shebao]
        [--work DIR] [--skip-job] [--repeat 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# rows of a dataset per synthetic person (default dirt rates)
ROWS_PER_PERSON = {"renshe.shebao": 1.02, "gongan.huji": 0.97}
AS_OF = dt.date(2026, 11, 21)


class JvmPeak:
    """Peak RSS of the Spark JVM (the driver's gateway process), sampled from /proc."""

    def __init__(self, pid: int | None, every: float = 0.2):
        self.pid, self.every, self.peak_kb = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss_kb(self) -> int:
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, self._rss_kb())
            self._stop.wait(self.every)

    def __enter__(self):
        if self.pid:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()

    @property
    def hwm_kb(self) -> int:  # the kernel's own high-water mark
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return self.peak_kb


def python_workers_peak_kb(jvm_pid: int | None) -> int:
    """Summed VmHWM of the JVM's Python worker processes alive now (pyspark.daemon)."""
    if not jvm_pid:
        return 0
    total = 0
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            cmd = (p / "cmdline").read_bytes()
            if b"pyspark.daemon" not in cmd and b"pyspark/worker" not in cmd:
                continue
            for line in (p / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def _cpu_of(pid: int | str) -> float:
    """CPU seconds of a process and its reaped children (utime, stime, cutime, cstime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(jvm: int | None) -> dict[str, float]:
    """CPU seconds so far: the Spark JVM (without its children), the Python worker processes
    (the daemon and its forked workers, reaped ones included) and this driver process. CPU
    time, unlike wall time, does not grow when other work shares the cores."""
    out = {"jvm": 0.0, "python workers": 0.0, "driver": 0.0}
    me = resource.getrusage(resource.RUSAGE_SELF)
    out["driver"] = me.ru_utime + me.ru_stime
    if not jvm:
        return out
    try:
        f = Path(f"/proc/{jvm}/stat").read_text().rsplit(")", 1)[1].split()
        out["jvm"] = (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            cmd = (p / "cmdline").read_bytes()
        except OSError:
            continue
        if b"pyspark.daemon" in cmd or b"pyspark/daemon" in cmd:
            stat = (p / "stat").read_text().rsplit(")", 1)[1].split()
            if stat[1] == str(jvm):  # the daemon: its own and its reaped workers' time
                out["python workers"] += _cpu_of(p.name)
            else:  # a live worker (forked from the daemon)
                out["python workers"] += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return out


def cpu_diff(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: b[k] - a[k] for k in a}


def fmt_cpu(c: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in c.items()) + f" (total {sum(c.values()):.1f})"


def jvm_pid(spark) -> int | None:
    try:
        return int(spark.sparkContext._jvm.ProcessHandle.current().pid())
    except Exception:  # noqa: BLE001 - a remote driver: not sampled
        return None


# ---- Spark's status store: jobs, stages, SQL metrics -------------------------------------


def _opt(o):
    return o.get() if o.isDefined() else None


class SparkProfile:
    """What Spark ran between two marks: jobs (with their description), stages (wall, task
    time, CPU, records, shuffle) and the SQL metrics of the Python (Arrow) evaluation nodes."""

    def __init__(self, spark):
        self.spark = spark
        self.sc = spark.sparkContext._jsc.sc()
        self.store = self.sc.statusStore()
        self.sql_store = spark._jsparkSession.sharedState().statusStore()
        conv = spark.sparkContext._jvm.scala.jdk.javaapi.CollectionConverters
        self._list = lambda seq: list(conv.asJava(seq))

    def mark(self) -> tuple[int, int]:
        jobs = [j.jobId() for j in self._list(self.store.jobsList(None))]
        execs = [e.executionId() for e in self._list(self.sql_store.executionsList())]
        return max(jobs, default=-1), max(execs, default=-1)

    def since(self, mark: tuple[int, int]) -> dict:
        last_job, last_exec = mark
        jobs = sorted(
            (j for j in self._list(self.store.jobsList(None)) if j.jobId() > last_job),
            key=lambda j: j.jobId(),
        )
        stages = []
        for j in jobs:
            for sid in self._list(j.stageIds()):
                st = self.store.lastStageAttempt(int(sid))
                if str(st.status()) == "SKIPPED":
                    continue
                sub, end = _opt(st.submissionTime()), _opt(st.completionTime())
                wall = (end.getTime() - sub.getTime()) / 1000 if sub and end else 0.0
                stages.append(
                    {
                        "job": j.jobId(),
                        "stage": st.stageId(),
                        "name": st.name().split(" at ")[0],
                        "tasks": st.numTasks(),
                        "wall": wall,
                        "run": st.executorRunTime() / 1000,
                        "cpu": st.executorCpuTime() / 1e9,
                        "in_rec": st.inputRecords(),
                        "out_rec": st.outputRecords(),
                        "shuffle_w": st.shuffleWriteBytes(),
                        "shuffle_r": st.shuffleReadBytes(),
                        "gc": st.jvmGcTime() / 1000,
                    }
                )
        python: dict[str, float] = defaultdict(float)
        for e in self._list(self.sql_store.executionsList()):
            if e.executionId() <= last_exec:
                continue
            metrics = self.sql_store.executionMetrics(e.executionId())
            for node in self._list(self.sql_store.planGraph(e.executionId()).allNodes()):
                for m in self._list(node.metrics()):
                    timing = m.metricType() in ("timing", "nsTiming")
                    if "Python" not in node.name() and not timing:
                        continue
                    v = metrics.get(m.accumulatorId())
                    if v.isDefined():
                        python[f"{node.name()}: {m.name()}"] += _metric_value(str(v.get()))
        return {
            "jobs": [
                (j.jobId(), str(_opt(j.description()) or j.name()).split(" at ")[0]) for j in jobs
            ],
            "stages": stages,
            "python": dict(python),
        }


def _metric_value(text: str) -> float:
    """A SQL metric's display string ('total (min, med, max ...)\n1.2 s (...)') → a number
    (seconds for times, MiB for sizes, the count otherwise)."""
    line = text.strip().splitlines()[-1].split("(")[0].strip()
    units = {"ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, "B": 1 / 2**20, "KiB": 1 / 2**10}
    units.update({"MiB": 1.0, "GiB": 2**10})
    parts = line.replace(",", "").split()
    try:
        if len(parts) == 2 and parts[1] in units:
            return float(parts[0]) * units[parts[1]]
        return float(parts[0])
    except (ValueError, IndexError):
        return 0.0


def print_profile(title: str, prof: dict, total: float) -> None:
    print(f"  {title}: {len(prof['jobs'])} Spark jobs, {len(prof['stages'])} stages")
    run = sum(s["run"] for s in prof["stages"])
    wall = sum(s["wall"] for s in prof["stages"])
    print(
        f"    stage wall {wall:6.2f} s of {total:6.2f} s (driver-only: {max(0, total - wall):.2f} s);"
        f" task time {run:6.2f} s"
    )
    print(
        f"    {'job':>4} {'stage':>5} {'tasks':>5} {'wall s':>7} {'task s':>7} {'cpu s':>6} "
        f"{'gc s':>5} {'in rec':>9} {'out rec':>9} {'shuf w MB':>9} {'shuf r MB':>9}  name"
    )
    descr = dict(prof["jobs"])
    for s in prof["stages"]:
        print(
            f"    {s['job']:>4} {s['stage']:>5} {s['tasks']:>5} {s['wall']:7.2f} {s['run']:7.2f} "
            f"{s['cpu']:6.2f} {s['gc']:5.2f} {s['in_rec']:>9,} {s['out_rec']:>9,} "
            f"{s['shuffle_w'] / 2**20:9.1f} {s['shuffle_r'] / 2**20:9.1f}  "
            f"{s['name']} [{descr.get(s['job'], '')}]"
        )
    print("    SQL metrics (summed over the executions; times in s, sizes in MiB):")
    for k, v in sorted(prof["python"].items()):
        if v:
            print(f"      {k}: {v:,.2f}")


# ---- (a) the in-process baseline ----------------------------------------------------------


def baseline(table, entry, as_of: dt.date) -> dict[str, float]:
    """The core's column rules over the raw Arrow table, one thread; seconds per item."""
    import pyarrow as pa

    from jutong.catalog.model import StandardizeRule as R
    from jutong.identifiers.resident_id import check_resident_ids
    from jutong.identifiers.uscc import check_usccs
    from jutong.standardize import (
        address_division_codes,
        lookup_division_codes,
        standardize_dates,
        standardize_names,
        standardize_phones,
        standardize_sexes,
    )

    plain = {
        R.person_name: standardize_names,
        R.phone: standardize_phones,
        R.date: standardize_dates,
        R.sex: standardize_sexes,
        R.division: lookup_division_codes,
        R.address: address_division_codes,  # what the job takes of an address
    }
    threads = pa.cpu_count()
    pa.set_cpu_count(1)
    times: dict[str, float] = {}
    try:
        for item in entry.items:
            col = table.column(item.name)
            rule = item.standardize_rule
            t = time.perf_counter()
            if rule in (R.resident_id, R.party_id):
                check_resident_ids(col, as_of).to_arrow()
            if rule in (R.uscc, R.party_id):
                check_usccs(col).to_arrow()
            if rule in plain:
                plain[rule](col)
            times[f"{item.name} ({rule.value})"] = time.perf_counter() - t
    finally:
        pa.set_cpu_count(threads)
    return times


# ---- set-up --------------------------------------------------------------------------------


def prepare(work: Path, dataset: str, rows: int):
    """The synthetic province's extract of ``dataset`` ingested into the lake under ``work``
    (once: a kept work folder is reused)."""
    from bench._home import bench_home

    home = bench_home(work)
    os.environ["JUTONG_HOME"] = str(home)
    from jutong.catalog import load_catalog
    from jutong.ingest import ingest_file
    from jutong.lake import Lake
    from jutong.settings import get_settings
    from jutong.synth import generate

    s = get_settings()
    entry = load_catalog(s.catalog_dir).get(dataset)
    lake = Lake(s)
    if not lake.table_exists("raw", entry.table_name):
        people = int(rows / ROWS_PER_PERSON.get(dataset, 1.0)) + 1
        prov = work / "province"
        t = time.perf_counter()
        print(f"set-up: generating {people:,} people …", flush=True)
        generate(prov, people=people, orgs=max(1000, people // 10), seed=1)
        for f in sorted((prov / "extracts" / entry.department / entry.dataset).iterdir()):
            ingest_file(s, entry, f)
        shutil.rmtree(prov, ignore_errors=True)
        print(f"set-up: generated and ingested in {time.perf_counter() - t:.0f} s", flush=True)
    return s, entry, lake


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dataset", default="renshe.shebao", choices=sorted(ROWS_PER_PERSON))
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--work", help="work folder to keep and reuse (default: a temporary one)")
    ap.add_argument("--skip-job", action="store_true", help="skip (c), the whole job")
    ap.add_argument("--repeat", type=int, default=1, help="runs of (b), best one reported")
    ap.add_argument("--conf", action="append", default=[], help="extra Spark option K=V")
    ap.add_argument("--prepare-only", action="store_true", help="generate and ingest, no run")
    args = ap.parse_args()

    work = Path(args.work or tempfile.mkdtemp(prefix="jutong-bench-std-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["JUTONG_SPARK_MASTER"] = args.master
    s, entry, lake = prepare(work, args.dataset, args.rows)
    if args.prepare_only:
        return 0

    import pyarrow.dataset as pads

    from jutong.lake.history import batch_files
    from spark_jobs.lake import read_batch
    from spark_jobs.session import get_spark
    from spark_jobs.standardize import _batch_counts, standardize_frame

    raw = lake.table("raw", entry.table_name)
    batch = raw.current_snapshot().summary.additional_properties["jutong.batch_id"]
    fs, _ = lake.filesystem(str(lake.location("raw", entry.table_name)))
    files = batch_files(raw, batch)
    t = time.perf_counter()
    table = pads.dataset([f.removeprefix("file://") for f in files], format="parquet").to_table()
    t_read = time.perf_counter() - t
    rows = table.num_rows
    print(f"dataset {entry.id}: batch {batch}, {rows:,} rows, {len(entry.items)} items")

    # (a)
    c0 = cpu_seconds(None)
    times = baseline(table, entry, AS_OF)
    t_base = sum(times.values())
    cpu_a = cpu_diff(c0, cpu_seconds(None))["driver"]
    print(
        f"\n(a) baseline, rules over the Arrow table in this process, 1 thread: {t_base:.2f} s "
        f"= {rows / t_base:,.0f} rows/s, CPU {cpu_a:.2f} s (reading the table: {t_read:.2f} s, "
        "not counted)"
    )
    for k, v in times.items():
        print(f"    {k:<34} {v:6.2f} s  {rows / v if v else 0:>12,.0f} rows/s")
    del table

    spark = get_spark(s, "bench standardize", **dict(c.split("=", 1) for c in args.conf))
    prof = SparkProfile(spark)
    pid = jvm_pid(spark)
    files_hint = max(1, min(4, rows // 500_000 + 1))

    # (b)
    best = None
    with JvmPeak(pid) as jvm:
        spark.range(1000).selectExpr("sum(id)").collect()  # warm the session
        for i in range(args.repeat):
            target = work / f"transform-{i}"
            shutil.rmtree(target, ignore_errors=True)
            m = prof.mark()
            phases = {}
            c0 = cpu_seconds(pid)
            t0 = time.perf_counter()
            raw_df = read_batch(spark, lake, "raw", entry.table_name, batch)
            out = standardize_frame(raw_df, entry, AS_OF).cache()
            t = time.perf_counter()
            n = out.count()
            phases["transform + cache (count)"] = time.perf_counter() - t
            t = time.perf_counter()
            _batch_counts(out, entry)
            phases["summary counts (one agg)"] = time.perf_counter() - t
            t = time.perf_counter()
            out.coalesce(files_hint).write.parquet(str(target))
            phases[f"write Parquet ({files_hint} file(s))"] = time.perf_counter() - t
            total = time.perf_counter() - t0
            cpu = cpu_diff(c0, cpu_seconds(pid))
            print(f"    (b) run {i + 1}: {total:.2f} s, CPU s: {fmt_cpu(cpu)}", flush=True)
            out.unpersist()
            assert n == rows, (n, rows)
            if best is None or total < best[0]:
                best = (total, phases, prof.since(m), cpu)
        t_b, phases_b, prof_b, cpu_b = best
    print(
        f"\n(b) standardize_frame on {args.master}: {t_b:.2f} s = {rows / t_b:,.0f} rows/s; "
        f"ratio to the baseline {t_base / t_b:.2f}"
    )
    for k, v in phases_b.items():
        print(f"    {k:<34} {v:6.2f} s")
    print(f"    CPU s: {fmt_cpu(cpu_b)}; {rows / sum(cpu_b.values()):,.0f} rows per CPU-second")
    print_profile("(b)", prof_b, t_b)

    # (c)
    t_c = None
    if not args.skip_job:
        from jutong.lake import Lake
        from jutong.settings import get_settings, reset_settings_cache
        from spark_jobs.standardize import run_standardize

        home = Path(os.environ["JUTONG_HOME"])
        job_home = work / "job-home"
        shutil.rmtree(job_home, ignore_errors=True)
        shutil.copytree(home, job_home)  # raw table only: staging is fresh every run
        os.environ["JUTONG_HOME"] = str(job_home)
        reset_settings_cache()
        s2 = get_settings()
        lake2 = Lake(s2)
        m = prof.mark()
        marks: list[tuple[str, float]] = []
        c0 = cpu_seconds(pid)
        t0 = time.perf_counter()
        res = run_standardize(
            spark,
            s2,
            entry,
            AS_OF,
            lake=lake2,
            progress=lambda msg: marks.append((msg, time.perf_counter() - t0)),
        )
        t_c = time.perf_counter() - t0
        cpu_c = cpu_diff(c0, cpu_seconds(pid))
        prof_c = prof.since(m)
        os.environ["JUTONG_HOME"] = str(home)
        r = res[0]
        print(
            f"\n(c) run_standardize (one batch, gate included): {t_c:.2f} s = "
            f"{rows / t_c:,.0f} rows/s; ratio to the baseline {t_base / t_c:.2f}; "
            f"{r.status}: {r.published:,} published, {r.quarantined:,} quarantined"
        )
        print(f"    CPU s: {fmt_cpu(cpu_c)}; {rows / sum(cpu_c.values()):,.0f} rows per CPU-second")
        steps = r.steps
        from jutong.steps import steps_line

        print("    steps: " + steps_line(steps))
        if steps.get("standardize") and "gate" in steps:  # issue 19 item 3: gate ≤ 0.5
            print(
                f"    gate / standardize: {steps['gate'] / steps['standardize']:.2f} "
                "(target ≤ 0.50)"
            )
        print_profile("(c)", prof_c, t_c)
    jvm_kb = max(jvm.hwm_kb, jvm.peak_kb)
    workers_kb = python_workers_peak_kb(pid)
    spark.stop()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\nsummary")
    print(f"  rows                 {rows:,} ({entry.id})")
    print(f"  (a) baseline 1 core  {rows / t_base:>10,.0f} rows/s  {t_base:6.2f} s")
    print(
        f"  (b) transform        {rows / t_b:>10,.0f} rows/s  {t_b:6.2f} s  "
        f"ratio {t_base / t_b:.2f}"
    )
    if t_c:
        print(
            f"  (c) whole job        {rows / t_c:>10,.0f} rows/s  {t_c:6.2f} s  "
            f"ratio {t_base / t_c:.2f}"
        )
    print(f"  targets: ≥ 150,000 rows/s on {args.master} and ratio ≥ 1.30")
    load = os.getloadavg()
    print(f"  load average at the end (other work on the machine): {load[0]:.1f} {load[1]:.1f}")
    print(
        f"  peak memory: driver process {peak_mb:,.0f} MB; Spark JVM {jvm_kb / 1024:,.0f} MB; "
        f"Python workers alive at the end {workers_kb / 1024:,.0f} MB"
    )
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
