"""Row failure flags: which row-level expectations each row of a Spark DataFrame fails.

The flag of an expectation has the same semantics as GE's map metric (nulls are not judged
except by not-null; the row condition restricts the rows), so that the rows the gate
quarantines are the rows GE counted as unexpected (``jutong.quality.verdict`` checks it).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from jutong.quality.spec import ROW, meta_of
from spark_jobs.quality import expectations as cx

FLAGS = "_failed_expectations"


def row_flag(exp: dict, df: DataFrame) -> Column:
    """The Spark condition 'this row fails the expectation' (never null).

    Raises ``ValueError`` for an expectation type the gate cannot flag row by row."""
    t = exp["type"]
    kw = exp["kwargs"]
    where = F.lit(True)
    rc = kw.get("row_condition")
    if isinstance(rc, dict):
        c = F.col(rc["column"]["name"])
        where = c.isNull() if rc.get("is_null") else c.isNotNull()
    if t == "expect_column_values_to_not_be_null":
        cond = F.col(kw["column"]).isNull()
    elif t == "expect_column_values_to_be_in_set":
        c = F.col(kw["column"])
        cond = c.isNotNull() & ~c.isin(list(kw["value_set"]))
    elif t == "expect_column_values_to_match_regex":
        c = F.col(kw["column"])
        cond = c.isNotNull() & ~c.cast("string").rlike(kw["regex"])
    elif t == "expect_column_values_to_not_match_regex":
        c = F.col(kw["column"])
        cond = c.isNotNull() & c.cast("string").rlike(kw["regex"])
    elif t == "expect_column_values_to_be_unique":
        c = F.col(kw["column"])
        scope = F.when(where & c.isNotNull(), c)
        cond = c.isNotNull() & (F.count(scope).over(Window.partitionBy(scope)) > 1)
    elif t == "expect_column_pair_values_to_be_equal":
        a, b = F.col(kw["column_A"]), F.col(kw["column_B"])
        cond = a.isNotNull() & b.isNotNull() & (a != b)
    elif t in cx.CUSTOM_TYPES:
        c = F.col(kw["column"])
        if t.endswith("uscc"):
            ok = cx.uscc_valid(c)
        elif t.endswith("resident_id"):
            ok = cx.resident_id_valid(c, kw.get("as_of"))
        else:
            ok = cx.party_id_valid(c, kw.get("as_of"))
        cond = c.isNotNull() & ~ok
    else:
        raise ValueError(
            f"expectation {t} is row-level but the gate cannot flag its rows; make it "
            "'batch' or 'info' level in meta.jutong"
        )
    return F.coalesce(where & cond, F.lit(False))


def row_failure_flags(df: DataFrame, suite: dict, column: str = FLAGS) -> DataFrame:
    """``df`` plus an ``array<string>`` column naming the row-level expectations each row
    fails (empty: the row passes)."""
    names = []
    for exp in suite["expectations"]:
        m = meta_of(exp)
        if m["level"] == ROW:
            names.append(F.when(row_flag(exp, df), F.lit(m["key"])))
    if not names:
        return df.withColumn(column, F.array().cast("array<string>"))
    return df.withColumn(column, F.array_compact(F.array(*names)))


def row_keys(suite: dict) -> list[str]:
    """The keys of the suite's row-level expectations (the ones ``row_failure_flags`` names)."""
    return [meta_of(e)["key"] for e in suite["expectations"] if meta_of(e)["level"] == ROW]


def flag_aggregates(keys: list[str]) -> list[Column]:
    """Aggregations over a ``row_failure_flags`` frame, to add to another pass: the rows
    failing any row-level expectation (``_any``) and those failing each of ``keys``
    (``k0``, ``k1`` … in order); read them back with ``flag_counts``."""
    aggs = [F.sum(F.when(F.size(FLAGS) > 0, 1).otherwise(0)).alias("_any")]
    aggs += [
        F.sum(F.when(F.array_contains(FLAGS, k), 1).otherwise(0)).alias(f"k{i}")
        for i, k in enumerate(keys)
    ]
    return aggs


def flag_counts(row: dict, keys: list[str]) -> tuple[int, dict[str, int]]:
    """The failing rows and the rows per key, from a row holding ``flag_aggregates``."""
    return int(row["_any"] or 0), {k: int(row[f"k{i}"] or 0) for i, k in enumerate(keys)}


def count_flags(flagged: DataFrame, keys: list[str]) -> tuple[int, dict[str, int]]:
    """One pass over ``flagged`` (a ``row_failure_flags`` frame): the rows failing any
    row-level expectation, and the rows failing each of ``keys``."""
    return flag_counts(flagged.agg(*flag_aggregates(keys)).collect()[0].asDict(), keys)
