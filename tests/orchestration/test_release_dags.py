"""Release DAGs: one per definition, scheduled on its base table's Asset (their runs:
tests/orchestration/test_dag_runs.py)."""

import json
import subprocess
import sys

import pytest

from jutong.catalog.releases import load_definitions
from jutong.orchestration.runner import airflow_environ

pytestmark = pytest.mark.airflow


def test_one_release_dag_per_definition_scheduled_on_the_base_asset(new_settings, tmp_path):
    s = new_settings(tmp_path / "home")
    code = """
import json
from airflow.dag_processing.dagbag import DagBag
from jutong.settings import get_settings
bag = DagBag(dag_folder=str(get_settings().dags_dir))
out = {}
for dag_id, dag in bag.dags.items():
    if dag_id.startswith("release__"):
        out[dag_id] = {
            "schedule": type(dag.timetable).__name__,
            "assets": sorted(a.name for a in dag.timetable.asset_condition.objects),
            "outlets": sorted(a.name for t in dag.tasks for a in t.outlets),
            "retries": sorted({t.retries for t in dag.tasks}),
        }
print(json.dumps({"errors": dict(bag.import_errors), "dags": out}))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=airflow_environ(s),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    assert info["errors"] == {}
    dags = info["dags"]
    assert set(dags) == {f"release__{rid}" for rid in load_definitions(s)}
    q = dags["release__qiye_registrations"]
    assert q["schedule"] == "AssetTriggeredTimetable"
    assert q["assets"] == ["base.legal_entity"]
    assert q["outlets"] == ["release.qiye_registrations"]
    assert dags["release__population_by_county_sex_age"]["assets"] == ["base.population"]
