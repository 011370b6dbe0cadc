"""The spatial base database (自然资源和空间地理; LZ-Rules art. 15: from natural resources
and planning): divisions, land parcels with their holders, and where addresses lie."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jutong.catalog.loader import Catalog
from jutong.catalog.model import ENTITY_BASES
from jutong.lake import Lake
from jutong.reference import load_divisions
from jutong.settings import Settings
from spark_jobs.base.entities import BASE_ZONE
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
from spark_jobs.lake import read_unit

log = logging.getLogger(__name__)


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


@releases_jvm_objects
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
    staged, holders = read_register(spark, lake, entry)
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
            holder_kind().alias("holder_kind"),
            "holder_person_id",
            "holder_org_id",
            (F.col("holder_person_id").isNotNull() | F.col("holder_org_id").isNotNull()).alias(
                "holder_found"
            ),
            "holder_reason",
            source_struct().alias("_source"),
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
