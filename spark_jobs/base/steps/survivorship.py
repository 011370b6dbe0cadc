"""Survivorship (一数一源, GX-Reg art. 16): one golden record per entity from its matched
mentions.

Input: matched mentions (``spark_jobs.base.mentions`` shape with ``entity_id``; at least
``entity_id``, ``key``, ``dataset``, ``department``, ``batch_id``, ``row_number``,
``loaded_at``, ``auth_fields``, optionally ``role``, and the kind's golden fields with the
address fields' ``<field>_division``).
Output of ``golden_records``: one row per entity — the id column (``person_id`` /
``org_id``), the key column (``resident_id`` / ``uscc``; organisations also ``org_code``),
each golden field (addresses with their ``<field>_division``), each field's lineage
``<field>_source`` (``LINEAGE``), ``_mentions``, ``_sources`` and ``_record_hash``.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jutong.catalog.model import EntityKind
from spark_jobs.base.mentions import ADDRESS_FIELDS, kind_fields
from spark_jobs.base.steps.ids import ID_COLUMN, KEY_COLUMN

LINEAGE = ("department", "dataset", "batch_id", "row_number", "loaded_at")


def division_column(address_field: str) -> str:
    return address_field.replace("_address", "_division")


# The survivorship order (authoritative first, then load time, dataset, batch, row, role) is
# packed into one long per mention, so that Spark compares numbers instead of structs and
# the lineage of a golden value is decoded from the winning number (bench/base_build.py):
#   bit 62: authoritative for the field | bits 40-61: rank of the batch by (loaded_at,
#   dataset, batch_id) | bits 4-39: row number | bits 0-3: role.
_ROLE_BITS, _ROW_BITS, _BATCH_BITS = 4, 36, 22
_AUTH_BIT = 1 << (_ROLE_BITS + _ROW_BITS + _BATCH_BITS)


class SurvivorOrder:
    """The batches of a set of mentions in survivorship order (one small Spark action), to
    give each mention its order number and to decode a number back into its lineage."""

    def __init__(self, mentions: DataFrame):
        spark = mentions.sparkSession
        has_role = "role" in mentions.columns
        rows = (
            mentions.groupBy("loaded_at", "dataset", "batch_id", "department")
            .agg(
                F.max("row_number").alias("max_row"),
                F.min("row_number").alias("min_row"),
                (F.collect_set("role") if has_role else F.array()).alias("roles"),
                F.max(F.col("role").isNull() if has_role else F.lit(False)).alias("null_role"),
            )
            .collect()
        )
        for r in rows:
            if r["dataset"] is None or r["batch_id"] is None or r["null_role"]:
                raise ValueError(
                    f"survivorship order cannot be built: mentions of dataset {r['dataset']} "
                    f"batch {r['batch_id']} lack their dataset, batch or role"
                )
        rows.sort(
            key=lambda r: (
                r["loaded_at"] is not None,
                r["loaded_at"] or dt.datetime.min,
                r["dataset"],
                r["batch_id"],
                r["department"] or "",
            )
        )
        roles = sorted({x for r in rows for x in r["roles"]})
        problems = []
        if len(rows) >= 1 << _BATCH_BITS:
            problems.append(f"{len(rows):,} batches (at most {(1 << _BATCH_BITS) - 1:,})")
        if len(roles) > 1 << _ROLE_BITS:
            problems.append(f"{len(roles)} roles (at most {1 << _ROLE_BITS})")
        for r in rows:
            if (r["max_row"] or 0) >= 1 << _ROW_BITS or (r["min_row"] or 0) < 0:
                problems.append(
                    f"{r['dataset']} batch {r['batch_id']}: row number {r['max_row']} out of "
                    f"range 0..{(1 << _ROW_BITS) - 1}"
                )
        if problems:
            raise ValueError("survivorship order cannot be built: " + "; ".join(problems))
        self.lineage = [
            (r["department"], r["dataset"], r["batch_id"], r["loaded_at"]) for r in rows
        ]
        self.datasets = sorted({r["dataset"] for r in rows})
        if len(self.datasets) > 63:
            raise ValueError(
                f"survivorship order cannot be built: {len(self.datasets)} datasets (at most 63)"
            )
        bit = {d: 1 << i for i, d in enumerate(self.datasets)}
        table = [
            (
                r["dataset"],
                r["batch_id"],
                role,
                (rank << (_ROW_BITS + _ROLE_BITS)) | ri,
                bit[r["dataset"]],
            )
            for rank, r in enumerate(rows)
            for ri, role in enumerate(roles if has_role else [None])
            if not has_role or role in r["roles"]
        ]
        self._has_role = has_role
        self._table = spark.createDataFrame(
            table or [("", "", None, 0, 0)],
            "dataset string, batch_id string, role string, _seq_base long, _ds_bit long",
        )

    def attach(self, df: DataFrame) -> DataFrame:
        """``df`` with ``_seq``: the mention's place in survivorship order (without the
        authoritative bit), and ``_ds_bit``: its dataset as a bit (see ``datasets_of``).
        A broadcast join on (dataset, batch_id[, role])."""
        on = ["dataset", "batch_id"] + (["role"] if self._has_role else [])
        table = self._table if self._has_role else self._table.drop("role")
        return df.join(F.broadcast(table), on).withColumn(
            "_seq", F.col("_seq_base").bitwiseOR(F.shiftleft(F.col("row_number"), _ROLE_BITS))
        )

    def datasets_of(self, bits: F.Column) -> F.Column:
        """The sorted names of the datasets whose bits are set in ``bits`` (a bit_or of
        ``_ds_bit``)."""
        return F.array_compact(
            F.array(
                *[
                    F.when(bits.bitwiseAND(F.lit(1 << i)) != 0, F.lit(d))
                    for i, d in enumerate(self.datasets)
                ]
                or [F.lit(None).cast("string")]
            )
        )

    def lineage_of(self, seq: F.Column) -> F.Column:
        """The lineage struct (``LINEAGE``) of the mention whose order number is ``seq``.
        (One literal array per attribute: an array of structs is rebuilt on every row.)"""

        def pick(values: list, type_: str) -> F.Column:
            arr = F.array(*[F.lit(v) for v in values] or [F.lit(None)]).cast(f"array<{type_}>")
            return F.element_at(arr, (rank + 1).cast("int"))

        deps, dss, bids, ats = (
            list(x) for x in (list(zip(*self.lineage, strict=True)) or [()] * 4)
        )
        rank = F.shiftright(seq, _ROW_BITS + _ROLE_BITS).bitwiseAND((1 << _BATCH_BITS) - 1)
        row = F.shiftright(seq, _ROLE_BITS).bitwiseAND((1 << _ROW_BITS) - 1)
        return F.when(
            seq.isNotNull(),
            F.struct(
                pick(deps, "string").alias("department"),
                pick(dss, "string").alias("dataset"),
                pick(bids, "string").alias("batch_id"),
                row.alias("row_number"),
                pick(ats, "timestamp").alias("loaded_at"),
            ),
        )


def _survivor_key(field_name: str) -> F.Column:
    """The order number of a mention for one field: null where the field is empty, the
    authoritative bit set where the mention's department is authoritative for it."""
    auth = F.when(F.array_contains("auth_fields", field_name), F.lit(_AUTH_BIT)).otherwise(0)
    return F.when(F.col(field_name).isNotNull(), F.col("_seq").bitwiseOR(auth))


def golden_records(
    linked: DataFrame, kind: EntityKind, order: SurvivorOrder | None = None
) -> DataFrame:
    """One row per entity from its matched mentions: per field the value of the mention
    with the highest order number (authoritative, then most recent), with its lineage.
    ``order``: the mentions' ``SurvivorOrder`` (built here when not given: one action)."""
    order = order or SurvivorOrder(linked)
    fields = kind_fields(kind)
    df = order.attach(linked)
    aggs = []
    for f in fields:
        k = _survivor_key(f)
        aggs.append(F.max(k).alias(f"_k_{f}"))
        aggs.append(F.max_by(F.col(f), k).alias(f"_v_{f}"))
        if f in ADDRESS_FIELDS:
            aggs.append(F.max_by(F.col(f"{f}_division"), k).alias(f"_d_{f}"))
    # (no collect_set or first: they make Spark's aggregation several times slower)
    aggs += [
        F.count("*").alias("_mentions"),
        F.bit_or("_ds_bit").alias("_ds_bits"),
        F.max("key").alias("_key"),  # an entity has one key (or none: all unkeyed)
    ]
    g = df.groupBy("entity_id").agg(*aggs)
    cols = [
        F.col("entity_id").alias(ID_COLUMN[kind]),
        F.col("_key").alias(KEY_COLUMN[kind]),
    ]
    if kind is EntityKind.org:
        cols.append(F.substring("_key", 9, 9).alias("org_code"))
    for f in fields:
        cols.append(F.col(f"_v_{f}").alias(f))
        if f in ADDRESS_FIELDS:
            cols.append(F.col(f"_d_{f}").alias(division_column(f)))
    for f in fields:
        cols.append(order.lineage_of(F.col(f"_k_{f}")).alias(f"{f}_source"))
    cols += [F.col("_mentions"), order.datasets_of(F.col("_ds_bits")).alias("_sources")]
    out = g.select(*cols)
    value_cols = [KEY_COLUMN[kind], *fields]
    hashed = F.sha2(
        F.to_json(F.struct(*[F.col(c).cast("string").alias(c) for c in value_cols])), 256
    )
    return out.withColumn("_record_hash", hashed)
