"""Standardize: raw Iceberg table → typed staging Iceberg table, driven by the catalog.

For every data item the catalog's rule (``DataItem.standardize_rule``) gives the standardized
value; the raw text is kept beside it (``<item>_raw``) where the two differ. Identifiers carry
their validity (``<item>_valid``) and repairs (``<item>_repairs``); every row carries
``_valid`` and the list ``_reasons`` (``item:reason``) of what is wrong with it, and
``_warnings`` (e.g. an abolished county code, GB 11643-1999 allows it); an exact copy of an
earlier row of its batch carries that row's number in ``_duplicate_of``. No row is dropped:
staging rows = raw rows, per batch (docs/architecture.md, "nothing is lost").

``standardize_frame`` is the pure transform ``f(df, entry, as_of) -> df``; ``run_standardize``
does the I/O: new raw batches in, one write-audit-publish per batch into
``staging.<department>__<dataset>``, audited by the quality gate (``jutong.quality``): a
blocked batch publishes nothing, rows failing a row-level expectation go to
``quarantine.<department>__<dataset>``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_type
from pyspark.sql.types import (
    ArrayType,
    DataType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)
from pyspark.sql.window import Window

from jutong.catalog.model import CatalogEntry
from jutong.lake import (
    BATCH_PROPERTY,
    PROVENANCE,
    AlreadyPublishedError,
    AuditError,
    Lake,
    Zone,
    table_id,
)
from jutong.lake.history import batch_rows, published_values
from jutong.lake.repair import repair_before_job
from jutong.settings import Settings
from jutong.standardize.frame import (
    FIRST_COPY,
    IDENTIFIER_RULES,
    TRAILER_FIELDS,
    item_fields,
    standardize_table,
)
from jutong.steps import StepClock
from spark_jobs.lake import read_batch, write_files

log = logging.getLogger(__name__)


def _spark_type(t: pa.DataType) -> DataType:
    """The Spark type of an Arrow type of ``standardize_table``'s output."""
    if pa.types.is_list(t):
        return ArrayType(_spark_type(t.value_type), containsNull=t.value_field.nullable)
    if pa.types.is_timestamp(t):
        return TimestampType() if t.tz else TimestampNTZType()
    return from_arrow_type(t)


def _spark_schema(fields: list[pa.Field]) -> StructType:
    return StructType([StructField(f.name, _spark_type(f.type), f.nullable) for f in fields])


def standardize_frame(df: DataFrame, entry: CatalogEntry, as_of: dt.date) -> DataFrame:
    """The pure transform: raw rows (text) → standardized, typed rows with reasons.

    Two steps: the window marking exact copies, on the raw rows, then one ``mapInArrow`` in
    which ``standardize_table`` (``jutong.standardize.frame``) builds every output column of a
    batch with Arrow compute: the rules and the projection (values, ``_raw``, reasons, flags)
    in one Python round trip, the JVM only scanning, shuffling and writing
    (docs/performance.md)."""
    # An exact copy of an earlier row of the same batch (every delivered value equal) points
    # to that row: the base build links it to its survivor instead of counting it twice.
    # The content's hash leads the partition key: the shuffle and the sort compare one long
    # first, the values only where the hashes are equal (the groups are the same).
    content = [F.col(i.name) for i in entry.items]
    df = df.select(*content, *PROVENANCE)  # the only columns passed through: the provenance
    same_content = Window.partitionBy(F.xxhash64(*content), "_batch_id", *content)
    df = df.withColumn(FIRST_COPY, F.min("_row_number").over(same_content))
    items = {i.name for i in entry.items}
    passthrough = [f for f in df.schema.fields if f.name not in items and f.name != FIRST_COPY]
    schema = StructType(
        [
            *_spark_schema([f for item in entry.items for f in item_fields(item)]).fields,
            *passthrough,
            *_spark_schema(list(TRAILER_FIELDS)).fields,
        ]
    )

    def standardize_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield from standardize_table(pa.Table.from_batches([batch]), entry, as_of).to_batches()

    return df.mapInArrow(standardize_batches, schema)


# ---- I/O ---------------------------------------------------------------------------------


@dataclass
class BatchResult:
    dataset: str
    batch_id: str
    rows: int
    valid_rows: int
    identifiers: dict[str, dict[str, int]]  # item -> {valid, repaired, invalid, missing}
    snapshot_id: int | None
    status: str = "passed"  # passed | blocked (the quality gate) | skipped | failed
    published: int = 0  # rows published to staging
    quarantined: int = 0  # rows sent to quarantine.<department>__<dataset>
    failures: list[str] = field(default_factory=list)
    ticket: str | None = None
    steps: dict[str, float] = field(default_factory=dict)  # step -> wall seconds (jutong.steps)


def pending_batches(lake: Lake, entry: CatalogEntry) -> list[str]:
    """Raw batches of the dataset not yet in staging nor blocked by the gate, in load order.

    Both sides are read from main's history only: a batch on a WAP branch (a write in
    progress, or a crashed run's leftover) is neither raw nor staged yet."""
    raw = lake.table_or_none(Zone.raw, entry.table_name)
    if raw is None:
        return []
    from jutong.quality.store import blocked_batches

    done: set[str] = blocked_batches(lake.settings, entry.id)
    staging = lake.table_or_none(Zone.staging, entry.table_name)
    if staging is not None:
        done.update(published_values(staging, BATCH_PROPERTY))
    return [b for b in published_values(raw, BATCH_PROPERTY) if b not in done]


def dataset_tables(entry: CatalogEntry) -> list[str]:
    """The tables one dataset's standardize run reads and writes."""
    return [table_id(z, entry.table_name) for z in (Zone.raw, Zone.staging, Zone.quarantine)]


def identifier_counts(df: DataFrame, entry: CatalogEntry) -> dict[str, dict[str, int]]:
    """Per identifier item: valid as delivered, repaired (valid after normalization), invalid,
    missing."""
    return _batch_counts(df, entry)[0]


def _batch_counts(
    df: DataFrame, entry: CatalogEntry, flag_keys: list[str] | None = None
) -> tuple[dict[str, dict[str, int]], dict]:
    """One pass: the identifier counts, and the batch's rows, valid rows, exact copies, load
    time; with ``flag_keys`` (``df`` a ``row_failure_flags`` frame) also the gate's row-flag
    counts (``extra["flags"]``, see ``spark_jobs.quality.flags.flag_counts``)."""
    from spark_jobs.quality.flags import flag_aggregates, flag_counts

    items = [i.name for i in entry.items if i.standardize_rule in IDENTIFIER_RULES]
    aggs = [
        F.count(F.lit(1)).alias("_|rows"),
        F.sum(F.when(F.col("_valid"), 1).otherwise(0)).alias("_|valid_rows"),
        F.sum(F.when(F.col("_duplicate_of").isNotNull(), 1).otherwise(0)).alias("_|duplicates"),
        F.max("_loaded_at").alias("_|loaded_at"),
    ]
    for n in items:
        present = F.coalesce(F.trim(F.coalesce(F.col(f"{n}_raw"), F.col(n))), F.lit("")) != ""
        repaired = F.col(f"{n}_valid") & (F.size(f"{n}_repairs") > 0)
        aggs += [
            F.sum(F.when(F.col(f"{n}_valid") & ~repaired, 1).otherwise(0)).alias(f"{n}|valid"),
            F.sum(F.when(repaired, 1).otherwise(0)).alias(f"{n}|repaired"),
            F.sum(F.when(present & ~F.col(f"{n}_valid"), 1).otherwise(0)).alias(f"{n}|invalid"),
            F.sum(F.when(~present, 1).otherwise(0)).alias(f"{n}|missing"),
        ]
    if flag_keys is not None:
        aggs += flag_aggregates(flag_keys)
    row = df.agg(*aggs).collect()[0].asDict()
    out: dict[str, dict[str, int]] = {n: {} for n in items}
    extra: dict = {}
    if flag_keys is not None:
        extra["flags"] = flag_counts(row, flag_keys)
    for key, v in row.items():
        if "|" not in key:  # a flag count
            continue
        n, what = key.split("|")
        if n == "_":
            extra[what] = v if what == "loaded_at" else int(v or 0)
        else:
            out[n][what] = int(v or 0)
    return out, extra


def run_standardize(
    spark,
    settings: Settings,
    entry: CatalogEntry,
    as_of: dt.date,
    *,
    lake: Lake | None = None,
    progress: Callable[[str], None] | None = None,
    suite: dict | None = None,
) -> list[BatchResult]:
    """Standardize every raw batch of ``entry`` not yet in staging; one gated publish per batch.

    Write-audit-publish with the quality gate as the audit (GX-Reg art. 18, 24; LZ-Rules art.
    24, 34): the batch's suite (``jutong.quality.suites``, or ``suite``) is evaluated with Great
    Expectations. A blocked batch publishes nothing (staging stays exactly as it was), is
    recorded and gets a correction ticket for its department. A passing batch's rows that fail a
    row-level expectation go to ``quarantine.<department>__<dataset>`` (with
    ``_failed_expectations`` and ``_gated_at``), the others to staging; published +
    quarantined = rows in, asserted by the audit and recorded in the snapshot properties.
    """
    from jutong.quality.result import GateResult
    from jutong.quality.suites import suite_for
    from spark_jobs.quality.evaluate import check_frame, precheck
    from spark_jobs.quality.flags import row_failure_flags, row_keys

    lake = lake or Lake(settings)
    results: list[BatchResult] = []
    repair_before_job(lake, dataset_tables(entry))
    batches = pending_batches(lake, entry)
    if not batches:
        return results
    suite = suite if suite is not None else suite_for(entry, settings)
    for batch_id in batches:
        clock = StepClock()
        raw_df = read_batch(spark, lake, Zone.raw, entry.table_name, batch_id)
        out = standardize_frame(raw_df, entry, as_of)
        gated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        name = f"{entry.id}.{batch_id}"
        failures, _ = precheck(out, suite, name)
        flagged = None
        try:
            if failures:
                result = GateResult(name, False, 0, failures, 0)
                raw_rows = raw_df.count()
                counts, extra = {}, {"valid_rows": 0, "duplicates": 0, "loaded_at": None}
            else:
                with clock.step("standardize"):  # the transform runs when the cache is filled
                    flagged = row_failure_flags(out, suite).cache()
                    counts, extra = _batch_counts(flagged, entry, row_keys(suite))
                    raw_rows = extra["rows"]
                max_age = (suite.get("meta", {}).get("jutong", {}) or {}).get("max_age_days")
                params = {
                    "fresh_since": dt.datetime.combine(
                        as_of - dt.timedelta(days=max_age or 0), dt.time()
                    )
                }
                with clock.step("gate"):
                    result = check_frame(
                        flagged,
                        suite,
                        settings=settings,
                        name=name,
                        parameters=params,
                        flagged=flagged,
                        counted=(raw_rows, extra["flags"]),
                    )
            if result.passed:
                try:
                    with clock.step("publish"):
                        res = _publish_gated(
                            lake,
                            entry,
                            batch_id,
                            flagged,
                            raw_rows,
                            result,
                            counts,
                            extra,
                            as_of,
                            gated_at,
                        )
                except AlreadyPublishedError:
                    res = BatchResult(entry.id, batch_id, raw_rows, 0, {}, None, status="skipped")
            else:
                res = BatchResult(
                    entry.id,
                    batch_id,
                    raw_rows,
                    int(extra.get("valid_rows", 0)),
                    counts,
                    None,
                    status="blocked",
                    failures=result.failures,
                )
            if res.status != "skipped":
                with clock.step("record"):
                    _record(settings, entry, res, result, extra, suite, as_of, gated_at)
        finally:
            if flagged is not None:
                flagged.unpersist()
        res.steps = clock.rounded()
        results.append(res)
        if progress:
            if res.status == "skipped":
                progress(f"{entry.id}: batch {batch_id}: already published by another run")
            elif res.status == "blocked":
                progress(
                    f"{entry.id}: batch {batch_id}: BLOCKED by the quality gate "
                    f"({raw_rows:,} rows; ticket {res.ticket}): " + "; ".join(res.failures)
                )
            else:
                progress(
                    f"{entry.id}: batch {batch_id}: {raw_rows:,} rows, {res.valid_rows:,} valid; "
                    f"gate passed: {res.published:,} published, {res.quarantined:,} quarantined"
                    f" ({clock.line()})"
                )
    return results


def _publish_gated(
    lake, entry, batch_id, flagged, raw_rows, result, counts, extra, as_of, gated_at
) -> BatchResult:
    bad = F.size("_failed_expectations") > 0
    quarantined = result.failed_rows
    published = raw_rows - quarantined
    props = {
        "jutong.batch_id": batch_id,
        "jutong.dataset": entry.id,
        "jutong.as_of": as_of.isoformat(),
        "jutong.rows": str(raw_rows),
        "jutong.valid_rows": str(extra["valid_rows"]),
        "jutong.published_rows": str(published),
        "jutong.quarantined_rows": str(quarantined),
        "jutong.gate": "passed",
        "jutong.gate_evaluated": str(result.evaluated),
    }
    for n, c in counts.items():
        for what, v in c.items():
            props[f"jutong.id.{n}.{what}"] = str(v)

    files_hint = max(1, min(4, raw_rows // 500_000 + 1))
    part = f"_batch_id={batch_id}"
    table_props = {"jutong.catalog_id": entry.id}
    tables = [table_id(Zone.staging, entry.table_name)]
    if quarantined:
        tables.insert(0, table_id(Zone.quarantine, entry.table_name))

    def on_main(_table) -> bool:  # another run staged this batch meanwhile
        staging = lake.table_or_none(Zone.staging, entry.table_name)
        return staging is not None and batch_id in published_values(staging, BATCH_PROPERTY)

    def audit_rows(zone: Zone, expected: int):
        def audit(table, snapshot_id: int) -> None:
            got = batch_rows(table, batch_id, snapshot_id)
            if got != expected:
                raise AuditError(
                    f"{entry.id} batch {batch_id}: {got} {zone.value} rows on the branch for "
                    f"{expected} (raw {raw_rows} = staging {published} + quarantined "
                    f"{quarantined})"
                )

        return audit

    # staging and quarantine rows of a batch are published as one unit: a crash between the
    # two is finished by `jutong lake repair` (run before every standardize)
    with lake.unit(f"standardize.{entry.id}.{batch_id}", tables) as unit:
        if quarantined:
            qdf = flagged.filter(bad).withColumn("_gated_at", F.lit(gated_at).cast("timestamp"))
            qtable, qfiles = write_files(
                lake,
                Zone.quarantine,
                entry.table_name,
                qdf,
                partition=part,
                partition_by=["_batch_id"],
                properties=table_props,
                files_hint=files_hint,
            )
            unit.stage(
                qtable,
                qfiles,
                properties={**props, "jutong.zone": "quarantine"},
                audit=audit_rows(Zone.quarantine, quarantined),
                skip_if=on_main,
            )
        stable, files = write_files(
            lake,
            Zone.staging,
            entry.table_name,
            flagged.filter(~bad).drop("_failed_expectations"),
            partition=part,
            partition_by=["_batch_id"],
            properties=table_props,
            files_hint=files_hint,
        )
        unit.stage(
            stable,
            files,
            properties=props,
            audit=audit_rows(Zone.staging, published),
            skip_if=on_main,
        )
        sid = unit.publish()[tables[-1]]
    return BatchResult(
        entry.id,
        batch_id,
        raw_rows,
        int(extra["valid_rows"]),
        counts,
        sid,
        status="passed",
        published=published,
        quarantined=quarantined,
    )


def _record(settings, entry, res, result, extra, suite, as_of, gated_at) -> None:
    """Keep the gate's verdict (governance DB); for a blocked batch open a correction ticket
    for the providing department (GX-Reg art. 18: the provider corrects within 5 working
    days)."""
    from dataclasses import asdict

    from jutong.quality.scores import batch_scores
    from jutong.quality.store import GateRun, record

    if res.status == "blocked":
        from jutong.governance.tickets import open_ticket

        ticket = open_ticket(
            settings,
            department=entry.department,
            kind="blocked_batch",
            subject=f"{entry.title} ({entry.id}) batch {res.batch_id} blocked by the quality gate",
            details={
                "dataset": entry.id,
                "batch_id": res.batch_id,
                "rows": res.rows,
                "failures": res.failures,
            },
            source_ref=f"gate:{entry.id}:{res.batch_id}",
        )
        res.ticket = ticket.id
    loaded = extra.get("loaded_at")
    age = (as_of - loaded.date()).days if loaded is not None else None
    max_age = (suite.get("meta", {}).get("jutong", {}) or {}).get("max_age_days")
    outcomes = [asdict(o) for o in result.outcomes]
    scores = batch_scores(
        outcomes,
        rows_in=res.rows,
        published=res.published,
        duplicates=int(extra.get("duplicates", 0)),
        age_days=age,
        max_age_days=max_age,
    )
    record(
        settings,
        GateRun(
            dataset=entry.id,
            department=entry.department,
            batch_id=res.batch_id,
            status=res.status,
            rows_in=res.rows,
            published=res.published,
            quarantined=res.quarantined,
            evaluated=result.evaluated,
            failures=res.failures,
            outcomes=outcomes,
            scores=scores,
            ticket=res.ticket,
            as_of=as_of,
            gated_at=gated_at,
        ),
    )
