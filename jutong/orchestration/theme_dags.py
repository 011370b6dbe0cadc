"""The theme-database DAG ``build__themes`` (GX-Reg art. 23; GX-Dispatch art. 25-26).

Scheduled on the base databases' Assets (any rebuild of one triggers it) and on the register
tables the themes read. Three steps:

- ``prepare`` skips the run when no input changed (``jutong.orchestration.freshness``), checks
  the lake's source tables and the marts' masking policies, and exposes the current snapshots
  as views in a scratch DuckDB file (``jutong.themes.build.prepare_for_tasks``);
- ``dbt``, the project rendered as a task group by **astronomer-cosmos** in watcher mode: one
  ``dbt build`` of every model (the producer), one task per model reporting that model's
  result, in the project's dependency order, then one ``dbt test`` of the whole project —
  the tests are the audit;
- ``publish`` (only when the build and every test passed) writes every mart to the ``theme`` zone by
  write-audit-publish as one unit, the dbt docs into the lake, and emits one Asset per mart
  (``theme.<mart>``), on which release DAGs may be scheduled.

A refused build (a failing dbt test, a missing table, a mart column without a masking
policy) fails its task without retries — retrying changes nothing — and publishes nothing.
Cosmos reads the project's files itself (``LoadMode.CUSTOM``): no dbt run when Airflow parses
the DAG. ``jutong themes build`` does the same in one process (``build_themes``).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from jutong.catalog.model import BASES
from jutong.lake import Zone
from jutong.orchestration.assets import table_asset
from jutong.orchestration.ingest_dags import DEFAULT_ARGS, START
from jutong.settings import get_settings
from jutong.telemetry import NO_TELEMETRY

DAG_ID = "build__themes"


def input_tables() -> list[tuple[Zone, str]]:
    """The tables the themes are built from: the base databases, and the registers' staging
    tables they read (``jutong.themes.sources``)."""
    from jutong.themes.sources import TABLES

    registers = [t for t in TABLES if t.zone is Zone.staging]
    return [*[(Zone.base, b.value) for b in BASES], *[(Zone.staging, t.name) for t in registers]]


def consumed() -> list:
    """The Assets of ``input_tables``."""
    return [table_asset(z, name) for z, name in input_tables()]


def mart_names_of(settings) -> list[str]:
    from jutong.themes.policies import mart_names
    from jutong.themes.project import project_dir

    return mart_names(project_dir(settings))


def project_digest(settings) -> str:
    """SHA-256 over the dbt project's models, macros and tests (a changed model builds anew)."""
    import hashlib

    from jutong.themes.project import project_dir

    root = project_dir(settings)
    h = hashlib.sha256()
    for sub in ("models", "macros", "tests", "dbt_project.yml"):
        paths = [root / sub] if (root / sub).is_file() else sorted((root / sub).rglob("*"))
        for path in paths:
            if path.is_file():
                h.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + path.read_bytes())
    return h.hexdigest()


def mart_assets(settings) -> list:
    return [table_asset(Zone.theme, m) for m in mart_names_of(settings)]


AIRFLOW_PROFILE = Path("profiles") / "airflow" / "profiles.yml"  # under the dbt project


def as_of_of(run) -> dt.date:
    """The day a run builds for: its logical date, else when it was due (Asset-triggered)."""
    when = run.logical_date or run.run_after or dt.datetime.now(dt.UTC)
    return when.date()


def dbt_task_group(settings, group_id: str = "dbt"):
    """The dbt project as an Airflow task group (astronomer-cosmos, watcher mode): one
    ``dbt build`` of every model (the producer task), one task per model that reports that
    model's result as the build reached it, in the project's dependency order, then one
    ``dbt test`` of the whole project — unit tests, each model's data tests and the tests
    between models; all on the scratch DuckDB of the prepare task. No dataset of cosmos's own
    (the publish task emits the marts' Assets).

    Watcher mode instead of one ``dbt build --select <model>`` per task: dbt starts twice per
    run instead of once per model (the demo's 17 models: ~25 s of dbt start-ups)."""
    from cosmos import (
        DbtTaskGroup,
        ExecutionConfig,
        ProfileConfig,
        ProjectConfig,
        RenderConfig,
    )
    from cosmos.constants import (
        ExecutionMode,
        InvocationMode,
        LoadMode,
        TestBehavior,
    )

    from jutong.themes.project import PROFILE, project_dir

    project = project_dir(settings)
    group = DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt_project_path=project,
            # the name dbt gives the nodes (cosmos would take the folder's): the producer
            # reports each model under its dbt unique id, the model tasks look it up
            project_name=project_name(project),
            install_dbt_deps=False,
        ),
        profile_config=ProfileConfig(
            profile_name=PROFILE,
            target_name="lake",
            profiles_yml_filepath=project / AIRFLOW_PROFILE,
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER,
            invocation_mode=InvocationMode.DBT_RUNNER,
            # the environment's dbt, whatever the PATH of the Airflow process
            dbt_executable_path=str(Path(sys.executable).parent / "dbt"),
        ),
        render_config=RenderConfig(
            # cosmos reads the project's files itself: no dbt run (and no Airflow database)
            # when Airflow parses the DAG
            load_method=LoadMode.CUSTOM,
            # the producer builds the models; one test task after all of them runs every
            # test (a test between two models needs both)
            test_behavior=TestBehavior.AFTER_ALL,
            emit_datasets=False,
        ),
        operator_args=_dbt_operator_args(settings),
    )
    _wire_watcher(group)
    return group


def project_name(project: Path) -> str:
    """The dbt project's name (``name:`` of its ``dbt_project.yml``)."""
    import yaml

    return yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8"))["name"]


def _wire_watcher(group) -> None:
    """Cosmos makes the producer upstream of the model tasks only in a ``DbtDag``; in a task
    group they would poll (or defer) while it runs, and ``dag.test()`` — one task at a time —
    could run a model's task before the producer. Here the producer comes first, the model
    tasks without a model upstream follow it, and the test task follows every model's task
    (cosmos leaves it beside them).

    A root model's task runs also when the build failed (``none_skipped``): each model task
    then says whether its model was built or failed; a skipped build (prepare found the themes
    current) skips them all."""
    from cosmos.constants import PRODUCER_WATCHER_TASK_ID
    from cosmos.operators.local import DbtTestLocalOperator
    from cosmos.operators.watcher import DbtConsumerWatcherSensor

    tasks = list(group.children.values())
    producer = next(t for t in tasks if t.task_id.endswith(f".{PRODUCER_WATCHER_TASK_ID}"))
    models = [t for t in tasks if isinstance(t, DbtConsumerWatcherSensor)]
    tests = [t for t in tasks if isinstance(t, DbtTestLocalOperator)]
    ids = {t.task_id for t in models}
    for task in models:
        if not task.upstream_task_ids & ids:
            producer >> task
            task.trigger_rule = "none_skipped"
    for test in tests:
        for task in models:
            if not task.downstream_task_ids & ids:
                task >> test


def _dbt_operator_args(settings) -> dict:
    from jutong.themes.build import airflow_database

    return {
        "install_deps": False,
        "append_env": True,
        "env": {"JUTONG_THEMES_DATABASE": str(airflow_database(settings)), **NO_TELEMETRY},
        "vars": {"as_of": "{{ ti.xcom_pull(task_ids='prepare') }}"},
        "retries": 0,
    }


def build_themes_dag(settings):
    from airflow.sdk import DAG, AssetAny, task

    with DAG(
        dag_id=DAG_ID,
        description="Build the theme databases (主题库) with dbt and publish them",
        schedule=AssetAny(*consumed()),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        # the dbt tasks write one DuckDB file: they run one after another
        max_active_tasks=1,
        default_args=DEFAULT_ARGS,
        tags=["build", "theme", "dbt"],
        doc_md=(
            "### Build the theme databases (主题库)\n\n"
            "`prepare` exposes the lake's current snapshots to a scratch DuckDB (skipped when "
            "no input changed); the `dbt` task group (astronomer-cosmos) builds each model and "
            "runs its unit and data tests, one task per model; the tests are the audit: when "
            "one fails nothing is published. `publish` then writes every mart to the `theme` "
            "zone by write-audit-publish, all as one unit, and the dbt docs to "
            "`lake/theme/dbt_docs/`. See docs/themes.md."
        ),
    ) as dag:

        @task(task_id="prepare")
        def prepare() -> str:
            from airflow.sdk import get_current_context
            from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

            from jutong.lake import Lake
            from jutong.orchestration.freshness import is_current
            from jutong.themes.build import ThemeBuildError, prepare_for_tasks
            from jutong.themes.sources import missing_bases

            settings = get_settings()
            lake = Lake(settings)
            as_of = as_of_of(get_current_context()["dag_run"])
            outputs = [(Zone.theme, m) for m in mart_names_of(settings)]
            if is_current(lake, outputs, _fingerprint(settings, lake, as_of)):
                raise AirflowSkipException("themes are current: no input changed")
            # triggered by the first base (or register) published while others are still
            # being built: wait for them — their own Asset events trigger the themes again
            waiting = missing_bases(lake)
            if waiting:
                raise AirflowSkipException(
                    f"waiting for {len(waiting)} base table(s) not built yet: " + ", ".join(waiting)
                )
            try:
                prepare_for_tasks(settings, lake)
            except ThemeBuildError as err:
                raise AirflowFailException(str(err)) from err
            return as_of.isoformat()

        @task(task_id="publish", outlets=mart_assets(settings))
        def publish() -> dict:
            from airflow.sdk import get_current_context

            from jutong.lake import Lake
            from jutong.orchestration.freshness import mark_built
            from jutong.themes.build import publish_from_tasks

            settings = get_settings()
            lake = Lake(settings)
            as_of = as_of_of(get_current_context()["dag_run"])
            # taken before the publish: an input changed meanwhile makes the next run build
            fp = _fingerprint(settings, lake, as_of)
            res = publish_from_tasks(settings, lake, as_of)
            mark_built(lake, [(Zone.theme, m) for m in res.marts], fp)
            # column lineage from the SQL this build compiled (meta.lineage; 可溯,
            # GX-Dispatch art. 42): no second dbt compile. The marts are published by now:
            # a lineage that cannot be derived is reported, not a failed build (a retry
            # would find the themes current and skip)
            from jutong.lineage.derive import publish_lineage
            from jutong.themes.build import airflow_database

            try:
                edges, _ = publish_lineage(
                    settings,
                    manifest_path=airflow_database(settings).parent / "target" / "manifest.json",
                    as_of=res.as_of,
                )
                print(f"meta.lineage: {edges} edges")
            except Exception as err:  # noqa: BLE001 - reported; `jutong lineage build` redoes it
                print(f"WARNING meta.lineage not published ({err}); run `jutong lineage build`")
            return res.as_dict()

        prepare() >> dbt_task_group(settings) >> publish()
    return dag


def _fingerprint(settings, lake, as_of: dt.date) -> str:
    """The inputs' fingerprint; the marts' ages and windows are counted on the build day, so
    a new day builds anew, as does a changed dbt project."""
    from jutong.orchestration.freshness import fingerprint

    return fingerprint(
        settings,
        lake,
        input_tables(),
        extra={"as_of": as_of.isoformat(), "project": project_digest(settings)},
    )


def build_all() -> dict[str, object]:
    dag = build_themes_dag(get_settings())
    return {dag.dag_id: dag}
