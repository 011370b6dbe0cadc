"""Evaluate a suite on a Spark DataFrame with Great Expectations and judge the result.

``precheck`` finds what fails before any data is read; ``check_frame`` runs the checkpoint,
turns GE's results into ``Outcome``s, counts the row flags and hands both to
``jutong.quality.verdict``. A gate that evaluated nothing has failed, not passed.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

import great_expectations as gx
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
)
from pyspark.sql import DataFrame

from jutong.quality.report import data_docs_dir
from jutong.quality.result import GateResult, Outcome
from jutong.quality.spec import ROW, columns_of, meta_of
from jutong.quality.verdict import flagged_keys, outcome_failures, row_flag_failures
from jutong.settings import Settings
from jutong.webassets import localize_site, site_lock
from spark_jobs.quality.context import DATA_SOURCE, LOCK, SITE, context, safe_name, to_ge_suite
from spark_jobs.quality.flags import count_flags, row_failure_flags, row_flag

log = logging.getLogger(__name__)


def precheck(df: DataFrame, suite: dict, name: str) -> tuple[list[str], Any]:
    """Failures found before any data is read (no expectation, an unknown type, a column the
    suite names that ``df`` lacks, a row-level type the gate cannot flag), and the GE suite."""
    exps = suite.get("expectations") or []
    if not exps:
        return [f"{name}: the suite has no expectation"], None
    try:
        ge_suite = to_ge_suite(suite, safe_name(name))
    except Exception as exc:  # noqa: BLE001 - GE raises several types for a bad configuration
        msg = str(exc).split("\n")[0]
        return [f"{name}: unknown or invalid expectation: {msg}"], None
    # GE logs and drops an expectation whose type it does not know
    known = {e.expectation_type for e in ge_suite.expectations}
    unknown = sorted({e.get("type", "?") for e in exps} - known)
    if unknown or len(ge_suite.expectations) != len(exps):
        return [
            f"{name}: unknown expectation type(s): {', '.join(unknown) or '?'} (GE dropped them)"
        ], None
    missing = sorted({c for e in exps for c in columns_of(e)} - set(df.columns))
    if missing:
        return [f"{name}: column(s) the suite expects are missing: {', '.join(missing)}"], None
    for e in exps:
        if meta_of(e)["level"] == ROW:
            try:
                row_flag(e, df)
            except ValueError as exc:
                return [f"{name}: {exc}"], None
    return [], ge_suite


# Counts only: GE's default lists up to 20 unexpected values per expectation in its results and
# Data Docs, and those values are resident IDs, names, mobiles (issue 12: nothing the platform says
# about a batch carries personal data). The failing rows are in the quarantine table, under its
# access rules; the pages show how many, never which.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}


def _checkpoint(settings: Settings, ge_suite, sname: str, data_docs: bool):
    """A fresh checkpoint named ``sname`` for ``ge_suite`` on the shared context."""
    ctx = context(settings)
    with LOCK:
        ds = ctx.data_sources.get(DATA_SOURCE)
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
        return ctx.checkpoints.add(
            gx.Checkpoint(
                name=sname,
                validation_definitions=[vd],
                actions=[],  # the pages are built by ``_update_docs``, under the site's lock
                result_format=RESULT_FORMAT,
            )
        )


def _update_docs(settings: Settings, run, suite_name: str, since: float) -> None:
    """Build the run's pages and the index, then point the pages at the vendored assets (no
    page loads anything from outside the lake; an asset GE added that has no vendored copy is
    removed and logged) — one process at a time per site: GE writes pages in place, and two
    index builds at once would interleave."""
    site = data_docs_dir(settings)
    ids = [*run.run_results.keys(), ExpectationSuiteIdentifier(name=suite_name)]
    with site_lock(site):
        context(settings).build_data_docs(site_names=[SITE], resource_identifiers=ids)
        done = localize_site(site, since=since)
    for page, url in done.unexpected:
        log.warning("Data Docs: removed external asset %s from %s (no vendored copy)", url, page)


def _outcome(r) -> Outcome:
    """One GE expectation validation result as an ``Outcome`` (an exception: not evaluated)."""
    cfg = r.expectation_config
    exp = {"type": cfg.type, "kwargs": dict(cfg.kwargs), "meta": dict(cfg.meta or {})}
    m = meta_of(exp)
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
    return Outcome(
        key=m["key"],
        type=cfg.type,
        column=(columns_of(exp) or [None])[0],
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


def check_frame(
    df: DataFrame,
    suite: dict,
    *,
    settings: Settings,
    name: str,
    parameters: dict[str, Any] | None = None,
    data_docs: bool = True,
    flagged: DataFrame | None = None,
    counted: tuple[int, tuple[int, dict[str, int]]] | None = None,
) -> GateResult:
    """Evaluate ``suite`` on the Spark DataFrame ``df`` with GE and judge the result.

    Cache ``df`` first when it is expensive (GE reads it once per metric bundle).
    ``parameters``: GE suite parameters (``{"$PARAMETER": name}`` in the suite).
    ``flagged``: ``df`` already passed through ``row_failure_flags`` (saves a pass).
    ``counted``: the rows of ``df`` and its ``flag_counts`` for every key of ``row_keys``,
    taken by the caller in a pass of its own (saves two passes)."""
    failures, ge_suite = precheck(df, suite, name)
    if failures:
        return GateResult(name, False, 0, failures, 0)
    rows = counted[0] if counted is not None else df.count()
    if rows == 0:
        return GateResult(name, False, 0, [f"{name}: the batch has no rows"], 0)

    cp = _checkpoint(settings, ge_suite, safe_name(name), data_docs)
    started = time.time() - 1.0  # file times may be coarser than the clock
    run = cp.run(batch_parameters={"dataframe": df}, expectation_parameters=parameters or {})
    if data_docs:
        _update_docs(settings, run, ge_suite.name, started)
    outcomes = [_outcome(r) for vr in run.run_results.values() for r in vr.results]
    failures += outcome_failures(name, suite, outcomes, rows)

    # row flags: one pass counts every row-level expectation's failures and the failing rows;
    # they must agree with GE's counts, or the quarantine split would not be what GE judged
    if counted is not None:
        failed_rows, per_key = counted[1]
    else:
        flagged = flagged if flagged is not None else row_failure_flags(df, suite)
        failed_rows, per_key = count_flags(flagged, flagged_keys(outcomes))
    failures += row_flag_failures(name, suite, outcomes, rows, failed_rows, per_key)
    docs = data_docs_dir(settings) / "index.html" if data_docs else None
    return GateResult(
        name=name,
        passed=not failures,
        evaluated=sum(o.evaluated for o in outcomes),
        failures=failures,
        failed_rows=failed_rows,
        rows=rows,
        outcomes=outcomes,
        data_docs=str(docs) if docs else None,
    )
