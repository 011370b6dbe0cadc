"""The quality gate: a Great Expectations suite evaluated on a Spark DataFrame, counted, judged.

Used as the audit step of the staging write-audit-publish (``spark_jobs.standardize``) and of
the base-database publish (``check_frame``). Nothing that fails may reach a base database, a
share or a release (GX-Reg art. 18, 24; GX-Dispatch art. 38–41; LZ-Rules art. 24, 34).

A suite is GE's JSON form (``{"name", "expectations": [{"type", "kwargs", "meta"}], "meta"}``).
Each expectation's ``meta.jutong`` says how the gate uses it:

- ``level: "row"``: a row failing it is quarantined (``row_failure_flags``); GE's ``mostly``
  (= 1 - the dataset's ``max_failed_row_rate``) decides whether the batch as a whole passes;
- ``level: "batch"``: judged on the batch only (identifier validity, cross-field consistency);
  ``group`` + ``max_rate``: the unexpected counts of the group's members are added up and
  divided by the batch's rows (a required identifier: missing + invalid values);
- ``level: "info"``: reported (e.g. freshness), never blocking.

The gate fails, loudly, when the checkpoint evaluated no expectation, the batch has no rows, a
column an expectation names is missing, an expectation type is unknown or could not run, or
GE's unexpected counts disagree with the row flags used for the quarantine split (GE's known
traps: an empty checkpoint succeeds, map expectations pass on an empty batch, a misspelled
expectation runs nothing).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from jutong.lake import AuditError
from jutong.settings import Settings

log = logging.getLogger(__name__)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

ROW, BATCH, INFO = "row", "batch", "info"
LEVELS = (ROW, BATCH, INFO)
DIMENSIONS = ("conformity", "completeness", "accuracy", "consistency", "timeliness", "usability")

# the short names of simple_suite → GE expectation types
SHORT_TYPES = {
    "not_null": "expect_column_values_to_not_be_null",
    "unique": "expect_column_values_to_be_unique",
    "valid_resident_id": "expect_column_values_to_be_valid_resident_id",
    "valid_uscc": "expect_column_values_to_be_valid_uscc",
    "valid_party_id": "expect_column_values_to_be_valid_party_id",
    "in_set": "expect_column_values_to_be_in_set",
    "regex": "expect_column_values_to_match_regex",
    "pair_equal": "expect_column_pair_values_to_be_equal",
}
SHORT_DIMENSION = {
    "not_null": "completeness",
    "unique": "consistency",
    "valid_resident_id": "accuracy",
    "valid_uscc": "accuracy",
    "valid_party_id": "accuracy",
    "in_set": "conformity",
    "regex": "conformity",
    "pair_equal": "accuracy",
}


def expectation(
    short: str,
    column: str,
    arg: Any = None,
    *,
    level: str = ROW,
    mostly: float = 1.0,
    dimension: str | None = None,
    group: str | None = None,
    max_rate: float | None = None,
    only_where_null: str | None = None,
    key: str | None = None,
    **kwargs: Any,
) -> dict:
    """One expectation in GE's JSON form with the gate's ``meta.jutong``.

    ``short`` is a key of ``SHORT_TYPES``; ``arg`` the value set (``in_set``), the pattern
    (``regex``) or the second column (``pair_equal``); ``only_where_null``: evaluate only rows
    where that column is null (a GE row condition; used to skip exact copies)."""
    if short not in SHORT_TYPES:
        raise ValueError(f"unknown expectation '{short}' (known: {', '.join(SHORT_TYPES)})")
    if level not in LEVELS:
        raise ValueError(f"unknown level '{level}' (levels: {', '.join(LEVELS)})")
    kw: dict[str, Any] = {}
    if short == "pair_equal":
        if not arg:
            raise ValueError("pair_equal needs the second column")
        kw.update(column_A=column, column_B=arg, ignore_row_if="either_value_is_missing")
    else:
        kw["column"] = column
    if short == "in_set":
        if not arg:
            raise ValueError(f"in_set on '{column}' needs a non-empty value set")
        kw["value_set"] = list(arg)
    elif short == "regex":
        if not arg:
            raise ValueError(f"regex on '{column}' needs a pattern")
        re.compile(arg)
        kw["regex"] = arg
    if mostly < 1.0:
        kw["mostly"] = round(mostly, 6)
    if only_where_null:
        kw["row_condition"] = {
            "type": "nullity",
            "column": {"name": only_where_null},
            "is_null": True,
        }
    kw.update(kwargs)
    meta: dict[str, Any] = {
        "key": key or f"{short}:{column}" + (f":{arg}" if short == "pair_equal" else ""),
        "level": level,
        "dimension": dimension or SHORT_DIMENSION[short],
    }
    if group:
        meta["group"] = group
    if max_rate is not None:
        meta["max_rate"] = max_rate
    return {"type": SHORT_TYPES[short], "kwargs": kw, "meta": {"jutong": meta}}


def simple_suite(name: str, specs: list[tuple], *, level: str = ROW) -> dict:
    """A suite from short specs, e.g. for a base table::

        simple_suite("base.population", [("not_null", "person_id"), ("unique", "person_id"),
                     ("valid_resident_id", "resident_id"), ("in_set", "status", ["有效"])])

    Every expectation must hold for every row (``mostly`` 1) and is row-level, so
    ``GateResult.failed_rows`` counts the rows breaking any of them."""
    exps = []
    for spec in specs:
        if not isinstance(spec, tuple | list) or len(spec) not in (2, 3):
            raise ValueError(f"{name}: spec {spec!r} is not (kind, column[, arg])")
        exps.append(expectation(spec[0], spec[1], spec[2] if len(spec) == 3 else None, level=level))
    return {
        "name": name,
        "expectations": exps,
        "meta": {"jutong": {"generated_by": "simple_suite"}},
    }


# ---- results -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One expectation's result on one batch."""

    key: str
    type: str
    column: str | None
    level: str
    dimension: str
    success: bool
    evaluated: bool
    element_count: int = 0
    unexpected_count: int = 0
    group: str | None = None
    max_rate: float | None = None
    error: str | None = None


@dataclass
class GateResult:
    name: str
    passed: bool
    evaluated: int
    failures: list[str]
    failed_rows: int
    rows: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    data_docs: str | None = None

    def raise_if_failed(self) -> None:
        if not self.passed:
            raise AuditError(f"quality gate {self.name} failed: " + "; ".join(self.failures))

    def as_dict(self) -> dict:
        return asdict(self)


# ---- GE context ----------------------------------------------------------------------------

_CONTEXTS: dict[str, Any] = {}
_LOCK = threading.Lock()
SITE = "jutong_lake"


def data_docs_dir(settings: Settings) -> Path:
    return settings.lake_root / "quality" / "data_docs"


def _context(settings: Settings):
    """One ephemeral GE context per lake, its Data Docs site in ``<lake>/quality/data_docs``."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    import jutong.quality.expectations  # noqa: F401  (registers the custom expectations)

    key = str(settings.lake_root)
    with _LOCK:
        ctx = _CONTEXTS.get(key)
        if ctx is None:
            ctx = gx.get_context(mode="ephemeral")
            ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
            for site in list(ctx.get_site_names()):
                ctx.delete_data_docs_site(site)
            docs = data_docs_dir(settings)
            docs.mkdir(parents=True, exist_ok=True)
            ctx.add_data_docs_site(
                site_name=SITE,
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(docs),
                    },
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
            ctx.data_sources.add_spark("jutong_spark")
            _CONTEXTS[key] = ctx
        return ctx


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


# ---- the gate ------------------------------------------------------------------------------


def _columns_of(exp: dict) -> list[str]:
    kw = exp.get("kwargs", {})
    cols = [kw[k] for k in ("column", "column_A", "column_B") if isinstance(kw.get(k), str)]
    cols += list(kw.get("column_list") or [])
    rc = kw.get("row_condition")
    if isinstance(rc, dict) and isinstance(rc.get("column"), dict):
        cols.append(rc["column"]["name"])
    return cols


def _meta(exp: dict) -> dict:
    m = (exp.get("meta") or {}).get("jutong") or {}
    return {
        "key": m.get("key") or f"{exp.get('type')}:{_columns_of(exp)[:1]}",
        "level": m.get("level", ROW),
        "dimension": m.get("dimension", "conformity"),
        "group": m.get("group"),
        "max_rate": m.get("max_rate"),
    }


def _row_flag(exp: dict, df):
    """The Spark condition 'this row fails the expectation', the same semantics as GE's map
    metric (nulls are not judged except by not_null; the row condition restricts the rows)."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

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
    elif t in (
        "expect_column_values_to_be_valid_resident_id",
        "expect_column_values_to_be_valid_uscc",
        "expect_column_values_to_be_valid_party_id",
    ):
        from jutong.quality import expectations as cx

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


def row_failure_flags(df, suite: dict, column: str = "_failed_expectations"):
    """``df`` plus an ``array<string>`` column naming the row-level expectations each row
    fails (empty: the row passes)."""
    from pyspark.sql import functions as F

    names = []
    for exp in suite["expectations"]:
        m = _meta(exp)
        if m["level"] == ROW:
            names.append(F.when(_row_flag(exp, df), F.lit(m["key"])))
    if not names:
        return df.withColumn(column, F.array().cast("array<string>"))
    return df.withColumn(column, F.array_compact(F.array(*names)))


def _to_ge_suite(suite: dict, name: str):
    import great_expectations as gx

    import jutong.quality.expectations  # noqa: F401

    exps = [
        {k: v for k, v in e.items() if k in ("type", "kwargs", "meta")}
        for e in suite["expectations"]
    ]
    return gx.ExpectationSuite(name=name, expectations=copy.deepcopy(exps))


def precheck(df, suite: dict, name: str) -> tuple[list[str], Any]:
    """Failures found before any data is read (no expectation, an unknown type, a column the
    suite names that ``df`` lacks, a row-level type the gate cannot flag), and the GE suite."""
    exps = suite.get("expectations") or []
    if not exps:
        return [f"{name}: the suite has no expectation"], None
    try:
        ge_suite = _to_ge_suite(suite, _safe(name))
    except Exception as exc:  # noqa: BLE001 - GE raises several types for a bad configuration
        msg = str(exc).split("\n")[0]
        return [f"{name}: unknown or invalid expectation: {msg}"], None
    # GE logs and drops an expectation whose type it does not know (docs/architecture.md)
    known = {e.expectation_type for e in ge_suite.expectations}
    unknown = sorted({e.get("type", "?") for e in exps} - known)
    if unknown or len(ge_suite.expectations) != len(exps):
        return [
            f"{name}: unknown expectation type(s): {', '.join(unknown) or '?'} (GE dropped them)"
        ], None
    missing = sorted({c for e in exps for c in _columns_of(e)} - set(df.columns))
    if missing:
        return [f"{name}: column(s) the suite expects are missing: {', '.join(missing)}"], None
    for e in exps:
        if _meta(e)["level"] == ROW:
            try:
                _row_flag(e, df)
            except ValueError as exc:
                return [f"{name}: {exc}"], None
    return [], ge_suite


def check_frame(
    df,
    suite: dict,
    *,
    settings: Settings,
    name: str,
    parameters: dict[str, Any] | None = None,
    data_docs: bool = True,
    flagged=None,
) -> GateResult:
    """Evaluate ``suite`` on the Spark DataFrame ``df`` with GE and judge the result.

    Cache ``df`` first when it is expensive (GE reads it once per metric bundle).
    ``parameters``: GE suite parameters (``{"$PARAMETER": name}`` in the suite).
    ``flagged``: ``df`` already passed through ``row_failure_flags`` (saves a pass)."""
    from pyspark.sql import functions as F

    failures, ge_suite = precheck(df, suite, name)
    if failures:
        return GateResult(name, False, 0, failures, 0)
    exps = suite["expectations"]
    rows = df.count()
    if rows == 0:
        return GateResult(name, False, 0, [f"{name}: the batch has no rows"], 0)

    import great_expectations as gx

    ctx = _context(settings)
    sname = _safe(name)
    with _LOCK:
        ds = ctx.data_sources.get("jutong_spark")
        try:
            asset = ds.get_asset(sname)
        except LookupError:
            asset = ds.add_dataframe_asset(sname)
        try:
            bd = asset.get_batch_definition(sname)
        except (KeyError, LookupError):
            bd = asset.add_batch_definition_whole_dataframe(sname)
        for store, obj in (
            (ctx.checkpoints, sname),
            (ctx.validation_definitions, sname),
            (ctx.suites, sname),
        ):
            with contextlib.suppress(Exception):  # not there yet
                store.delete(obj)
        ge_suite = ctx.suites.add(ge_suite)
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=sname, data=bd, suite=ge_suite)
        )
        actions = (
            [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=[SITE])]
            if data_docs
            else []
        )
        cp = ctx.checkpoints.add(
            gx.Checkpoint(
                name=sname, validation_definitions=[vd], actions=actions, result_format="BASIC"
            )
        )
    run = cp.run(batch_parameters={"dataframe": df}, expectation_parameters=parameters or {})
    results = [r for vr in run.run_results.values() for r in vr.results]

    outcomes: list[Outcome] = []
    for r in results:
        cfg = r.expectation_config
        exp = {"type": cfg.type, "kwargs": dict(cfg.kwargs), "meta": dict(cfg.meta or {})}
        m = _meta(exp)
        info = r.exception_info or {}
        raised = bool(info.get("raised_exception")) or any(
            isinstance(v, dict) and v.get("raised_exception") for v in info.values()
        )
        err = None
        if raised:
            msgs = [info.get("exception_message")] + [
                v.get("exception_message") for v in info.values() if isinstance(v, dict)
            ]
            err = "; ".join(str(x) for x in msgs if x) or "raised an exception"
        res = r.result or {}
        outcomes.append(
            Outcome(
                key=m["key"],
                type=cfg.type,
                column=(_columns_of(exp) or [None])[0],
                level=m["level"],
                dimension=m["dimension"],
                success=bool(r.success) and not raised,
                evaluated=not raised,
                element_count=int(res.get("element_count") or 0),
                unexpected_count=int(res.get("unexpected_count") or 0),
                group=m["group"],
                max_rate=m["max_rate"],
                error=err,
            )
        )
    evaluated = sum(o.evaluated for o in outcomes)
    if evaluated == 0:
        failures.append(f"{name}: the checkpoint evaluated no expectation")
    if len(outcomes) != len(exps):
        failures.append(
            f"{name}: {len(exps)} expectation(s) in the suite, {len(outcomes)} evaluated"
        )
    smeta = (suite.get("meta") or {}).get("jutong") or {}
    row_limit = smeta.get("max_failed_row_rate")
    grace = int(smeta.get("grace_rows") or 0)
    for o in outcomes:
        # judged by their rate below: a group's members, and row-level expectations of a
        # suite with a failed-row limit
        by_rate = o.group is not None or (o.level == ROW and row_limit is not None)
        if o.error:
            failures.append(f"{o.key}: {o.type} on '{o.column}' could not run: {o.error[:300]}")
        elif not o.success and o.level != INFO and not by_rate:
            failures.append(
                f"{o.key}: {o.type} on '{o.column}' failed: {o.unexpected_count:,} of "
                f"{o.element_count:,} value(s) unexpected"
            )
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.group and o.level != INFO:
            groups.setdefault(o.group, []).append(o)
    for g, members in groups.items():
        limit = min((o.max_rate for o in members if o.max_rate is not None), default=None)
        bad = sum(o.unexpected_count for o in members)
        if limit is not None and bad / rows > limit and bad > grace:
            failures.append(
                f"{g}: {bad:,} of {rows:,} rows ({bad / rows:.2%}) fail "
                f"{' or '.join(o.key for o in members)}; the limit is {limit:.2%}"
            )

    # row flags: one pass counts every row-level expectation's failures and the failing rows;
    # they must agree with GE's counts, or the quarantine split would not be what GE judged
    flagged = flagged if flagged is not None else row_failure_flags(df, suite)
    row_keys = [o.key for o in outcomes if o.level == ROW and o.evaluated]
    aggs = [F.sum(F.when(F.size("_failed_expectations") > 0, 1).otherwise(0)).alias("_any")]
    aggs += [
        F.sum(F.when(F.array_contains("_failed_expectations", k), 1).otherwise(0)).alias(f"k{i}")
        for i, k in enumerate(row_keys)
    ]
    counts = flagged.agg(*aggs).collect()[0]
    failed_rows = int(counts["_any"] or 0)
    for i, k in enumerate(row_keys):
        o = next(x for x in outcomes if x.key == k)
        mine = int(counts[f"k{i}"] or 0)
        if mine != o.unexpected_count:
            failures.append(
                f"{k}: GE counted {o.unexpected_count:,} unexpected value(s), the row flags "
                f"{mine:,}; the gate refuses to split rows it cannot account for"
            )
    limit = row_limit
    if limit is not None and failed_rows / rows > limit and failed_rows > grace:
        failures.append(
            f"{name}: {failed_rows:,} of {rows:,} rows ({failed_rows / rows:.2%}) fail a "
            f"row-level expectation; the limit is {limit:.2%}"
        )
    docs = data_docs_dir(settings) / "index.html" if data_docs else None
    return GateResult(
        name=name,
        passed=not failures,
        evaluated=evaluated,
        failures=failures,
        failed_rows=failed_rows,
        rows=rows,
        outcomes=outcomes,
        data_docs=str(docs) if docs else None,
    )
