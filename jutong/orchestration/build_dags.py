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
from jutong.catalog.model import EntityKind
from jutong.orchestration.assets import table_asset
from jutong.orchestration.ingest_dags import DEFAULT_ARGS, START
from jutong.settings import get_settings

TITLES = {
    "population": "人口基础库 population",
    "legal_entity": "法人基础库 legal entity",
    "spatial": "自然资源和空间地理基础库 spatial",
    "e_license": "电子证照基础库 electronic licences",
}


def base_asset(base: str):
    return table_asset("base", base)


def consumed(catalog: Catalog, base: str) -> list:
    """The Assets a base database is built from."""
    if base in ("population", "legal_entity"):
        kind = EntityKind.person if base == "population" else EntityKind.org
        entries = [e for e in catalog if any(m.kind is kind for m in e.base.mentions)]
        return [table_asset("staging", e.table_name, catalog_id=e.id) for e in entries]
    entries = [e for e in catalog if e.base.feeds.value == base]
    return [
        *[table_asset("staging", e.table_name, catalog_id=e.id) for e in entries],
        base_asset("population"),
        base_asset("legal_entity"),
    ]


def build_base_dag(base: str, catalog: Catalog):
    from airflow.sdk import DAG, AssetAny, task

    assets = consumed(catalog, base)
    with DAG(
        dag_id=f"build__{base}",
        description=f"Build the {TITLES[base]} base database",
        schedule=AssetAny(*assets),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["build", "base", base],
        doc_md=(
            f"### Build {TITLES[base]}\n\n"
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
    from spark_jobs.base.run import BASES

    catalog = load_catalog(get_settings().catalog_dir)
    dags = (build_base_dag(b, catalog) for b in BASES)
    return {d.dag_id: d for d in dags}
