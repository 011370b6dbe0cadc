"""Job entry points: build one base database (or all four, in dependency order)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from jutong.catalog.loader import load_catalog
from jutong.catalog.model import BASES, BaseDatabase
from jutong.lake import Lake, Zone, table_id
from jutong.lake.repair import repair_before_job
from jutong.settings import Settings


def build_base(
    spark,
    settings: Settings,
    base: str,
    as_of: dt.date,
    *,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Build one base database from the staging zone; returns its summary."""
    from spark_jobs.base.entities import build_entities
    from spark_jobs.base.places import build_e_license, build_spatial

    if base not in BASES:
        raise ValueError(f"unknown base database '{base}' (one of {', '.join(BASES)})")
    base = BaseDatabase(base)
    catalog = load_catalog(settings.catalog_dir)
    lake = Lake(settings)
    # settle what crashed builds left (live builds of other bases are left alone); a unit a
    # crash left half-published is finished before this build reads it
    repair_before_job(lake, [table_id(Zone.base, t) for t in lake.tables(Zone.base)])
    kind = base.entity_kind
    if kind is not None:
        r = build_entities(
            spark,
            settings,
            catalog,
            kind,
            as_of,
            lake=lake,
            progress=progress,
            gate=_gate(settings, base),
        )
    elif base is BaseDatabase.spatial:
        r = build_spatial(spark, settings, catalog, as_of, lake=lake, progress=progress)
    else:
        r = build_e_license(spark, settings, catalog, as_of, lake=lake, progress=progress)
    return r.as_dict()


def _gate(settings: Settings, base: str):
    """The quality gate of a base-database publish: ids present and unique; the key valid
    and unique, and present on every entity that has no provisional key (an organisation
    known only by a legacy code, a cluster of unkeyed mentions: ``provisional_key``)."""
    from jutong.quality.spec import expectation
    from spark_jobs.quality.evaluate import check_frame  # imports GE: only when a base is built

    key = {
        "population": ("person_id", "resident_id", "valid_resident_id"),
        "legal_entity": ("org_id", "uscc", "valid_uscc"),
    }[base]

    def gate(df, name: str) -> None:
        suite = {
            "name": f"base.{base}",
            "expectations": [
                expectation("not_null", key[0]),
                expectation("unique", key[0]),
                expectation("not_null", key[1], only_where_null="provisional_key"),
                expectation("unique", key[1]),
                expectation(key[2], key[1]),
                expectation("unique", "provisional_key"),
            ],
            "meta": {"jutong": {"generated_by": "base gate"}},
        }
        check_frame(df, suite, settings=settings, name=name, data_docs=False).raise_if_failed()

    return gate


def run_build(settings: Settings, base: str, as_of: dt.date, progress=None) -> dict:
    from spark_jobs.session import get_spark

    spark = get_spark(settings, f"jutong-build-{base}")
    return build_base(spark, settings, base, as_of, progress=progress)
