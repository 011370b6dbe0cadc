"""One release DAG per open-release definition: ``release__<id>``.

Scheduled on the Asset of the base or theme table the release reads (it runs when that table
was rebuilt); builds, gates and publishes a new version (``masking.release.build_release``:
open policy, anonymity gate, residual PII scan; GX-Open art. 16, 19) and emits the release's
Asset. A refused build fails its task without retries (AirflowFailException): the message
names the reason. A release
suspended on a complaint (GX-Open art. 22) is not rebuilt until it is restored or withdrawn.
"""

from __future__ import annotations

import datetime as dt

from jutong.catalog.model import release_dag_id
from jutong.orchestration.assets import table_asset
from jutong.orchestration.ingest_dags import DEFAULT_ARGS, START
from jutong.settings import get_settings


def release_asset(release_id: str):
    from airflow.sdk import Asset

    return Asset(
        name=f"release.{release_id}",
        uri=f"file://jutong/releases/{release_id}",
        group="releases",
    )


def build_release_dag(definition):
    from airflow.sdk import DAG, task

    d = definition
    with DAG(
        dag_id=release_dag_id(d.id),
        description=f"Open release: {d.title}",
        schedule=[table_asset(d.source.zone, d.source.table)],
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["release", "open", d.kind],
        doc_md=(
            f"### Open release {d.title} ({d.id})\n\n"
            f"`{d.source.zone}.{d.source.table}` → `releases/{d.id}/v<N>/`: open masking "
            "policy, anonymity gate, residual PII scan, CSV + Parquet, DCAT metadata with "
            "GX-Open art. 16's fields, SHA-256 checksums, report. "
            "Suspend/withdraw/restore with `jutong release` (GX-Open art. 22)."
        ),
    ) as dag:

        @task(task_id="build", outlets=[release_asset(d.id)])
        def build() -> dict:
            from airflow.sdk import get_current_context
            from airflow.sdk.exceptions import AirflowFailException

            from jutong.catalog.releases import ReleaseError
            from masking.release import build_release

            run = get_current_context()["dag_run"]
            when = run.logical_date or run.run_after or dt.datetime.now(dt.UTC)
            try:
                res = build_release(get_settings(), d.id, as_of=when.date(), actor="airflow")
            except ReleaseError as err:  # refused or suspended: retrying changes nothing
                raise AirflowFailException(str(err)) from err
            print(res.summary())
            if res.unchanged:
                # the same data as the served version: no new version, no Asset event
                from airflow.sdk.exceptions import AirflowSkipException

                raise AirflowSkipException(f"{d.id}: unchanged, no new version")
            return {
                "release_id": res.release_id,
                "version": res.version,
                "rows": res.rows,
                "path": str(res.path),
                "unchanged": res.unchanged,
            }

        build()
    return dag


def build_all() -> dict[str, object]:
    from jutong.catalog.releases import load_definitions

    dags = (build_release_dag(d) for d in load_definitions(get_settings()).values())
    return {dag.dag_id: dag for dag in dags}
