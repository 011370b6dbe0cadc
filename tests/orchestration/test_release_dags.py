"""Release DAGs through real Airflow (dag.test in a subprocess) on a tiny real Iceberg lake."""

import datetime as dt
import json
import subprocess
import sys

import pytest

from jutong.catalog.releases import load_definitions
from jutong.governance import releases as G
from jutong.lake import Lake
from jutong.orchestration.runner import airflow_environ, run_dags

pytestmark = pytest.mark.airflow


def _tables():
    """The tiny base tables of tests/masking/test_release.py."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "masking" / "test_release.py"
    spec = importlib.util.spec_from_file_location("_release_tables", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.org_rows(30), mod.population_rows(120)


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


def test_release_dags_build_the_releases(new_settings, tmp_path):
    s = new_settings(tmp_path / "home")
    orgs, people = _tables()
    lake = Lake(s)
    lake.ensure_table("base", "legal_entity", orgs.schema).append(orgs)
    lake.ensure_table("base", "population", people.schema).append(people)
    ids = ["release__qiye_registrations", "release__population_by_county_sex_age"]
    results = {r.dag_id: r for r in run_dags(s, ids, tmp_path / "release.log")}
    for dag_id in ids:
        assert results[dag_id].state == "success", (results[dag_id], (tmp_path / "release.log"))
    assert G.is_served(s, "qiye_registrations")
    path = G.serve_path(s, "population_by_county_sex_age", file="metadata.json")
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert meta["dcat:version"] == "v1"
    assert G.events(s, "qiye_registrations")[0]["actor"] == "airflow"
    assert dt.date.fromisoformat(
        json.loads(G.serve_path(s, "qiye_registrations", file="report.json").read_text())["as_of"]
    )
