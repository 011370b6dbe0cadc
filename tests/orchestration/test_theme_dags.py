"""The build__themes DAG run through real Airflow (dag.test in a subprocess) on the tiny lake of
tests/themes: prepare, one cosmos task per dbt model, publish. An e2e test (one Airflow
start-up; the theme build itself is tested in tests/themes, the DAG's shape in
test_theme_cosmos.py, its schedule in test_asset_schedules.py)."""

import datetime as dt

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
    assert sum(t.startswith("dbt.") for t in again.skipped_tasks) == len(
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
