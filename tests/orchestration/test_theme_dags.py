"""The build__themes DAG run through real Airflow (dag.test in a subprocess) on the tiny lake of
tests/themes: prepare, cosmos's dbt build and one task per dbt model, every test, publish. An e2e test (one Airflow
start-up; the theme build itself is tested in tests/themes, the DAG's shape in
test_theme_cosmos.py, its schedule in test_asset_schedules.py)."""

import datetime as dt
import shutil

import pytest

from jutong.lake import Lake, Zone
from jutong.orchestration.runner import run_dags
from jutong.themes.policies import mart_names
from jutong.themes.project import CHECKOUT_PROJECT
from tests.themes import tiny_lake

pytestmark = [pytest.mark.airflow, pytest.mark.e2e]


def test_the_dag_builds_and_publishes_the_marts(new_settings, tmp_path):
    s = new_settings(tmp_path / "home")
    tiny_lake.build_lake(Lake(s))
    log = tmp_path / "themes.log"
    # twice: the second run finds nothing new, skips and emits no Asset event (no storm)
    result, again = run_dags(s, ["build__themes", "build__themes"], log)
    assert result.state == "success", (result, log.read_text(encoding="utf-8")[-3000:])
    assert result.asset_events == len(mart_names(CHECKOUT_PROJECT))
    # the second run: prepare skips, and with it every dbt task and the publish
    assert (again.state, again.asset_events) == ("success", 0)
    assert {"prepare", "publish"} <= set(again.skipped_tasks)
    assert sum(t.endswith("_run") for t in again.skipped_tasks) == len(
        list((CHECKOUT_PROJECT / "models").rglob("*.sql"))
    )
    lake = Lake(s)
    assert lake.tables(Zone.theme) == mart_names(CHECKOUT_PROJECT)
    rows = lake.table(Zone.theme, "nr_parcels_holder_not_found").scan().to_arrow().to_pylist()
    assert [r["parcel_code"] for r in rows] == ["X3"]
    # ages and expiry are computed for the run's logical date (now, for dag.test)
    snap = lake.table(Zone.theme, "mkt_licences_expiring").current_snapshot()
    as_of = dt.date.fromisoformat(snap.summary.additional_properties["jutong.as_of"])
    assert abs((as_of - dt.datetime.now(dt.UTC).date()).days) <= 1
    # the column lineage of the SQL this build compiled is published with it (meta.lineage),
    # the same edges `jutong lineage build` derives (a dbt compile of its own)
    from jutong.lineage.derive import derive_for
    from jutong.lineage.store import read_lineage, write_lineage

    edges = read_lineage(lake)
    assert edges and any(e.target.startswith("theme.mkt_licences_expiring.") for e in edges)
    assert write_lineage(lake, derive_for(s)) == (len(edges), False)


def test_a_failed_model_or_test_fails_its_task_and_publishes_nothing(new_settings, tmp_path):
    """One dbt build for all models (cosmos's watcher mode) still says which model failed:
    its task fails, the other models' tasks pass, nothing is published. A failing data test
    fails the test task after the models, and nothing is published either."""
    s = new_settings(tmp_path / "home")
    lake = Lake(s)
    tiny_lake.build_lake(lake)
    project = s.home / "dbt_project"  # the home's own project (jutong.themes.project)
    shutil.copytree(CHECKOUT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    model = next((project / "models").rglob("mkt_licences_expiring.sql"))
    good_sql = model.read_text(encoding="utf-8")
    model.write_text("select no_such_column from {{ ref('stg_base__licences') }}\n", "utf-8")
    log = tmp_path / "themes.log"
    (broken,) = run_dags(s, ["build__themes"], log)
    assert broken.state == "failed", broken
    assert {"dbt.dbt_producer_watcher", "dbt.mkt_licences_expiring_run"} <= set(broken.failed_tasks)
    assert "publish" in broken.failed_tasks  # upstream failed
    built = [f"dbt.{m}_run" for m in ("stg_base__persons", "pop_registered_by_county_sex_age")]
    assert not set(built) & set(broken.failed_tasks + broken.skipped_tasks)
    assert lake.tables(Zone.theme) == []

    model.write_text(good_sql, "utf-8")
    # expiring within the window of the run's day: fails the mart's accepted_values test
    soon = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)
    bad = tiny_lake.licences(
        [{"license_no": "L9", "holder_kind": "alien", "status": "valid", "valid_until": soon}]
    )
    tiny_lake.write(lake, Zone.base, "e_license", bad)
    (failed_test,) = run_dags(s, ["build__themes"], log)
    assert failed_test.state == "failed", failed_test
    assert set(failed_test.failed_tasks) == {"dbt.dbt_project_test", "publish"}
    assert "accepted_values" in log.read_text(encoding="utf-8")
    assert Lake(s).tables(Zone.theme) == []
