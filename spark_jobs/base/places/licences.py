"""The electronic-licence base database (电子证照; LZ-Rules art. 15: from the administrative
approval bureau): each licence once, its holder linked, its state as of the run date."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jutong.catalog.loader import Catalog
from jutong.lake import AuditError, Lake
from jutong.settings import Settings
from spark_jobs.base.places.registers import (
    PlaceBuild,
    PlaceOutputs,
    holder_kind,
    publish_places,
    read_register,
    records_with_holders,
    source_struct,
)
from spark_jobs.base.release import releases_jvm_objects

log = logging.getLogger(__name__)

# GB/T-style licence states as of the run date; the register's own word is kept in
# ``status_raw``. 注销 (cancelled) counts as revoked: the licence no longer authorises.
LICENSE_STATES = {"有效": "valid", "暂扣": "suspended", "吊销": "revoked", "注销": "revoked"}


def license_status(status: F.Column, valid_until: F.Column, as_of: dt.date) -> F.Column:
    """valid | expired | revoked | suspended as of ``as_of`` (an 有效 licence past its
    validity is expired)."""
    mapped = F.lit(None).cast("string")
    for raw, state in LICENSE_STATES.items():
        mapped = F.when(status == raw, F.lit(state)).otherwise(mapped)
    return F.when(
        (mapped == "valid") & valid_until.isNotNull() & (valid_until < F.lit(as_of)),
        F.lit("expired"),
    ).otherwise(mapped)


@releases_jvm_objects
def build_e_license(
    spark: SparkSession,
    settings: Settings,
    catalog: Catalog,
    as_of: dt.date,
    *,
    lake: Lake | None = None,
    progress: Callable[[str], None] | None = None,
) -> PlaceBuild:
    """Each licence once (its latest delivery), its holder linked to a person or an
    organisation, its state as of ``as_of``; a licence whose holder is not found is
    flagged (``holder_found`` false, with the reason), never dropped."""
    lake = lake or Lake(settings)
    say = progress or log.info
    entry = catalog.get("shenpi.xuke")
    staged, holders = read_register(spark, lake, entry)
    outputs = resolve_e_license(staged, holders, entry.id, as_of)
    res = outputs.summary
    publish_places(
        lake,
        outputs,
        properties={"jutong.as_of": as_of.isoformat(), "jutong.flagged": str(res.flagged)},
    )
    outputs.release()
    say(
        f"e_license: {res.tables['e_license']:,} licences ({res.flagged:,} flagged: holder not "
        f"found); states {outputs.states}"
    )
    return res


def resolve_e_license(
    staged: DataFrame, holders: DataFrame, dataset: str, as_of: dt.date
) -> PlaceOutputs:
    """The ``e_license`` table: one row per ``license_no`` (its latest delivery) with
    ``license_type``, ``holder_name``, ``holder_id_type``, ``holder_id``, ``holder_kind``,
    ``holder_person_id``, ``holder_org_id``, ``holder_found``, ``flag_reason``, ``issuer``,
    ``issued_on``, ``valid_until``, ``status_raw``, ``status`` (as of ``as_of``),
    ``status_as_of`` and ``_source``. Refuses (``AuditError``) when rows in differ from
    licences + superseded deliveries + exact duplicates."""
    rows_in, dups, latest, older = records_with_holders(staged, holders, dataset, "license_no")
    lic = latest.select(
        "license_no",
        "license_type",
        "holder_name",
        "holder_id_type",
        "holder_id",
        holder_kind().alias("holder_kind"),
        "holder_person_id",
        "holder_org_id",
        (F.col("holder_person_id").isNotNull() | F.col("holder_org_id").isNotNull()).alias(
            "holder_found"
        ),
        F.when(
            F.col("holder_person_id").isNull() & F.col("holder_org_id").isNull(),
            F.coalesce(F.col("holder_reason"), F.lit("holder not resolved")),
        ).alias("flag_reason"),
        "issuer",
        "issued_on",
        "valid_until",
        F.col("status").alias("status_raw"),
        license_status(F.col("status"), F.col("valid_until"), as_of).alias("status"),
        F.lit(as_of).alias("status_as_of"),
        source_struct().alias("_source"),
    ).cache()
    n = lic.count()
    flagged = lic.filter(~F.col("holder_found")).count()
    superseded = older.count()
    if n + superseded + dups != rows_in:
        raise AuditError(
            f"base.e_license: {rows_in} rows in but {n} licences + {superseded} superseded + "
            f"{dups} duplicates"
        )
    by_status = {
        r["status"]: r["n"] for r in lic.groupBy("status").agg(F.count("*").alias("n")).collect()
    }
    summary = PlaceBuild(
        "e_license",
        as_of.isoformat(),
        {"e_license": n, **{f"status:{k}": v for k, v in by_status.items()}},
        flagged,
        rows_in,
        dups,
    )
    return PlaceOutputs(summary, {"e_license": lic}, {"e_license": n}, [lic], by_status)
