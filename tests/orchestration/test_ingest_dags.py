"""Ingestion through real Airflow (dag.test in a subprocess), real Iceberg, a tiny synthetic province."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml

from jutong.catalog import load_catalog
from jutong.demo import deliver
from jutong.ingest import manifests
from jutong.ingest.status import dataset_status
from jutong.lake import Lake
from jutong.orchestration.runner import airflow_environ, ensure_airflow_db, run_dags
from jutong.synth import generate

pytestmark = pytest.mark.airflow

SETUP = {}


def count_rows(path: Path, entry) -> int:
    fmt = entry.extract.format.value
    if fmt == "csv":
        with open(path, encoding=entry.extract.encoding, newline="") as f:
            return sum(1 for row in csv.reader(f) if row) - 1
    if fmt == "jsonl":
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    ws = openpyxl.load_workbook(path, read_only=True)[entry.extract.sheet]
    return sum(1 for r in ws.iter_rows(values_only=True) if any(c is not None for c in r)) - 1


def in_airflow(settings, code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=airflow_environ(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    out = tmp_path_factory.mktemp("province")
    generate(out, people=300, orgs=60, seed=7)
    return out


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory, new_settings):
    """One migrated Airflow database for the module (copied per test home)."""
    s = new_settings(tmp_path_factory.mktemp("airflow_template"))
    ensure_airflow_db(s)
    return s.airflow_home


@pytest.fixture()
def new_home(tmp_path: Path, airflow_home: Path, new_settings):
    def make():
        s = new_settings(tmp_path / "home")
        shutil.copytree(airflow_home, s.airflow_home)
        return s

    return make


def test_dag_integrity_and_a_new_yaml_adds_a_dag(new_home):
    s = new_home()
    # a new dataset: one YAML file, no code
    src = s.catalog_dir / "shenpi" / "xuke.yaml"
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    data.update(id="shenpi.jiankang", title="健康证明信息")
    data["base"]["authoritative_for"] = []
    (s.catalog_dir / "shenpi" / "jiankang.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    catalog = load_catalog(s.catalog_dir)

    out = in_airflow(
        s,
        """
import json
from airflow.dag_processing.dagbag import DagBag
from jutong.settings import get_settings
bag = DagBag(dag_folder=str(get_settings().dags_dir))
dags = {}
for dag_id, dag in bag.dags.items():
    dags[dag_id] = {
        "owners": sorted({t.owner for t in dag.tasks}),
        "tags": sorted(dag.tags),
        "retries": sorted({t.retries for t in dag.tasks}),
        "outlets": sorted(a.name for t in dag.tasks for a in t.outlets),
        "schedule": type(dag.timetable).__name__,
    }
print(json.dumps({"errors": {k: v for k, v in bag.import_errors.items()}, "dags": dags}))
""",
    )
    info = json.loads(out.strip().splitlines()[-1])
    assert info["errors"] == {}
    ingest = {k: v for k, v in info["dags"].items() if k.startswith("ingest__")}
    assert set(ingest) == {e.dag_id for e in catalog}
    assert "ingest__shenpi__jiankang" in ingest
    for dag_id, d in info["dags"].items():
        assert d["owners"] and "airflow" not in d["owners"], dag_id
        assert d["tags"], dag_id
        if dag_id == "build__themes":
            # its dbt tasks (cosmos) fail without retries: a failed dbt test fails again;
            # prepare and publish retry (tests/orchestration/test_theme_cosmos.py)
            assert d["retries"] == [0, 2], d
        else:
            assert min(d["retries"]) >= 1, dag_id
    for e in catalog:
        assert ingest[e.dag_id]["outlets"] == [f"raw.{e.table_name}"]
        assert e.department in ingest[e.dag_id]["tags"]
        std = info["dags"][f"standardize__{e.department}__{e.dataset}"]
        assert std["outlets"] == [f"staging.{e.table_name}"]
        assert std["schedule"] == "AssetTriggeredTimetable"  # runs on the raw table's Asset
    # the base databases: one build DAG each, on the Assets they consume, emitting their own
    for base in ("population", "legal_entity", "spatial", "e_license"):
        b = info["dags"][f"build__{base}"]
        assert b["outlets"] == [f"base.{base}"]
        assert b["schedule"] == "AssetTriggeredTimetable"
    releases = [k for k in info["dags"] if k.startswith("release__")]
    governance = {"govern__sla_sweep", "share__deliver"}
    assert governance <= set(info["dags"])
    assert (
        "build__themes" in info["dags"]
    )  # the theme databases (tests/orchestration/test_theme_dags.py)
    assert len(info["dags"]) == 2 * len(catalog) + 4 + 1 + len(releases) + len(governance)


def test_a_broken_catalog_is_an_import_error_naming_the_file(new_home):
    s = new_home()
    (s.catalog_dir / "gongan" / "huji.yaml").write_text("id: gongan.huji\n", encoding="utf-8")
    out = in_airflow(
        s,
        "from airflow.dag_processing.dagbag import DagBag\nfrom jutong.settings import get_settings\n"
        "bag = DagBag(dag_folder=str(get_settings().dags_dir))\nprint(list(bag.import_errors.values()))",
    )
    assert "huji.yaml: title: Field required" in out


def _check_openlineage(s) -> None:
    """The OpenLineage file of these runs (docs/lineage.md): a failed run ends with FAIL; an
    ingest task reads its landing folder and writes its raw table, with the column lineage
    from the department's headers."""
    path = s.openlineage_events_dir / "events.jsonl"
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    runs = {}
    for e in events:
        if "." not in e["job"]["name"]:
            runs.setdefault(e["job"]["name"], []).append(e["eventType"])
    assert runs["ingest__gongan__huji"] == ["START", "FAIL"]
    assert runs["ingest__minzheng__hunyin"] == ["START", "COMPLETE"]
    done = [
        e
        for e in events
        if e["job"]["name"].startswith("ingest__minzheng__hunyin.ingest")
        and e["eventType"] == "COMPLETE"
    ]
    assert done
    [landing] = done[0]["inputs"]
    assert landing["name"] == str(s.landing_dir / "minzheng" / "hunyin")
    [raw] = done[0]["outputs"]
    assert (raw["namespace"], raw["name"]) == ("iceberg://jutong", "raw.minzheng__hunyin")
    [field] = raw["facets"]["columnLineage"]["fields"]["male_id_number"]["inputFields"]
    assert (field["name"], field["field"]) == ("extract.minzheng__hunyin", "男方身份证号")


@pytest.mark.e2e
def test_extracts_land_through_airflow_and_redelivery_adds_nothing(tmp_path, new_home, province):
    s = new_home()
    catalog = load_catalog(s.catalog_dir)
    delivered = deliver(s, province, with_broken=True)  # includes a re-send missing 住所
    expected = {}
    for e in catalog:
        files = sorted((province / "extracts" / e.department / e.dataset).iterdir())
        expected[e.id] = sum(count_rows(f, e) for f in files)
    assert all(n > 0 for n in expected.values())
    # and a corrupted household-register file: bytes that are not GBK
    good = next((s.landing_dir / "gongan" / "huji").glob("*.csv"))
    corrupt = good.with_name("huji_corrupt.csv")
    corrupt.write_bytes(good.read_bytes()[:300] + b"\xff\xfe\xfd" + good.read_bytes()[300:600])

    log = tmp_path / "run1.log"
    results = {r.dag_id: r for r in run_dags(s, [e.dag_id for e in catalog], log)}
    assert results["ingest__gongan__huji"].state == "failed"
    assert results["ingest__shichang__qiye"].state == "failed"
    ok = {k for k, r in results.items() if r.state == "success"}
    assert ok == {e.dag_id for e in catalog} - {"ingest__gongan__huji", "ingest__shichang__qiye"}
    text = log.read_text(encoding="utf-8")
    assert "huji_corrupt.csv" in text and "not valid gbk" in text
    assert "_resend.csv: header: missing column(s) '住所'" in text

    lake = Lake(s)
    status = {st.dataset: st for st in dataset_status(s, catalog)}
    for e in catalog:
        rows = (
            lake.table("raw", e.table_name)
            .scan(selected_fields=("_row_number",))
            .to_arrow()
            .num_rows
        )
        assert rows == expected[e.id], e.id  # Iceberg rows = extract rows
        assert status[e.id].batches == 1 and status[e.id].manifest_rows == rows
    assert status["gongan.huji"].quarantined == 1 and status["shichang.qiye"].quarantined == 1
    assert sum(st.quarantined for st in status.values()) == 2
    assert not any((s.landing_dir).rglob("*.csv")) and not any(s.landing_dir.rglob("*.xlsx"))
    _check_openlineage(s)

    # standardize through Airflow: staging rows = raw rows (two datasets: persons from a GBK
    # CSV, organisations from a CSV; every dataset's standardize is tested without Airflow in
    # tests/spark_jobs and tests/base)
    std = [catalog.get("gongan.huji"), catalog.get("shichang.qiye")]
    results = run_dags(s, [e.standardize_dag_id for e in std], tmp_path / "std.log")
    assert {r.state for r in results} == {"success"}, (tmp_path / "std.log").read_text()[-3000:]
    for e in std:
        staged = (
            lake.table("staging", e.table_name).scan(selected_fields=("_row_number",)).to_arrow()
        )
        assert staged.num_rows == expected[e.id], e.id
    assert all(r.asset_events == 1 and not r.skipped_tasks for r in results)
    # run again with nothing new: skipped before Spark starts, no Asset event (no storm)
    again = run_dags(s, [e.standardize_dag_id for e in std], tmp_path / "std2.log")
    assert [(r.state, r.skipped_tasks, r.asset_events) for r in again] == [
        ("success", ["standardize"], 0)
    ] * len(std)

    # the same extracts delivered again: recognised, no second batch, all runs green
    snapshots = {
        e.id: lake.table("raw", e.table_name).current_snapshot().snapshot_id for e in catalog
    }
    deliver(s, province, with_broken=False)
    results = run_dags(s, [e.dag_id for e in catalog], tmp_path / "run2.log")
    assert {r.state for r in results} == {"success"}
    # a re-sent file emits no Asset event: nothing downstream runs for it
    assert {r.asset_events for r in results} == {0}
    assert all(t.startswith("ingest[") for r in results for t in r.skipped_tasks)
    for e in catalog:
        assert lake.table("raw", e.table_name).current_snapshot().snapshot_id == snapshots[e.id]
        (m,) = manifests(s, e)
        assert len(m.redeliveries) == 1
    assert len(delivered) == len(catalog) + 1
