"""One ingestion DAG per catalog entry: ``ingest__<department>__<dataset>``.

Adding a YAML file to ``catalog/`` adds its DAG: nothing else changes.
Tasks: ``discover`` lists the files waiting in the landing folder; ``ingest`` (mapped, one
task per file, one at a time per dataset) ingests each and emits the raw table's Asset.
A file that breaks its contract fails its task without retries (AirflowFailException) and is
in quarantine; other errors are retried.
"""

from __future__ import annotations

import datetime as dt

from jutong.catalog import Catalog, CatalogEntry, load_catalog
from jutong.orchestration.assets import raw_asset
from jutong.settings import get_settings

OWNER = "jutong-data-engineering"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=2),
}


def build_ingest_dag(entry: CatalogEntry, catalog: Catalog):
    from airflow.sdk import DAG, task

    asset = raw_asset(entry)
    dept_name = catalog.department_name(entry.department)
    doc = (
        f"### {entry.title} ({entry.id})\n\n"
        f"Provider: {dept_name}. Extract: {entry.extract.format.value}, "
        f"{entry.extract.encoding}, files matching `{entry.extract.file_pattern}` in "
        f"`landing/{entry.department}/{entry.dataset}/`.\n\n"
        f"Writes `raw.{entry.table_name}` (Asset `{asset.name}`); refused files go to "
        f"`lake/quarantine/{entry.department}/{entry.dataset}/` with a reason file."
    )
    with DAG(
        dag_id=entry.dag_id,
        description=f"Ingest {entry.title} from {dept_name}",
        schedule=entry.ingest_schedule,
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["ingest", entry.department, entry.base.feeds.value],
        doc_md=doc,
    ) as dag:

        @task(task_id="discover")
        def discover_files() -> list[str]:
            from jutong.ingest import discover

            files = [str(p) for p in discover(get_settings(), entry)]
            print(f"{len(files)} file(s) waiting for {entry.id}: {files}")
            return files

        @task(task_id="ingest", outlets=[asset], max_active_tis_per_dag=1)
        def ingest(path: str) -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            from jutong.ingest import ContractError, ingest_file

            try:
                result = ingest_file(get_settings(), entry, path, progress=print)
            except ContractError as err:
                raise AirflowFailException(f"refused and quarantined: {err}") from err
            print(result.message)
            if result.status == "duplicate":
                # a re-sent file: recognised, no new batch, so no Asset event downstream
                from airflow.sdk.exceptions import AirflowSkipException

                raise AirflowSkipException(result.message)
            return result.as_dict()

        ingest.expand(path=discover_files())
    return dag


def build_all() -> dict[str, object]:
    """All ingestion DAGs of the catalog, by DAG id (for a DAG file's globals)."""
    catalog = load_catalog(get_settings().catalog_dir)
    return {e.dag_id: build_ingest_dag(e, catalog) for e in catalog}
