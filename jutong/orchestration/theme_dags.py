"""The theme-database DAG ``build__themes`` (GX-Reg art. 23; GX-Dispatch art. 25-26).

Scheduled on the base databases' Assets (any rebuild of one triggers it) and on the register
tables the themes read; one task calls ``jutong.themes.build.build_themes`` — dbt build as
the audit, every mart published to the ``theme`` zone as one unit — and emits one Asset per
mart (``theme.<mart>``), on which release DAGs may be scheduled. A refused build (a failing
dbt test, a missing table, a mart column without a masking policy) fails the task without
retries: retrying changes nothing.

The marts are the dbt project's (``models/marts``), read from its YAML at parse time: no dbt
run happens when Airflow parses the DAG. (The issue's astronomer-cosmos rendering, one task
per model, is not used: cosmos runs dbt against the warehouse directly, while here the
marts must reach the lake through write-audit-publish after the whole build passed.)
"""

from __future__ import annotations

import datetime as dt

from jutong.catalog.model import BASES
from jutong.lake import Zone
from jutong.orchestration.assets import table_asset
from jutong.orchestration.ingest_dags import DEFAULT_ARGS, START
from jutong.settings import get_settings

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


def build_themes_dag(settings):
    from airflow.sdk import DAG, AssetAny, task

    with DAG(
        dag_id=DAG_ID,
        description="Build the theme databases (主题库) with dbt and publish them",
        schedule=AssetAny(*consumed()),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["build", "theme", "dbt"],
        doc_md=(
            "### Build the theme databases (主题库)\n\n"
            "dbt build (unit tests, models, data tests) on the lake's current snapshots; the "
            "tests are the audit: when one fails nothing is published. Every mart is then "
            "published to the `theme` zone by write-audit-publish, all as one unit; dbt docs "
            "go to `lake/theme/dbt_docs/`. See docs/themes.md."
        ),
    ) as dag:

        @task(task_id="build", outlets=mart_assets(settings))
        def build() -> dict:
            from airflow.sdk import get_current_context
            from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

            from jutong.lake import Lake
            from jutong.orchestration.freshness import fingerprint, is_current, mark_built
            from jutong.themes.build import ThemeBuildError, build_themes

            settings = get_settings()
            lake = Lake(settings)
            run = get_current_context()["dag_run"]
            when = run.logical_date or run.run_after or dt.datetime.now(dt.UTC)
            outputs = [(Zone.theme, m) for m in mart_names_of(settings)]
            # the marts' ages and windows are counted on the build day: a new day builds anew
            fp = fingerprint(
                settings,
                lake,
                input_tables(),
                extra={"as_of": when.date().isoformat(), "project": project_digest(settings)},
            )
            if is_current(lake, outputs, fp):
                raise AirflowSkipException("themes are current: no input changed")
            try:
                res = build_themes(settings, as_of=when.date(), lake=lake, progress=print)
            except ThemeBuildError as err:
                raise AirflowFailException(str(err)) from err
            mark_built(lake, outputs, fp)
            # column lineage from the SQL this build compiled (meta.lineage; 可溯,
            # GX-Dispatch art. 42): no second dbt compile. The marts are published by now:
            # a lineage that cannot be derived is reported, not a failed build (a retry
            # would find the themes current and skip)
            from jutong.lineage.derive import publish_lineage
            from jutong.themes.project import theme_dir

            try:
                edges, _ = publish_lineage(
                    settings,
                    manifest_path=theme_dir(settings) / "_dbt" / "target" / "manifest.json",
                    as_of=res.as_of,
                )
                print(f"meta.lineage: {edges} edges")
            except Exception as err:  # noqa: BLE001 - reported; `jutong lineage build` redoes it
                print(f"WARNING meta.lineage not published ({err}); run `jutong lineage build`")
            return res.as_dict()

        build()
    return dag


def build_all() -> dict[str, object]:
    dag = build_themes_dag(get_settings())
    return {dag.dag_id: dag}
