"""build__themes as astronomer-cosmos renders it (issue 17 item 4; watcher mode, issue 19 item 5):
prepare, one dbt build, one task per model in the project's dependency order, every test, publish; the dbt tasks' profile is the command-line
build's. Parsing only: the DAG runs in test_theme_dags.py (e2e)."""

from __future__ import annotations

import re

import pytest
import yaml

from jutong.orchestration.theme_dags import AIRFLOW_PROFILE, build_themes_dag
from jutong.themes.build import airflow_database
from jutong.themes.policies import mart_names
from jutong.themes.project import CHECKOUT_PROJECT, PROFILE, write_profile

pytestmark = pytest.mark.airflow

MODELS = sorted(p.stem for p in (CHECKOUT_PROJECT / "models").rglob("*.sql"))


@pytest.fixture(scope="module")
def dag(tmp_path_factory, new_settings):
    return build_themes_dag(new_settings(tmp_path_factory.mktemp("cosmos") / "home"))


def _refs(model: str) -> set[str]:
    sql = next((CHECKOUT_PROJECT / "models").rglob(f"{model}.sql")).read_text(encoding="utf-8")
    return set(re.findall(r"ref\(\s*['\"]([\w]+)['\"]\s*\)", sql))


def test_one_build_then_one_task_per_model_then_every_test_then_publish(dag):
    """Cosmos's watcher mode: the producer runs one ``dbt build`` of the models after prepare;
    one task per model reports its model, in the order of ``ref()``; one ``dbt test`` of the
    whole project (unit tests, data tests, tests between models) after every model; publish
    after the build and the tests."""
    tasks = {t.task_id: t for t in dag.tasks}
    producer = tasks["dbt.dbt_producer_watcher"]
    assert type(producer).__name__ == "DbtProducerWatcherOperator"
    assert producer.upstream_task_ids == {"prepare"}
    model_tasks = {t: op for t, op in tasks.items() if t.endswith("_run")}
    assert sorted(model_tasks) == sorted(f"dbt.{m}_run" for m in MODELS)
    for model in MODELS:
        task = model_tasks[f"dbt.{model}_run"]
        refs = _refs(model)
        assert type(task).__name__ == "DbtRunWatcherOperator"
        # dependencies follow ref(); models reading only sources wait for the build
        assert task.upstream_task_ids == (
            {f"dbt.{r}_run" for r in refs} if refs else {producer.task_id}
        )
        if not refs:  # a failed build still says which model failed; a skipped one skips all
            assert str(task.trigger_rule).endswith("none_skipped")
    tests = tasks["dbt.dbt_project_test"]
    assert type(tests).__name__ == "DbtTestLocalOperator"
    leaves = {t for t, op in model_tasks.items() if not op.downstream_task_ids - {tests.task_id}}
    assert tests.upstream_task_ids == leaves and len(leaves) < len(model_tasks)
    assert not tests.select and not tests.exclude  # every test of the project
    publish = dag.get_task("publish")
    assert publish.upstream_task_ids == {tests.task_id, "dbt.dbt_producer_watcher_done"}
    # a failed dbt task publishes nothing (the tests are the audit) and is not retried
    assert str(publish.trigger_rule) in ("all_success", "TriggerRule.ALL_SUCCESS")
    dbt_tasks = [op for op in tasks.values() if type(op).__name__.startswith("Dbt")]
    assert len(dbt_tasks) == len(MODELS) + 2 and {t.retries for t in dbt_tasks} == {0}
    assert dag.get_task("prepare").retries >= 1 and publish.retries >= 1  # lake hiccups
    assert {o.name for o in publish.outlets} == {f"theme.{m}" for m in mart_names(CHECKOUT_PROJECT)}
    assert dag.max_active_tasks == 1  # the dbt tasks share one DuckDB file


def test_the_model_tasks_look_up_dbts_own_node_ids(dag):
    """The producer reports each model under dbt's unique id (``model.<project name>.<model>``);
    cosmos would name the nodes after the project's folder, and every model task would then
    find nothing and pass whatever the build did."""
    from jutong.orchestration.theme_dags import project_name

    name = project_name(CHECKOUT_PROJECT)
    assert name == yaml.safe_load((CHECKOUT_PROJECT / "dbt_project.yml").read_text("utf-8"))["name"]
    assert name != CHECKOUT_PROJECT.name
    task = dag.get_task("dbt.stg_base__persons_run")
    assert task.model_unique_id == f"model.{name}.stg_base__persons"


def test_the_dbt_tasks_build_on_the_prepare_tasks_database(dag, tmp_path):
    task = dag.get_task("dbt.dbt_producer_watcher")
    assert task.env["JUTONG_THEMES_DATABASE"].endswith("_dbt/airflow/themes.duckdb")
    assert task.env["DO_NOT_TRACK"] == "1"
    assert task.vars == {"as_of": "{{ ti.xcom_pull(task_ids='prepare') }}"}


def test_the_tasks_profile_is_the_command_line_builds(tmp_path):
    static = yaml.safe_load((CHECKOUT_PROJECT / AIRFLOW_PROFILE).read_text(encoding="utf-8"))
    written = yaml.safe_load(write_profile(tmp_path, tmp_path / "x.duckdb").read_text("utf-8"))
    a = static[PROFILE]["outputs"]["lake"]
    b = written[PROFILE]["outputs"]["lake"]
    assert a.pop("path") == "{{ env_var('JUTONG_THEMES_DATABASE', ':memory:') }}"
    b.pop("path")
    assert a == b
    assert static[PROFILE]["target"] == written[PROFILE]["target"] == "lake"


def test_the_database_is_under_the_theme_zone(new_settings, tmp_path):
    s = new_settings(tmp_path / "home")
    assert airflow_database(s).is_relative_to(s.lake_root)


def test_a_run_before_every_base_exists_waits_for_them(new_settings, tmp_path):
    """prepare skips (no Asset event) while a base the themes read is not built yet: on the
    scheduler the first base published triggers the themes before the others exist."""
    from jutong.lake import Lake
    from jutong.themes.sources import TABLES, missing_bases
    from tests.themes import tiny_lake

    s = new_settings(tmp_path / "home")
    lake = Lake(s)
    bases = sorted({f"base.{t.name}" for t in TABLES if t.zone.value == "base"})
    assert sorted(missing_bases(lake)) == bases
    tiny_lake.build_lake(lake)
    assert missing_bases(lake) == []
