"""One standardize DAG per catalog entry: ``standardize__<department>__<dataset>``.

Scheduled on the raw table's Asset (it runs when ingestion published new rows); standardizes
every raw batch not yet in staging with Spark and emits the staging table's Asset. The run's
date is the rules' ``as_of`` (a birth date after it is refused).
"""

from __future__ import annotations

import datetime as dt

from jutong.catalog import Catalog, CatalogEntry, load_catalog
from jutong.lake import Zone
from jutong.orchestration.assets import raw_asset, table_asset
from jutong.orchestration.ingest_dags import DEFAULT_ARGS, START
from jutong.settings import get_settings


def staging_asset(entry: CatalogEntry):
    return table_asset(Zone.staging, entry.table_name, catalog_id=entry.id)


def build_standardize_dag(entry: CatalogEntry, catalog: Catalog):
    from airflow.sdk import DAG, task

    with DAG(
        dag_id=entry.standardize_dag_id,
        description=f"Standardize {entry.title} into staging",
        schedule=[raw_asset(entry)],
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["standardize", entry.department, entry.base.feeds.value],
        doc_md=(
            f"### Standardize {entry.title} ({entry.id})\n\n"
            f"`raw.{entry.table_name}` → `staging.{entry.table_name}`: identifiers "
            "(GB 11643-1999, GB 32100-2015), names, dates, sex codes, phones, divisions and "
            "addresses by the catalog's rules; raw values kept where they differ; per-row "
            "validity and reasons. One write-audit-publish per raw batch."
        ),
    ) as dag:

        @task(task_id="standardize", outlets=[staging_asset(entry)])
        def standardize() -> list[dict]:
            from dataclasses import asdict

            from airflow.sdk import get_current_context
            from airflow.sdk.exceptions import AirflowSkipException

            from jutong.lake import Lake
            from jutong.lake.repair import repair_before_job
            from spark_jobs.standardize import dataset_tables, pending_batches, run_standardize

            settings = get_settings()
            lake = Lake(settings)
            repair_before_job(lake, dataset_tables(entry))
            if not pending_batches(lake, entry):
                # nothing new (e.g. an event already handled): no Spark, no Asset event
                raise AirflowSkipException(f"{entry.id}: no new raw batch")
            from spark_jobs.session import get_spark

            run = get_current_context()["dag_run"]
            when = run.logical_date or run.run_after or dt.datetime.now(dt.UTC)
            spark = get_spark(settings, f"standardize {entry.id}")
            results = run_standardize(
                spark, settings, entry, when.date(), lake=lake, progress=print
            )
            if not results:
                print(f"{entry.id}: no new raw batch")
            return [asdict(r) for r in results]

        standardize()
    return dag


def build_all() -> dict[str, object]:
    catalog = load_catalog(get_settings().catalog_dir)
    dags = (build_standardize_dag(e, catalog) for e in catalog)
    return {d.dag_id: d for d in dags}
