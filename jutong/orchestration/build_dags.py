"""Base-database DAGs: ``build__population``, ``build__legal_entity``, ``build__spatial``,
``build__e_license`` (GX-Reg art. 23; LZ-Rules art. 15).

Each is scheduled on the Assets it consumes — any update of one of them triggers it — and
emits its base table's Asset: population and legal_entity consume the staging tables whose
catalog entries mention persons / organisations; spatial and e_license consume their staging
table and the two entity databases (their holders are resolved there).
"""

from __future__ import annotations

import datetime as dt

from jutong.catalog import Catalog, load_catalog
from jutong.catalog.model import BASES, BaseDatabase
from jutong.lake import Zone
from jutong.orchestration.assets import table_asset
from jutong.orchestration.ingest_dags import DEFAULT_ARGS, START
from jutong.settings import get_settings


def base_asset(base: str):
    return table_asset(Zone.base, base)


def consumed(catalog: Catalog, base: BaseDatabase) -> list:
    """The Assets a base database is built from."""
    kind = base.entity_kind
    if kind is not None:
        entries = [e for e in catalog if any(m.kind is kind for m in e.base.mentions)]
        return [table_asset(Zone.staging, e.table_name, catalog_id=e.id) for e in entries]
    entries = [e for e in catalog if e.base.feeds is base]
    return [
        *[table_asset(Zone.staging, e.table_name, catalog_id=e.id) for e in entries],
        *[base_asset(up) for up in base.upstream],
    ]


def build_base_dag(base: BaseDatabase, catalog: Catalog):
    from airflow.sdk import DAG, AssetAny, task

    assets = consumed(catalog, base)
    title = f"{base.label} {base.label_en}"
    with DAG(
        dag_id=base.dag_id,
        description=f"Build the {title} base database",
        schedule=AssetAny(*assets),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["build", "base", base],
        doc_md=(
            f"### Build {title}\n\n"
            "From the staging zone: exact match on normalized keys, Splink for the rest, "
            "clerical review queue, survivorship by the catalog's authoritative sources with "
            "per-field lineage, conflicts, history, and the nothing-lost ledger; published "
            "by write-audit-publish. See docs/base_databases.md."
        ),
    ) as dag:

        @task(task_id="build", outlets=[base_asset(base)])
        def build() -> dict:
            from airflow.sdk import get_current_context

            from spark_jobs.base.run import run_build

            run = get_current_context()["dag_run"]
            when = run.logical_date or run.run_after or dt.datetime.now(dt.UTC)
            return run_build(get_settings(), base, when.date(), progress=print)

        build()
    return dag


def build_all() -> dict[str, object]:
    catalog = load_catalog(get_settings().catalog_dir)
    dags = (build_base_dag(b, catalog) for b in BASES)
    return {d.dag_id: d for d in dags}
