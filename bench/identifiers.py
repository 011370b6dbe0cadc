"""Benchmark of the identifier rules: vectorized (one core), Spark local[2], stdnum baseline.

    python bench/identifiers.py [--rows N] [--runs R] [--skip-spark] [--skip-baseline]
                                [--spark-batch B]

(default 5,000,000 of each kind; ``--skip-spark``: only (a); ``--skip-baseline``: no (c), which
takes most of a full run: python-stdnum checks ~10,000 IDs/s).

Generates N resident IDs and N credit codes (valid, with a realistic share of wrong check
characters, impossible dates, legacy 15-digit IDs, legacy registration numbers and organisation
codes, lower-case, spaced and hyphenated forms, placeholders and blanks), then validates them:

(a) ``check_resident_ids`` / ``check_usccs`` on one core, from an Arrow array (as read from
    Parquet): median of 3 runs (``--runs``);
(b) Spark ``local[2]``: the Arrow UDFs of ``spark_jobs.rules`` over the Parquet file, forced
    with a ``noop`` write of the validity column (and of the whole struct), in Arrow batches of
    ``--spark-batch`` rows (default 100,000; Spark's Parquet reader alone gives 4096);
(c) baseline: a row-at-a-time Python UDF calling python-stdnum (``cn.ric.is_valid`` /
    ``cn.uscc.is_valid``) over the same file, in the same session.

Prints rows/s, ru_maxrss and the ratios (a)/(c) and (b)/(c). Targets: (a) >= 10M IDs/s per
core; (b) >= 4x (c).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jutong.identifiers import _columns as C  # noqa: E402
from jutong.identifiers.checkdigits import (  # noqa: E402
    ORGCODE_WEIGHTS,
    RID_CHECK_CHARS,
    RID_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    regno_check,
)
from jutong.identifiers.resident_id import check_resident_ids  # noqa: E402
from jutong.identifiers.uscc import AUTHORITY_CATEGORIES, check_usccs  # noqa: E402
from jutong.reference import load_divisions  # noqa: E402
from jutong.text.width import to_fullwidth  # noqa: E402

AS_OF = dt.date(2026, 11, 21)


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- data -------------------------------------------------------------------------------


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) uint8 ASCII digits of non-negative integers."""
    out = np.empty((values.size, width), np.uint8)
    v = values.astype(np.int64)
    for i in range(width - 1, -1, -1):
        out[:, i] = 48 + v % 10
        v //= 10
    return out


def _dirty(arr_rows: np.ndarray, rng: np.random.Generator, variants) -> list[str]:
    """Apply a random dirty variant to each of the given strings."""
    pick = rng.integers(0, len(variants), size=len(arr_rows))
    return [variants[k](s) for k, s in zip(pick, arr_rows, strict=True)]


def make_resident_ids(n: int, seed: int = 1) -> pa.Array:
    rng = np.random.default_rng(seed)
    counties = np.array([int(c) for c, d in load_divisions().items() if d.level == "county"])
    region = counties[rng.integers(0, counties.size, n)]
    days = rng.integers(
        np.datetime64("1930-01-01").astype(int), np.datetime64("2024-12-31").astype(int), n
    )
    births = days.astype("datetime64[D]")
    years = births.astype("datetime64[Y]").astype(int) + 1970
    months = births.astype("datetime64[M]").astype(int) % 12 + 1
    dom = (births - births.astype("datetime64[M]")).astype(int) + 1
    ymd = years * 10000 + months * 100 + dom
    mat = np.empty((n, 18), np.uint8)
    mat[:, :6] = _digits(region, 6)
    mat[:, 6:14] = _digits(ymd, 8)
    mat[:, 14:17] = _digits(rng.integers(0, 1000, n), 3)
    acc = (mat[:, :17].astype(np.int64) - 48) @ np.array(RID_WEIGHTS)
    mat[:, 17] = np.frombuffer(RID_CHECK_CHARS.encode(), np.uint8)[acc % 11]
    # 2 % wrong check character, 0.3 % impossible dates (month 13): still 18 clean characters
    wrong = rng.random(n) < 0.02
    mat[wrong, 17] = np.where(mat[wrong, 17] == ord("0"), ord("1"), ord("0"))
    mat[rng.random(n) < 0.003, 10:12] = np.frombuffer(b"13", np.uint8)
    arr = C.matrix_to_strings(mat)
    # dirty share ~1 %: lower-case x, spaces, hyphens, full-width, legacy 15 digits, blanks
    dirty = np.flatnonzero(rng.random(n) < 0.01)
    raw = arr.take(pa.array(dirty)).to_pylist()
    variants = [
        lambda s: s[:17] + ("x" if s[17] == "X" else s[17]),
        lambda s: " " + s,
        lambda s: s[:6] + "-" + s[6:14] + "-" + s[14:],
        lambda s: to_fullwidth(s, only="0123456789X"),
        lambda s: s[:6] + s[8:17],
        lambda s: "",
        lambda s: "无",
        lambda s: s[:16],
    ]
    repl = _dirty(np.array(raw, dtype=object), rng, variants)
    return C.replace_rows(arr, dirty, repl)


def make_usccs(n: int, seed: int = 2) -> pa.Array:
    rng = np.random.default_rng(seed)
    charset = np.frombuffer(USCC_CHARSET.encode(), np.uint8)
    value = C.byte_table(USCC_CHARSET)
    org_value = C.byte_table("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    pairs = [a + c for a, cats in AUTHORITY_CATEGORIES.items() for c in cats]
    weights = [0.02] * len(pairs)
    weights[pairs.index("91")] = 0.6
    weights[pairs.index("92")] = 0.25
    weights = np.array(weights) / sum(weights)
    pair = np.array([p.encode() for p in pairs], "S2")[rng.choice(len(pairs), n, p=weights)]
    counties = np.array([int(c) for c, d in load_divisions().items() if d.level != "province"])
    mat = np.empty((n, 18), np.uint8)
    mat[:, :2] = pair.view(np.uint8).reshape(n, 2)
    mat[:, 2:8] = _digits(counties[rng.integers(0, counties.size, n)], 6)
    org = rng.integers(0, 31, (n, 8))
    org[:, 0] = np.where(rng.random(n) < 0.7, 22, org[:, 0])  # 'M' like MA...
    mat[:, 8:16] = charset[org]
    oacc = org_value[mat[:, 8:16]].astype(np.int64) @ np.array(ORGCODE_WEIGHTS)
    c = 11 - oacc % 11
    mat[:, 16] = np.where(c == 10, ord("X"), np.where(c == 11, ord("0"), 48 + c % 10))
    acc = value[mat[:, :17]].astype(np.int64) @ np.array(USCC_WEIGHTS)
    mat[:, 17] = charset[(31 - acc % 31) % 31]
    wrong = rng.random(n) < 0.02
    mat[wrong, 17] = np.where(mat[wrong, 17] == ord("0"), ord("1"), ord("0"))
    arr = C.matrix_to_strings(mat)
    dirty = np.flatnonzero(rng.random(n) < 0.01)
    raw = arr.take(pa.array(dirty)).to_pylist()
    variants = [
        lambda s: s.lower(),
        lambda s: " " + s,
        lambda s: s[:8] + "-" + s[8:],
        lambda s: s[8:16] + "-" + s[16],  # legacy organisation code
        lambda s: (
            s[2:8] + f"{int.from_bytes(s.encode()[:4]) % 10**8:08d}" + "0"
        ),  # regno, maybe wrong
        lambda s: "",
        lambda s: "/",
        lambda s: s[:17] + "O",
    ]
    repl = _dirty(np.array(raw, dtype=object), rng, variants)
    repl = [r[:14] + regno_check(r[:14]) if len(r) == 15 and r.isdigit() else r for r in repl]
    return C.replace_rows(arr, dirty, repl)


# ---- timing -----------------------------------------------------------------------------


def best_of(fn, runs: int = 3) -> float:
    """Median wall time of ``runs`` calls (the name is historical)."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def call_peak_mib(fn) -> tuple[float, float]:
    """Peak memory of one call: NumPy's (tracemalloc) and Arrow's (a proxy of its pool)."""
    import tracemalloc

    default = pa.default_memory_pool()
    pool = pa.proxy_memory_pool(default)
    pa.set_memory_pool(pool)
    tracemalloc.start()
    try:
        fn()
        numpy_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        pa.set_memory_pool(default)
    return numpy_peak / 2**20, (pool.max_memory() or 0) / 2**20


def spark_time(spark, path: str, column) -> float:
    t0 = time.perf_counter()
    spark.read.parquet(path).select(column.alias("v")).write.format("noop").mode("overwrite").save()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of (a), median reported")
    parser.add_argument("--skip-spark", action="store_true", help="only (a)")
    parser.add_argument(
        "--spark-batch", type=int, default=100_000, help="rows per Arrow batch in (b)"
    )
    parser.add_argument("--skip-baseline", action="store_true", help="no (c) (slow: ~100 us/ID)")
    args = parser.parse_args(argv)
    n = args.rows

    t0 = time.perf_counter()
    rids, usccs = make_resident_ids(n), make_usccs(n)
    print(
        f"generated {n:,} resident IDs and {n:,} credit codes in {time.perf_counter() - t0:.1f} s"
    )
    r = check_resident_ids(rids, AS_OF)
    u = check_usccs(usccs)
    print(f"  resident IDs valid {r.valid.mean():.2%}; reasons {_nonzero(r.counts()['reasons'])}")
    print(f"  credit codes valid {u.valid.mean():.2%}; kinds {u.counts()['kinds']}")

    results: dict[str, dict[str, float]] = {"resident_id": {}, "uscc": {}}
    print(f"\n(a) vectorized, one core (median of {args.runs}), input an Arrow array")
    for name, fn in (
        ("resident_id", lambda: check_resident_ids(rids, AS_OF).valid),
        ("uscc", lambda: check_usccs(usccs).valid),
    ):
        secs = best_of(fn, args.runs)
        results[name]["a"] = n / secs
        print(f"  {name:<12} {n / secs / 1e6:8.2f} M rows/s   ({secs:.3f} s)")
    clean = C.matrix_to_strings(
        C.fixed_width_matrix(rids.filter(pa.compute.equal(pa.compute.binary_length(rids), 18)), 18)
    )
    secs = best_of(lambda: check_resident_ids(clean, AS_OF).valid, args.runs)
    print(f"  resident_id, 18-char rows only: {len(clean) / secs / 1e6:.2f} M rows/s")
    print(f"  peak RSS (ru_maxrss) after (a): {maxrss_mib():,.0f} MiB")
    for name, arr, fn in (
        ("resident_id", rids, lambda: check_resident_ids(rids, AS_OF).valid),
        ("uscc", usccs, lambda: check_usccs(usccs).valid),
    ):
        numpy_peak, arrow_peak = call_peak_mib(fn)
        print(
            f"  {name:<12} one call: peak {numpy_peak:,.1f} MiB NumPy + {arrow_peak:,.1f} MiB Arrow"
            f" over an input of {arr.nbytes / 2**20:,.0f} MiB"
        )

    if not args.skip_spark:
        from pyspark.sql import functions as F

        from jutong.settings import load_settings
        from spark_jobs.rules import resident_id_struct, resident_id_valid, uscc_struct, uscc_valid
        from spark_jobs.session import get_spark

        # Arrow batches of --spark-batch rows: the rule has a fixed cost per batch (~100 NumPy
        # calls). The Arrow UDF gets the Parquet reader's batches, 4096 rows unless its own
        # batch size is raised too (maxRecordsPerBatch alone does not change them).
        spark = get_spark(
            load_settings({"JUTONG_SPARK_MASTER": "local[2]"}),
            "bench-identifiers",
            **{
                "spark.sql.execution.arrow.maxRecordsPerBatch": str(args.spark_batch),
                "spark.sql.parquet.columnarReaderBatchSize": str(args.spark_batch),
            },
        )
        with tempfile.TemporaryDirectory() as tmp:
            paths = {}
            for name, arr in (("resident_id", rids), ("uscc", usccs)):
                paths[name] = f"{tmp}/{name}.parquet"
                pq.write_table(pa.table({"v": arr}), paths[name], row_group_size=500_000)

            def stdnum_ric(s):
                from stdnum.cn import ric

                try:
                    return bool(s) and ric.is_valid(s)
                except Exception:  # noqa: BLE001 - stdnum 2.2 raises KeyError for some regions
                    return False

            def stdnum_uscc(s):
                from stdnum.cn import uscc

                try:
                    return bool(s) and uscc.is_valid(s)
                except Exception:  # noqa: BLE001
                    return False

            cases = {
                "resident_id": (
                    resident_id_valid(F.col("v"), AS_OF),
                    resident_id_struct(F.col("v"), AS_OF),
                    F.udf(stdnum_ric, "boolean")(F.col("v")),
                ),
                "uscc": (
                    uscc_valid(F.col("v")),
                    uscc_struct(F.col("v")),
                    F.udf(stdnum_uscc, "boolean")(F.col("v")),
                ),
            }
            print("\n(b) Spark local[2], Arrow UDF, noop write   (c) Python UDF + python-stdnum")
            for name, (valid_col, struct_col, base_col) in cases.items():
                spark_time(spark, paths[name], valid_col)  # warm-up (workers, JIT)
                b = spark_time(spark, paths[name], valid_col)
                b_struct = spark_time(spark, paths[name], struct_col)
                results[name].update(b=n / b, b_struct=n / b_struct)
                print(f"  {name:<12} (b) valid  {n / b / 1e6:8.2f} M rows/s   ({b:.2f} s)")
                print(
                    f"  {name:<12} (b) struct {n / b_struct / 1e6:8.2f} M rows/s   ({b_struct:.2f} s)"
                )
                if args.skip_baseline:
                    continue
                c = spark_time(spark, paths[name], base_col)
                results[name]["c"] = n / c
                print(f"  {name:<12} (c) stdnum {n / c / 1e6:8.2f} M rows/s   ({c:.2f} s)")
        spark.stop()

    print(f"\npeak RSS of this process (ru_maxrss): {maxrss_mib():,.0f} MiB")
    print("ratios:")
    for name, res in results.items():
        if "c" in res:
            print(
                f"  {name:<12} (a)/(c) {res['a'] / res['c']:6.1f}x   (b)/(c) {res['b'] / res['c']:6.1f}x"
                f"   (b struct)/(c) {res['b_struct'] / res['c']:6.1f}x"
            )
    ok_a = results["resident_id"]["a"] >= 10e6
    print(f"target (a) >= 10M IDs/s per core: {'met' if ok_a else 'NOT met'}")
    if "c" in results["resident_id"]:
        ok_b = all(res["b"] >= 4 * res["c"] for res in results.values())
        print(f"target (b) >= 4x baseline: {'met' if ok_b else 'NOT met'}")
    return 0


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


if __name__ == "__main__":
    sys.exit(main())
