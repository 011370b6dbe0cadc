"""Standardize: raw Iceberg table → typed staging Iceberg table, driven by the catalog.

For every data item the catalog's rule (``DataItem.standardize_rule``) gives the standardized
value; the raw text is kept beside it (``<item>_raw``) where the two differ. Identifiers carry
their validity (``<item>_valid``) and repairs (``<item>_repairs``); every row carries
``_valid`` and the list ``_reasons`` (``item:reason``) of what is wrong with it, and
``_warnings`` (e.g. an abolished county code, GB 11643-1999 allows it). No row is dropped:
staging rows = raw rows, per batch (DESIGN.md "nothing is lost").

``standardize_frame`` is the pure transform ``f(df, entry, as_of) -> df``; ``run_standardize``
does the I/O: new raw batches in, one write-audit-publish per batch into
``staging.<department>__<dataset>``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyarrow.fs import FileSelector
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jutong.catalog.model import CatalogEntry, DataItem, StandardizeRule
from jutong.lake import AuditError, Lake
from jutong.settings import Settings
from spark_jobs import rules

log = logging.getLogger(__name__)

RAW_ZONE = "raw"
STAGING_ZONE = "staging"
PROVENANCE = ["_department", "_dataset", "_batch_id", "_row_number", "_source_file", "_loaded_at"]
IDENTIFIER_RULES = (StandardizeRule.resident_id, StandardizeRule.uscc, StandardizeRule.party_id)


def _empty() -> Column:
    return F.array().cast("array<string>")


def _tag(item: str, arr: Column) -> Column:
    """Prefix every code of an array column with the item name: ``id_number:bad_check``."""
    return F.transform(F.coalesce(arr, _empty()), lambda r: F.concat(F.lit(f"{item}:"), r))


def _one(item: str, reason: Column) -> Column:
    return F.when(reason.isNotNull(), F.array(F.concat(F.lit(f"{item}:"), reason))).otherwise(
        _empty()
    )


@dataclass
class _ItemColumns:
    value: Column  # the standardized value
    text: Column  # its text form, to compare with the raw value
    reasons: Column  # array<string>, tagged
    warnings: Column = field(default_factory=_empty)
    extra: dict[str, Column] = field(default_factory=dict)


def _blank_to_null(c: Column) -> Column:
    t = F.trim(c)
    return F.when(t == "", None).otherwise(t)


def _item_columns(item: DataItem, as_of: dt.date) -> _ItemColumns:
    raw = F.col(item.name)
    rule = item.standardize_rule
    name = item.name
    if rule in IDENTIFIER_RULES:
        rid = rules.resident_id_struct(raw, as_of)
        usc = rules.uscc_struct(raw)
        if rule is StandardizeRule.resident_id:
            use_rid = F.lit(True)
        elif rule is StandardizeRule.uscc:
            use_rid = F.lit(False)
        else:  # party_id: a person's resident ID or an organisation's credit code
            # whichever rule accepts the value; when neither does, judge it by its shape
            rid_shape = rid["normalized"].rlike(r"^([0-9]{17}[0-9X]|[0-9]{15})$")
            use_rid = rid["valid"] | (~usc["valid"] & rid_shape)
        pick = lambda field_: F.when(use_rid, rid[field_]).otherwise(usc[field_])  # noqa: E731
        normalized = pick("normalized")
        kind = F.when(use_rid, F.lit("resident_id")).otherwise(usc["kind"])
        extra = {
            f"{name}_valid": pick("valid"),
            f"{name}_repairs": F.coalesce(pick("repairs"), _empty()),
            f"{name}_kind": kind,
        }
        if rule is not StandardizeRule.uscc:
            extra[f"{name}_birth_date"] = F.when(use_rid, rid["birth_date"])
            extra[f"{name}_sex"] = F.when(use_rid, rid["sex"])
        # an empty value is "missing" (reported only when the item is required), not invalid
        reasons = F.filter(_tag(name, pick("reasons")), lambda r: r != F.lit(f"{name}:empty"))
        return _ItemColumns(normalized, normalized, reasons, _tag(name, pick("warnings")), extra)
    if rule is StandardizeRule.person_name:
        s = rules.name_struct(raw)
        return _ItemColumns(
            s["normalized"],
            s["normalized"],
            _one(
                name, F.when(raw.isNotNull() & ~s["valid"] & (s["reason"] != "empty"), s["reason"])
            ),
        )
    if rule is StandardizeRule.phone:
        s = rules.phone_struct(raw)
        return _ItemColumns(
            s["normalized"],
            s["normalized"],
            _one(name, F.when(~s["valid"] & (s["reason"] != "empty"), s["reason"])),
            extra={f"{name}_kind": s["kind"]},
        )
    if rule is StandardizeRule.sex:
        s = rules.sex_struct(raw)
        return _ItemColumns(
            s["code"],
            s["code"],
            _one(name, F.when(~s["valid"] & (s["reason"] != "empty"), s["reason"])),
        )
    if rule is StandardizeRule.date:
        s = rules.date_struct(raw)
        value = F.to_date(s["iso"])
        return _ItemColumns(
            value, s["iso"], _one(name, F.when(~s["valid"] & (s["reason"] != "empty"), s["reason"]))
        )
    if rule is StandardizeRule.division:
        s = rules.division_struct(_blank_to_null(raw))
        return _ItemColumns(
            s["code"],
            s["code"],
            _one(name, F.when(~s["valid"] & (s["reason"] != "empty"), s["reason"])),
            F.when(
                s["status"] == "abolished", F.array(F.lit(f"{name}:abolished_division"))
            ).otherwise(_empty()),
            extra={f"{name}_name": s["full_name"]},
        )
    if rule is StandardizeRule.address:
        value = F.regexp_replace(_blank_to_null(raw), r"\s+", "")
        s = rules.address_struct(value)
        return _ItemColumns(value, value, _empty(), extra={f"{name}_division": s["division_code"]})
    if rule in (StandardizeRule.integer, StandardizeRule.decimal):
        text = _blank_to_null(raw)
        value = text.try_cast("long" if rule is StandardizeRule.integer else "decimal(20,4)")
        bad = F.when(text.isNotNull() & value.isNull(), F.lit(f"not_{rule.value}"))
        return _ItemColumns(value, text, _one(name, bad))
    value = _blank_to_null(raw)
    return _ItemColumns(value, value, _empty())


def standardize_frame(df: DataFrame, entry: CatalogEntry, as_of: dt.date) -> DataFrame:
    """The pure transform: raw rows (text) → standardized, typed rows with reasons."""
    cols: list[Column] = []
    reason_arrays: list[Column] = []
    warning_arrays: list[Column] = []
    for item in entry.items:
        ic = _item_columns(item, as_of)
        raw = F.col(item.name)
        cols.append(ic.value.alias(item.name))
        differs = raw.isNotNull() & (ic.text.isNull() | (ic.text != raw))
        cols.append(F.when(differs, raw).alias(f"{item.name}_raw"))
        cols.extend(c.alias(n) for n, c in ic.extra.items())
        # "missing" only when nothing was delivered; a delivered value that does not parse
        # carries its rule's reason instead
        blank = raw.isNull() | (F.trim(raw) == "")
        missing = F.when(blank & F.lit(item.required), F.array(F.lit(f"{item.name}:missing")))
        reason_arrays.append(F.concat(F.coalesce(missing, _empty()), ic.reasons))
        warning_arrays.append(ic.warnings)
    reasons = F.array_compact(F.flatten(F.array(*reason_arrays)))
    warnings = F.flatten(F.array(*warning_arrays))
    out = df.select(
        *cols,
        *[F.col(c) for c in PROVENANCE],
        reasons.alias("_reasons"),
        warnings.alias("_warnings"),
    )
    return out.withColumn("_valid", F.size("_reasons") == 0).withColumn("_as_of", F.lit(as_of))


# ---- I/O ---------------------------------------------------------------------------------


@dataclass
class BatchResult:
    dataset: str
    batch_id: str
    rows: int
    valid_rows: int
    identifiers: dict[str, dict[str, int]]  # item -> {valid, repaired, invalid, missing}
    snapshot_id: int | None


def pending_batches(lake: Lake, entry: CatalogEntry) -> list[str]:
    """Raw batches of the dataset not yet in staging, in load order."""
    if not lake.table_exists(RAW_ZONE, entry.table_name):
        return []
    raw = lake.table(RAW_ZONE, entry.table_name)
    done: set[str] = set()
    if lake.table_exists(STAGING_ZONE, entry.table_name):
        for snap in lake.table(STAGING_ZONE, entry.table_name).snapshots():
            b = snap.summary.additional_properties.get("jutong.batch_id") if snap.summary else None
            if b:
                done.add(b)
    order = []
    for snap in raw.snapshots():
        b = snap.summary.additional_properties.get("jutong.batch_id") if snap.summary else None
        if b and b not in done and b not in order:
            order.append(b)
    return order


def _batch_files(raw_table, batch_id: str) -> list[str]:
    files = raw_table.inspect.files().select(["file_path", "partition"]).to_pylist()
    return [f["file_path"] for f in files if f["partition"].get("_batch_id") == batch_id]


def identifier_counts(df: DataFrame, entry: CatalogEntry) -> dict[str, dict[str, int]]:
    """Per identifier item: valid as delivered, repaired (valid after normalization), invalid,
    missing."""
    items = [i.name for i in entry.items if i.standardize_rule in IDENTIFIER_RULES]
    if not items:
        return {}
    aggs = []
    for n in items:
        present = F.coalesce(F.trim(F.coalesce(F.col(f"{n}_raw"), F.col(n))), F.lit("")) != ""
        repaired = F.col(f"{n}_valid") & (F.size(f"{n}_repairs") > 0)
        aggs += [
            F.sum(F.when(F.col(f"{n}_valid") & ~repaired, 1).otherwise(0)).alias(f"{n}|valid"),
            F.sum(F.when(repaired, 1).otherwise(0)).alias(f"{n}|repaired"),
            F.sum(F.when(present & ~F.col(f"{n}_valid"), 1).otherwise(0)).alias(f"{n}|invalid"),
            F.sum(F.when(~present, 1).otherwise(0)).alias(f"{n}|missing"),
        ]
    row = df.agg(*aggs).collect()[0].asDict()
    out: dict[str, dict[str, int]] = {n: {} for n in items}
    for key, v in row.items():
        n, what = key.split("|")
        out[n][what] = int(v or 0)
    return out


def run_standardize(
    spark,
    settings: Settings,
    entry: CatalogEntry,
    as_of: dt.date,
    *,
    lake: Lake | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[BatchResult]:
    """Standardize every raw batch of ``entry`` not yet in staging; one publish per batch."""
    import pyarrow.parquet as pq

    lake = lake or Lake(settings)
    results: list[BatchResult] = []
    batches = pending_batches(lake, entry)
    if not batches:
        return results
    raw_table = lake.table(RAW_ZONE, entry.table_name)
    for batch_id in batches:
        paths = _batch_files(raw_table, batch_id)
        if not paths:
            raise AuditError(f"{entry.id}: raw batch {batch_id} has no data files")
        raw_df = spark.read.parquet(*paths)
        raw_rows = raw_df.count()
        out = standardize_frame(raw_df, entry, as_of).cache()
        try:
            # Files where they will stay (add_files registers them in place), one batch per folder.
            staging = None
            if lake.table_exists(STAGING_ZONE, entry.table_name):
                staging = lake.table(STAGING_ZONE, entry.table_name)
            base = (staging.location() if staging else _default_location(lake, entry)).rstrip("/")
            folder = f"{base}/data/_batch_id={batch_id}/{uuid.uuid4().hex[:8]}"
            out.coalesce(max(1, min(4, raw_rows // 500_000 + 1))).write.mode("error").parquet(
                folder
            )
            fs, fpath = Lake.filesystem(folder)
            names = sorted(
                Path(info.path).name
                for info in fs.get_file_info(FileSelector(fpath))
                if Path(info.path).name.startswith("part-") and info.path.endswith(".parquet")
            )
            files = [f"{folder}/{n}" for n in names]
            if not files:
                raise AuditError(f"{entry.id} batch {batch_id}: Spark wrote no data file")
            if staging is None:
                schema = pq.read_schema(f"{fpath}/{names[0]}", filesystem=fs)
                staging = lake.ensure_table(
                    STAGING_ZONE,
                    entry.table_name,
                    schema,
                    partition_by=["_batch_id"],
                    properties={"jutong.catalog_id": entry.id, "jutong.zone": STAGING_ZONE},
                    location=base,
                )
            counts = identifier_counts(out, entry)
            valid_rows = out.filter("_valid").count()
            props = {
                "jutong.batch_id": batch_id,
                "jutong.dataset": entry.id,
                "jutong.as_of": as_of.isoformat(),
                "jutong.rows": str(raw_rows),
                "jutong.valid_rows": str(valid_rows),
            }
            for n, c in counts.items():
                for what, v in c.items():
                    props[f"jutong.id.{n}.{what}"] = str(v)

            def audit(table, snapshot_id: int, _batch=batch_id, _n=raw_rows) -> None:
                from pyiceberg.expressions import EqualTo

                got = table.scan(
                    row_filter=EqualTo("_batch_id", _batch),
                    selected_fields=("_row_number",),
                    snapshot_id=snapshot_id,
                ).to_arrow()
                if got.num_rows != _n:
                    raise AuditError(
                        f"{entry.id} batch {_batch}: {got.num_rows} staging rows for {_n} raw rows"
                    )

            sid = lake.publish_files(staging, files, properties=props, audit=audit)
        finally:
            out.unpersist()
        res = BatchResult(entry.id, batch_id, raw_rows, valid_rows, counts, sid)
        results.append(res)
        if progress:
            progress(f"{entry.id}: batch {batch_id}: {raw_rows:,} rows, {valid_rows:,} valid")
    return results


def _default_location(lake: Lake, entry: CatalogEntry) -> str:
    """The staging table's location, fixed before its first files are written (the schema
    comes from those files, and add_files registers files in place)."""
    return f"{lake.settings.iceberg_warehouse.rstrip('/')}/{STAGING_ZONE}/{entry.table_name}"
