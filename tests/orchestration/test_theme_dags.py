"""The build__themes DAG through real Airflow (DagBag and dag.test in a subprocess) on the
tiny lake of tests/themes."""

import datetime as dt
import json
import subprocess
import sys

import pytest

from jutong.lake import Lake, Zone
from jutong.orchestration.runner import airflow_environ, run_dags
from jutong.themes.policies import mart_names
from jutong.themes.project import CHECKOUT_PROJECT
from tests.themes import tiny_lake

pytestmark = pytest.mark.airflow

CODE = """
import json
from airflow.dag_processing.dagbag import DagBag
from jutong.settings import get_settings
bag = DagBag(dag_folder=str(get_settings().dags_dir))
dag = bag.dags.get("build__themes")
out = None if dag is None else {
    "schedule": type(dag.timetable).__name__,
    "assets": sorted(a.name for a in dag.timetable.asset_condition.objects),
    "outlets": sorted(a.name for t in dag.tasks for a in t.outlets),
    "tags": sorted(dag.tags),
}
print(json.dumps({"errors": dict(bag.import_errors), "dag": out}))
"""


def test_scheduled_on_the_base_assets_emitting_one_asset_per_mart(new_settings, tmp_path):
    s = new_settings(tmp_path / "home")
    proc = subprocess.run(
        [sys.executable, "-c", CODE],
        env=airflow_environ(s),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    assert info["errors"] == {}
    dag = info["dag"]
    assert dag["schedule"] == "AssetTriggeredTimetable"
    assert dag["assets"] == [
        "base.e_license",
        "base.legal_entity",
        "base.population",
        "base.spatial",
        "staging.minzheng__hunyin",
        "staging.renshe__shebao",
    ]
    assert dag["outlets"] == [f"theme.{m}" for m in mart_names(CHECKOUT_PROJECT)]
    assert "theme" in dag["tags"]


def test_the_dag_builds_and_publishes_the_marts(new_settings, tmp_path):
    s = new_settings(tmp_path / "home")
    tiny_lake.build_lake(Lake(s))
    log = tmp_path / "themes.log"
    (result,) = run_dags(s, ["build__themes"], log)
    assert result.state == "success", (result, log.read_text(encoding="utf-8")[-3000:])
    lake = Lake(s)
    assert lake.tables(Zone.theme) == mart_names(CHECKOUT_PROJECT)
    rows = lake.table(Zone.theme, "nr_parcels_holder_not_found").scan().to_arrow().to_pylist()
    assert [r["parcel_code"] for r in rows] == ["X3"]
    # ages and expiry are computed for the run's logical date (now, for dag.test)
    snap = lake.table(Zone.theme, "mkt_licences_expiring").current_snapshot()
    as_of = dt.date.fromisoformat(snap.summary.additional_properties["jutong.as_of"])
    assert abs((as_of - dt.datetime.now(dt.UTC).date()).days) <= 1
