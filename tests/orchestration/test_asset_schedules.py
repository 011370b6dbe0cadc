"""The Asset-scheduled DAGs, read from one DagBag parse in a subprocess: one release DAG per
definition, scheduled on its base table's Asset; ``build__themes`` scheduled on the base and
register Assets, emitting one Asset per mart. (Their runs: tests/orchestration/
test_dag_runs.py, and tests/orchestration/test_theme_dags.py in the e2e stage.)"""

import json
import subprocess
import sys

import pytest

from jutong.catalog.releases import load_definitions
from jutong.orchestration.runner import airflow_environ
from jutong.themes.policies import mart_names
from jutong.themes.project import CHECKOUT_PROJECT

pytestmark = pytest.mark.airflow

CODE = """
import json
from airflow.dag_processing.dagbag import DagBag
from jutong.settings import get_settings
bag = DagBag(dag_folder=str(get_settings().dags_dir))
out = {}
for dag_id, dag in bag.dags.items():
    if dag_id.startswith("release__") or dag_id == "build__themes":
        out[dag_id] = {
            "schedule": type(dag.timetable).__name__,
            "assets": sorted(a.name for a in dag.timetable.asset_condition.objects),
            "outlets": sorted(a.name for t in dag.tasks for a in t.outlets),
            "retries": sorted({t.retries for t in dag.tasks}),
            "tags": sorted(dag.tags),
        }
print(json.dumps({"errors": dict(bag.import_errors), "dags": out}))
"""


@pytest.fixture(scope="module")
def dags(new_settings, tmp_path_factory):
    s = new_settings(tmp_path_factory.mktemp("schedules") / "home")
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
    return s, info["dags"]


def test_one_release_dag_per_definition_scheduled_on_the_base_asset(dags):
    s, found = dags
    releases = {d: v for d, v in found.items() if d.startswith("release__")}
    assert set(releases) == {f"release__{rid}" for rid in load_definitions(s)}
    q = releases["release__qiye_registrations"]
    assert q["schedule"] == "AssetTriggeredTimetable"
    assert q["assets"] == ["base.legal_entity"]
    assert q["outlets"] == ["release.qiye_registrations"]
    assert releases["release__population_by_county_sex_age"]["assets"] == [
        "theme.pop_registered_by_county_sex_age"
    ]


def test_themes_scheduled_on_the_base_assets_emitting_one_asset_per_mart(dags):
    dag = dags[1]["build__themes"]
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
