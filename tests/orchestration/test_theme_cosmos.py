"""build__themes as astronomer-cosmos renders it (issue 17 item 4): prepare, one dbt task per
model in the project's dependency order, the tests between models, publish; the dbt tasks' profile is the command-line
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


def test_one_dbt_task_per_model_between_prepare_and_publish(dag):
    dbt_tasks = {t.task_id: t for t in dag.tasks if t.task_id.startswith("dbt.")}
    assert sorted(dbt_tasks) == sorted(f"dbt.{m}_model_build" for m in MODELS)
    for model in MODELS:
        task = dbt_tasks[f"dbt.{model}_model_build"]
        upstream = task.upstream_task_ids
        refs = _refs(model)
        # dependencies follow ref(); models reading only sources wait for prepare
        assert upstream == ({f"dbt.{r}_model_build" for r in refs} if refs else {"prepare"})
        assert type(task).__name__ == "DbtBuildLocalOperator"  # model + its unit/data tests
        # only the model's own tests: a test between two models would fail before both exist
        assert task.indirect_selection == "cautious"
    across = dag.get_task("dbt_tests_across_models")
    leaves = {t for t, op in dbt_tasks.items() if not op.downstream_task_ids - {across.task_id}}
    assert across.upstream_task_ids == leaves
    assert type(across).__name__ == "DbtTestLocalOperator" and across.select == ["test_type:data"]
    publish = dag.get_task("publish")
    assert publish.upstream_task_ids == {across.task_id}
    # a failed dbt task publishes nothing (the tests are the audit) and is not retried
    assert str(publish.trigger_rule) in ("all_success", "TriggerRule.ALL_SUCCESS")
    assert {t.retries for t in dbt_tasks.values()} == {0} and across.retries == 0
    assert dag.get_task("prepare").retries >= 1 and publish.retries >= 1  # lake hiccups
    assert {o.name for o in publish.outlets} == {f"theme.{m}" for m in mart_names(CHECKOUT_PROJECT)}
    assert dag.max_active_tasks == 1  # the dbt tasks share one DuckDB file


def test_the_dbt_tasks_build_on_the_prepare_tasks_database(dag, tmp_path):
    task = dag.get_task("dbt.stg_base__persons_model_build")
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
