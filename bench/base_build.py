"""Benchmark: exact-key dedup + survivorship of the population base database, Spark vs DuckDB.

In one run, on the same input (mention rows as the build sees them: three departments'
extracts of N persons, about 4 rows per person at the default sizes):

- (a) Spark ``local[2]``: ``spark_jobs.base.steps.survivorship.golden_records`` — the build's own
  survivorship transform (authoritative source first, then most recent non-null value, per
  field, with lineage) over the mentions grouped by their normalized key, written as Parquet;
- (b) the baseline: the same exact-key dedup and survivorship written directly in DuckDB SQL,
  written as Parquet, in two formulations: ``arg_max`` per field ordered by a struct (the
  direct one), and rows ranked once per person by a window, then ``arg_max`` on an integer
  (the fastest we found).

Prints rows/s, peak memory (this process, and the Spark JVM sampled from /proc), the ratios
Spark / DuckDB, and whether the three results agree on values and on the rows they came from.
Target (issue 19 item 4): Spark within 2× of the baseline, judged against the faster DuckDB
formulation. Not part of the tests.

    .venv/bin/python bench/base_build.py [--persons 1000000] [--work DIR] [--master URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._memory import MemoryPeak  # noqa: E402
from jutong.catalog.model import PERSON_FIELDS  # noqa: E402

DATASETS = [  # dataset, department, share of persons, authoritative fields
    ("gongan.huji", "gongan", 0.97, {"name", "sex", "birth_date", "ethnicity", "domicile_address"}),
    ("renshe.shebao", "renshe", 0.97, {"mobile", "residence_address"}),
    ("minzheng.hunyin", "minzheng", 0.62, {"marital_status"}),
    ("shichang.qiye", "shichang", 0.15, set()),
    ("shenpi.xuke", "shenpi", 0.2, set()),
    ("ziranziyuan.zongdi", "ziranziyuan", 0.2, set()),
    ("renshe.shebao", "renshe", 0.9, {"mobile", "residence_address"}),  # a second scheme
]


def make_mentions(persons: int, path: Path, seed: int = 1) -> int:
    """Mention rows of ``persons`` people from several departments, with dirt-like
    variation (missing values, variant names, other addresses)."""
    rng = np.random.default_rng(seed)
    keys = np.array([f"45{i:015d}X" for i in range(persons)], dtype=object)
    surnames = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"), dtype=object)
    given = np.array(list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"), dtype=object)
    names = (
        surnames[rng.integers(0, len(surnames), persons)]
        + given[rng.integers(0, len(given), persons)]
        + given[rng.integers(0, len(given), persons)]
    )
    birth = np.datetime64("1950-01-01") + rng.integers(0, 25000, persons).astype("timedelta64[D]")
    sex = np.where(rng.random(persons) < 0.5, "1", "2").astype(object)
    counties = np.array(["450102", "450103", "450202", "450305", "450521", "451102"], dtype=object)
    county = counties[rng.integers(0, len(counties), persons)]
    addr = np.array(
        [f"广西壮族自治区某市某区{i % 977}路{i % 131}号" for i in range(persons)], dtype=object
    )
    loaded = dt.datetime(2026, 11, 1, 8, 0)
    writer = None
    total = 0
    for n, (ds, dept, share, auth) in enumerate(DATASETS):
        sel = np.flatnonzero(rng.random(persons) < share)
        k = len(sel)
        miss = lambda p, k=k: rng.random(k) < p  # noqa: E731
        only = lambda cond, arr, k=k: arr if cond else np.full(k, None, dtype=object)  # noqa: E731
        vname = names[sel].copy()
        var = rng.random(k) < 0.01
        vname[var] = surnames[rng.integers(0, len(surnames), var.sum())] + vname[var].astype(
            str
        ).astype(object)
        cols = {
            "entity_id": keys[sel],
            "key": keys[sel],
            "dataset": np.full(k, ds, dtype=object),
            "department": np.full(k, dept, dtype=object),
            "batch_id": np.full(k, f"b{n:02d}", dtype=object),
            "row_number": np.arange(1, k + 1, dtype=np.int64),
            "loaded_at": np.full(k, np.datetime64(loaded + dt.timedelta(minutes=n), "us")),
            "name": vname,
            "sex": np.where(miss(0.03), None, sex[sel]),
            "birth_date": np.where(miss(0.03), np.datetime64("NaT"), birth[sel]),
            "ethnicity": np.where(miss(0.3) | (ds != "gongan.huji"), None, "汉族"),
            "domicile_address": only(ds == "gongan.huji", addr[sel]),
            "domicile_address_division": only(ds == "gongan.huji", county[sel]),
            "residence_address": only(ds == "renshe.shebao", addr[sel]),
            "residence_address_division": only(ds == "renshe.shebao", county[sel]),
            "mobile": only(
                ds == "renshe.shebao",
                np.array([f"138{i % 100000000:08d}" for i in sel], dtype=object),
            ),
            "marital_status": only(ds == "minzheng.hunyin", np.full(k, "已婚", dtype=object)),
        }
        t = pa.table(
            {
                **{
                    c: pa.array(v, pa.string() if v.dtype == object else None)
                    for c, v in cols.items()
                    if c not in ("birth_date", "loaded_at")
                },
                "birth_date": pa.array(cols["birth_date"].astype("datetime64[D]"), pa.date32()),
                "loaded_at": pa.array(cols["loaded_at"], pa.timestamp("us")),
                "auth_fields": pa.array([sorted(auth)] * k, pa.list_(pa.string())),
            }
        )
        if writer is None:
            writer = pq.ParquetWriter(path, t.schema)
        writer.write_table(t, row_group_size=500_000)
        total += k
    writer.close()
    return total


def duckdb_sql(src: Path, out: Path, ranked: bool = False) -> str:
    """The baseline in DuckDB SQL. ``ranked=False``: ``arg_max`` ordered by the struct
    (authoritative, loaded_at, dataset, batch, row), the direct formulation; ``ranked=True``:
    each person's rows are numbered once by a window in that order and ``arg_max`` compares
    integers (authoritative × 10⁹ + rank), DuckDB's fastest formulation we found."""

    def field(f: str, extra: str = "") -> str:
        payload = (
            f"struct_pack(value := {f}{extra}, department := department, dataset := dataset, "
            "batch_id := batch_id, row_number := row_number, loaded_at := loaded_at)"
        )
        if ranked:
            order = (
                f"CASE WHEN {f} IS NOT NULL THEN "
                f"list_contains(auth_fields, '{f}')::BIGINT * 1000000000 + seq END"
            )
        else:
            order = (
                f"CASE WHEN {f} IS NOT NULL THEN struct_pack(a := list_contains(auth_fields, "
                f"'{f}')::INT, l := loaded_at, d := dataset, b := batch_id, r := row_number) END"
            )
        return f"arg_max({payload}, {order}) AS s_{f}"

    aggs = []
    for f in PERSON_FIELDS:
        extra = f", division := {f}_division" if f.endswith("_address") else ""
        aggs.append(field(f, extra))
    source = f"read_parquet('{src}')"
    if ranked:
        source = (
            f"(SELECT *, row_number() OVER (PARTITION BY key ORDER BY loaded_at, dataset, "
            f"batch_id, row_number) AS seq FROM {source})"
        )
    return (
        f"COPY (SELECT key AS resident_id, {', '.join(aggs)}, count(*) AS _mentions, "
        f"list_sort(list_distinct(list(dataset))) AS _sources "
        f"FROM {source} GROUP BY key) TO '{out}' (FORMAT parquet)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument(
        "--master", default="local[2]", help="Spark master (a standalone cluster: spark://…)"
    )
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="jutong-bench-base-"))
    work.mkdir(parents=True, exist_ok=True)
    src = work / "mentions.parquet"
    t = time.perf_counter()
    rows = make_mentions(args.persons, src)
    print(
        f"input: {rows:,} mention rows of {args.persons:,} persons ({time.perf_counter() - t:.1f} s)"
    )

    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    duck_s = {}
    for ranked in (False, True):
        t = time.perf_counter()
        con.execute(duckdb_sql(src, work / f"duck{int(ranked)}.parquet", ranked))
        duck_s[ranked] = time.perf_counter() - t
    duck_n = con.execute(
        f"SELECT count(*) FROM read_parquet('{work / 'duck1.parquet'}')"
    ).fetchone()[0]
    best = min(duck_s.values())

    from pyspark.sql import functions as F

    from jutong.catalog.model import EntityKind
    from jutong.settings import load_settings
    from spark_jobs.base.steps.survivorship import golden_records
    from spark_jobs.session import get_spark

    settings = load_settings(
        {
            "JUTONG_HOME": str(work),
            "JUTONG_SPARK_MASTER": args.master,
            "JUTONG_SPARK_SHUFFLE_PARTITIONS": "8",
            "JUTONG_SPARK_DRIVER_MEMORY": "4g",
        }
    )
    peak = MemoryPeak()
    peak.start()
    spark = get_spark(settings, "bench-base-build")
    spark.read.parquet(str(src)).limit(1).collect()  # session warm-up, not timed
    t = time.perf_counter()
    df = spark.read.parquet(str(src))
    golden = golden_records(df, EntityKind.person)
    golden.write.mode("overwrite").parquet(str(work / "spark.parquet"))
    spark_s = time.perf_counter() - t
    spark_n = spark.read.parquet(str(work / "spark.parquet")).count()
    # the three results agree on values and on lineage (the row each value came from)
    cols = ["resident_id", "name", "mobile", "name_row", "mobile_row", "_mentions"]
    spark_rows = spark.read.parquet(str(work / "spark.parquet")).select(
        "resident_id",
        "name",
        "mobile",
        F.col("name_source.row_number").alias("name_row"),
        F.col("mobile_source.row_number").alias("mobile_row"),
        "_mentions",
    )
    same = {}
    for ranked in (False, True):
        duck = spark.read.parquet(str(work / f"duck{int(ranked)}.parquet")).select(
            F.col("resident_id"),
            F.col("s_name.value").alias("name"),
            F.col("s_mobile.value").alias("mobile"),
            F.col("s_name.row_number").alias("name_row"),
            F.col("s_mobile.row_number").alias("mobile_row"),
            "_mentions",
        )
        same[ranked] = spark_rows.select(*cols).exceptAll(duck.select(*cols)).count()
    peak.stop = True
    spark.stop()
    rss_py = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for ranked, label in ((False, "struct order"), (True, "ranked rows ")):
        print(
            f"(b) DuckDB SQL, {label}: {duck_s[ranked]:7.1f} s  "
            f"{rows / duck_s[ranked] / 1e6:6.2f} M rows/s  {duck_n:,} persons"
        )
    print(
        f"(a) Spark {args.master:<20}: {spark_s:7.1f} s  {rows / spark_s / 1e6:6.2f} M rows/s  "
        f"{spark_n:,} persons"
    )
    for ranked, label in ((False, "struct order"), (True, "ranked rows")):
        print(f"ratio Spark / DuckDB {label:12}: {spark_s / duck_s[ranked]:.2f}×")
    print(f"ratio Spark / fastest DuckDB    : {spark_s / best:.2f}×  (target ≤ 2×)")
    print(
        f"results agree                 : {not any(same.values())} "
        f"({same[False]:,} / {same[True]:,} rows differ from the two DuckDB results on "
        "name, mobile, the rows they came from and the mention count)"
    )
    print(f"peak memory: python {rss_py:,.0f} MiB, Spark JVM {peak.jvm / 2**20:,.0f} MiB")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
