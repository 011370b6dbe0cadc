"""The spatial (自然资源和空间地理) and electronic-licence (电子证照) base databases
(GX-Reg art. 23; LZ-Rules art. 15: spatial ← natural resources and planning; licences ←
the administrative approval bureau).

Both are keyed by their own register's code (the division code, the parcel code, the
licence number); their holders are the persons and organisations the population and
legal-entity builds resolved (``<base>_links``), so these builds run after those two.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from jutong.catalog.loader import Catalog
from jutong.catalog.model import ENTITY_BASES
from jutong.lake import AuditError, Lake
from jutong.reference import load_divisions
from jutong.settings import Settings
from spark_jobs.base.entities import BASE_ZONE, STAGING_ZONE
from spark_jobs.base.steps.survivorship import LINEAGE
from spark_jobs.lake import count_at, publish_tables, read_table, read_unit

log = logging.getLogger(__name__)

# GB/T-style licence states as of the run date; the register's own word is kept in
# ``status_raw``. 注销 (cancelled) counts as revoked: the licence no longer authorises.
LICENSE_STATES = {"有效": "valid", "暂扣": "suspended", "吊销": "revoked", "注销": "revoked"}


@dataclass
class PlaceBuild:
    base: str
    as_of: str
    tables: dict[str, int]
    flagged: int = 0
    rows_in: int = 0
    duplicates: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _latest(df: DataFrame, key: str) -> tuple[DataFrame, DataFrame]:
    """(one row per key: the most recent delivery; the older rows it supersedes)."""
    w = Window.partitionBy(key).orderBy(
        F.col("_loaded_at").desc(), F.col("_batch_id").desc(), F.col("_row_number").desc()
    )
    ranked = df.withColumn("_rank", F.row_number().over(w))
    return ranked.filter("_rank = 1").drop("_rank"), ranked.filter("_rank > 1").drop("_rank")


def _source() -> F.Column:
    return F.struct(
        F.col("_department").alias("department"),
        F.col("_dataset").alias("dataset"),
        F.col("_batch_id").alias("batch_id"),
        F.col("_row_number").alias("row_number"),
        F.col("_loaded_at").alias("loaded_at"),
    )


def _holders(spark: SparkSession, lake: Lake, dataset: str) -> DataFrame:
    """mention_id -> holder person/org id (and why none), from the entity builds' links."""
    frames = []
    for base, col in (("population", "holder_person_id"), ("legal_entity", "holder_org_id")):
        # the links of the build whose base table is published (one unit)
        links = read_unit(spark, lake, BASE_ZONE, [f"{base}_links", base])[f"{base}_links"]
        if links is None:
            raise AuditError(
                f"base.{base}_links does not exist: build {base} before the licence and "
                "spatial databases"
            )
        frames.append(
            links.filter((F.col("dataset") == dataset) & (F.col("role") == "holder")).select(
                F.col("mention_id"),
                F.lit(base).alias("holder_base"),
                F.col("entity_id").alias(col),
                F.when(F.col("entity_id").isNull(), F.col("reason")).alias("holder_reason"),
            )
        )
    cols = ["mention_id", "holder_base", "holder_person_id", "holder_org_id", "holder_reason"]
    a = frames[0].withColumn("holder_org_id", F.lit(None).cast("string")).select(*cols)
    b = frames[1].withColumn("holder_person_id", F.lit(None).cast("string")).select(*cols)
    return a.unionByName(b)


def _mention_id(dataset: str) -> F.Column:
    return F.concat_ws("|", F.lit(dataset), "_batch_id", "_row_number", F.lit("holder"))


def _read_register(spark: SparkSession, lake: Lake, entry) -> tuple[DataFrame, DataFrame]:
    """(the register's staging table, its holders from the entity builds' links)."""
    staged = read_table(spark, lake, STAGING_ZONE, entry.table_name)
    if staged is None:
        raise AuditError(f"staging.{entry.table_name} does not exist: nothing to build from")
    return staged, _holders(spark, lake, entry.id)


def records_with_holders(staged: DataFrame, holders: DataFrame, dataset: str, key: str):
    """(rows in, exact duplicates, latest record per ``key`` joined to its resolved holder,
    the older records it supersedes) of one register's staging table.

    Input: the staging rows (``key``, ``_batch_id``, ``_row_number``, ``_loaded_at``,
    ``_duplicate_of``, ...) and the holders (``mention_id``, ``holder_base``,
    ``holder_person_id``, ``holder_org_id``, ``holder_reason``). The latest records carry
    the staging columns plus ``mention_id`` and the holder columns."""
    rows_in = staged.count()
    dups = staged.filter(F.col("_duplicate_of").isNotNull()).count()
    latest, older = _latest(staged.filter(F.col("_duplicate_of").isNull()), key)
    joined = latest.withColumn("mention_id", _mention_id(dataset)).join(
        holders, "mention_id", "left"
    )
    return rows_in, dups, joined, older


def _division_table(spark: SparkSession) -> DataFrame:
    divs = load_divisions()
    rows = []
    for code, d in sorted(divs.items()):
        province = code[:2] + "0000"
        city = code[:4] + "00" if d.level == "county" else (code if d.level == "city" else None)
        names = [divs[c].name for c in dict.fromkeys([province, city, code]) if c and c in divs]
        rows.append(
            {
                "division_code": code,
                "name": d.name,
                "full_name": "".join(names),
                "level": d.level,
                "parent_code": d.parent or None,
                "province_code": province,
                "city_code": city,
                "status": d.status,
                "replaced_by": d.replaced_by or None,
            }
        )
    return spark.createDataFrame(pa.Table.from_pylist(rows).to_pandas())


@dataclass
class PlaceOutputs:
    """Every table of one spatial or licence build (computed, not yet published):
    ``tables`` (name -> rows, in publish order; each replaces the current rows),
    ``expected_rows`` (the row count each audited table must have on its branch), the
    build's summary, the frames cached while computing and (licences) the count per state."""

    summary: PlaceBuild
    tables: dict[str, DataFrame]
    expected_rows: dict[str, int]
    cached: list[DataFrame] = field(default_factory=list)
    states: dict[str | None, int] = field(default_factory=dict)  # licences per state

    def release(self) -> None:
        for df in self.cached:
            df.unpersist()


def publish_places(lake: Lake, outputs: PlaceOutputs, *, properties: dict[str, str]) -> None:
    """Publish every table of ``outputs`` as one unit by write-audit-publish (see
    ``entities.publish_outputs``); a table in ``expected_rows`` is audited for its row
    count."""
    publish_tables(
        lake,
        BASE_ZONE,
        f"build.{next(iter(outputs.tables))}",
        outputs.tables,
        properties=properties,
        audits={n: _row_count_audit(n, rows) for n, rows in outputs.expected_rows.items()},
    )


def _row_count_audit(name: str, expected: int):
    def audit(table, sid: int) -> None:
        if count_at(table, sid) != expected:
            raise AuditError(f"base.{name}: row count differs on the branch")

    return audit


def build_spatial(
    spark: SparkSession,
    settings: Settings,
    catalog: Catalog,
    as_of: dt.date,
    *,
    lake: Lake | None = None,
    progress: Callable[[str], None] | None = None,
) -> PlaceBuild:
    """Divisions (province → city → county), land parcels with geometry and holder, and
    the division each person's domicile and each organisation's registered address lies in."""
    lake = lake or Lake(settings)
    say = progress or log.info
    entry = catalog.get("ziranziyuan.zongdi")
    staged, holders = _read_register(spark, lake, entry)
    bases = {
        b.value: read_unit(spark, lake, BASE_ZONE, [b.value, f"{b.value}_links"])[b.value]
        for b in ENTITY_BASES
    }
    outputs = resolve_spatial(_division_table(spark), staged, holders, bases, entry.id, as_of)
    publish_places(lake, outputs, properties={"jutong.as_of": as_of.isoformat()})
    outputs.release()
    res, out = outputs.summary, outputs.summary.tables
    say(
        f"spatial: {out['spatial_division']:,} divisions, {out['spatial_parcel']:,} parcels "
        f"({res.flagged:,} with a holder not found), {out.get('spatial_location', 0):,} located "
        "addresses"
    )
    return res


def resolve_spatial(
    divisions: DataFrame,
    staged: DataFrame,
    holders: DataFrame,
    bases: dict[str, DataFrame | None],
    dataset: str,
    as_of: dt.date,
) -> PlaceOutputs:
    """The spatial tables: ``spatial_division`` (the division rows as given),
    ``spatial_parcel`` (each parcel's latest delivery: ``parcel_code``, ``location``,
    ``division_code``, ``area_m2``, ``land_use``, ``geometry_wkt``, holder kind / ids /
    ``holder_found`` / ``holder_reason``, ``_source``, ``_as_of``, ``division_name``) and,
    when a population or legal-entity table is given, ``spatial_location`` (``entity_kind``,
    ``entity_id``, ``address_kind``, ``address``, ``division_code``, ``division_name``,
    ``_as_of``)."""
    out: dict[str, int] = {}
    divisions = divisions.cache()
    out["spatial_division"] = divisions.count()
    names = divisions.select(F.col("division_code"), F.col("full_name").alias("division_name"))

    rows_in, dups, latest, _ = records_with_holders(staged, holders, dataset, "parcel_code")
    parcels = (
        latest.select(
            "parcel_code",
            "location",
            "division_code",
            "area_m2",
            "land_use",
            F.col("geometry_wkt"),
            F.when(F.col("holder_id_type") == "居民身份证", "person")
            .when(F.col("holder_id_type") == "统一社会信用代码", "org")
            .alias("holder_kind"),
            "holder_person_id",
            "holder_org_id",
            (F.col("holder_person_id").isNotNull() | F.col("holder_org_id").isNotNull()).alias(
                "holder_found"
            ),
            "holder_reason",
            _source().alias("_source"),
            F.lit(as_of).alias("_as_of"),
        )
        .join(names, "division_code", "left")
        .cache()
    )
    out["spatial_parcel"] = n_parcels = parcels.count()
    flagged = parcels.filter(~F.col("holder_found")).count()
    tables = {"spatial_division": divisions, "spatial_parcel": parcels}

    frames = []
    for base, id_col, addr in (
        ("population", "person_id", "domicile"),
        ("population", "person_id", "residence"),
        ("legal_entity", "org_id", "registered"),
    ):
        t = bases.get(base)
        if t is None:
            continue
        frames.append(
            t.filter(F.col(f"{addr}_address").isNotNull()).select(
                F.lit("person" if base == "population" else "org").alias("entity_kind"),
                F.col(id_col).alias("entity_id"),
                F.lit(addr).alias("address_kind"),
                F.col(f"{addr}_address").alias("address"),
                F.col(f"{addr}_division").alias("division_code"),
            )
        )
    if frames:
        loc = frames[0]
        for f in frames[1:]:
            loc = loc.unionByName(f)
        loc = loc.join(names, "division_code", "left").withColumn("_as_of", F.lit(as_of))
        out["spatial_location"] = loc.count()
        tables["spatial_location"] = loc
    return PlaceOutputs(
        summary=PlaceBuild("spatial", as_of.isoformat(), out, flagged, rows_in, dups),
        tables=tables,
        expected_rows={"spatial_parcel": n_parcels},
        cached=[parcels, divisions],
    )


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
    staged, holders = _read_register(spark, lake, entry)
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
        F.when(F.col("holder_id_type") == "居民身份证", "person")
        .when(F.col("holder_id_type") == "统一社会信用代码", "org")
        .alias("holder_kind"),
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
        _source().alias("_source"),
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


__all__ = [
    "LINEAGE",
    "PlaceOutputs",
    "build_e_license",
    "build_spatial",
    "license_status",
    "publish_places",
    "records_with_holders",
    "resolve_e_license",
    "resolve_spatial",
]
