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


def inputs(catalog: Catalog, base: BaseDatabase) -> list[tuple[Zone, str, str | None]]:
    """The tables a base database is built from: (zone, table, catalog id or None)."""
    kind = base.entity_kind
    if kind is not None:
        entries = [e for e in catalog if any(m.kind is kind for m in e.base.mentions)]
        return [(Zone.staging, e.table_name, e.id) for e in entries]
    entries = [e for e in catalog if e.base.feeds is base]
    return [
        *[(Zone.staging, e.table_name, e.id) for e in entries],
        *[(Zone.base, up.value, None) for up in base.upstream],
    ]


def consumed(catalog: Catalog, base: BaseDatabase) -> list:
    """The Assets a base database is built from."""
    return [
        table_asset(z, name, catalog_id=cid) if cid else table_asset(z, name)
        for z, name, cid in inputs(catalog, base)
    ]


def waiting_inputs(lake, catalog: Catalog, base: BaseDatabase, pending) -> list[str]:
    """The datasets read by ``base`` with raw batches that standardize has not taken yet
    (``pending(lake, entry)``: ``spark_jobs.standardize.pending_batches``): their standardize
    run is queued or running, and its Asset event will trigger this build again — building now
    would build twice (no Asset storm, issue 18 item 3). A batch the gate blocked is taken."""
    ids = {cid for _, _, cid in inputs(catalog, base) if cid}
    return [e.id for e in catalog if e.id in ids and pending(lake, e)]


def being_standardized(
    lake, catalog: Catalog, base: BaseDatabase, pending, active_runs
) -> list[str]:
    """The datasets of ``waiting_inputs`` whose standardize DAG has a run queued or running
    (``active_runs(dag_id)``): the build waits for those (``inputs_settled``), so that the
    files delivered together are built once, not once per dataset. A dataset with raw batches
    but no such run (its standardize failed, or is paused) is not waited for."""
    by_id = {e.id: e for e in catalog}
    return [
        cid
        for cid in waiting_inputs(lake, catalog, base, pending)
        if active_runs(by_id[cid].standardize_dag_id) > 0
    ]


# how long a build waits for its inputs' standardize runs (reschedule mode: no worker slot is
# held while waiting); after that it is skipped, and the next input's event triggers it
SETTLE_POKE_SECONDS = 15
SETTLE_TIMEOUT_SECONDS = 3 * 3600


def inputs_fingerprint(settings, catalog: Catalog, base: BaseDatabase, lake) -> str:
    """What the build would read now (``jutong.orchestration.freshness``): the input tables'
    snapshots, the catalog, and the clerical-review decisions of an entity base."""
    from jutong.orchestration.freshness import fingerprint

    extra = {}
    if base.entity_kind is not None:
        from jutong.base.review import decisions

        extra["review"] = sorted(f"{m}|{e}|{s}" for (m, e), s in decisions(settings, base).items())
    tables = [(z, name) for z, name, _ in inputs(catalog, base)]
    return fingerprint(settings, lake, tables, extra=extra)


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

        @task.sensor(
            task_id="inputs_settled",
            mode="reschedule",
            poke_interval=SETTLE_POKE_SECONDS,
            timeout=SETTLE_TIMEOUT_SECONDS,
            soft_fail=True,
        )
        def inputs_settled():
            """Wait while a dataset this base reads is being standardized (its run queued or
            running): the events of files delivered together then cause one build, and the
            events that arrive meanwhile one more run at most (which finds nothing new)."""
            from airflow.sdk import PokeReturnValue
            from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

            from jutong.lake import Lake
            from spark_jobs.standardize import pending_batches

            settings = get_settings()

            def active_runs(dag_id: str) -> int:
                return RuntimeTaskInstance.get_dr_count(dag_id, states=["queued", "running"])

            busy = being_standardized(
                Lake(settings),
                load_catalog(settings.catalog_dir),
                base,
                pending_batches,
                active_runs,
            )
            if busy:
                print(f"base.{base.value} waits for standardize of {', '.join(busy)}")
            return PokeReturnValue(is_done=not busy)

        @task(task_id="build", outlets=[base_asset(base)])
        def build() -> dict:
            from airflow.sdk import get_current_context
            from airflow.sdk.exceptions import AirflowSkipException

            from jutong.lake import Lake
            from jutong.orchestration.freshness import is_current, mark_built
            from spark_jobs.base.run import run_build
            from spark_jobs.standardize import pending_batches

            settings = get_settings()
            lake = Lake(settings)
            output = [(Zone.base, base.value)]
            catalog = load_catalog(settings.catalog_dir)
            fp = inputs_fingerprint(settings, catalog, base, lake)
            if is_current(lake, output, fp):
                # nothing new since the current build: no build, no Asset event
                raise AirflowSkipException(f"base.{base.value} is current: no input changed")
            waiting = waiting_inputs(lake, catalog, base, pending_batches)
            if waiting:
                raise AirflowSkipException(
                    f"base.{base.value} waits for standardize of {', '.join(waiting)} (raw "
                    "batches not taken yet); that run's Asset event triggers this build again"
                )
            run = get_current_context()["dag_run"]
            when = run.logical_date or run.run_after or dt.datetime.now(dt.UTC)
            summary = run_build(settings, base, when.date(), progress=print)
            mark_built(lake, output, fp)
            return summary

        inputs_settled() >> build()
    return dag


def build_all() -> dict[str, object]:
    catalog = load_catalog(get_settings().catalog_dir)
    dags = (build_base_dag(b, catalog) for b in BASES)
    return {d.dag_id: d for d in dags}
