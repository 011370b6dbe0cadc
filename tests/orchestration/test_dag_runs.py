"""The governance and release DAGs through real Airflow (dag.test in one subprocess for all
four: one Airflow start-up and one DAG-folder parse) on a tiny real Iceberg lake: the
deadline sweep escalates an overdue request, the share delivery delivers a subscribed one,
the release DAGs build the releases, and the audit listener records each task."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

from jutong.governance import releases as G
from jutong.governance.audit import events
from jutong.governance.cases.actors import parse_actor
from jutong.governance.db import dispose_all
from jutong.governance.sharing.requests import request_share
from jutong.lake import Lake
from jutong.orchestration.govern_dags import SHARE_DELIVER_DAG_ID, SLA_SWEEP_DAG_ID
from jutong.orchestration.runner import run_dags

pytestmark = pytest.mark.airflow
RELEASE_DAGS = ["release__qiye_registrations", "release__population_by_county_sex_age"]


def _release_tables():
    """The tiny base tables of tests/masking/test_release.py."""
    path = Path(__file__).resolve().parents[1] / "masking" / "test_release.py"
    spec = importlib.util.spec_from_file_location("_release_tables", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    people = mod.population_rows(120)
    return mod.org_rows(30), people, mod.population_mart(people, mod.AS_OF)


def _staged_and_subscribed(s) -> str:
    """A one-batch staging table whose gate passed, and a subscribed request for it."""
    import pyarrow as pa

    from jutong.governance.cases.engine import fire
    from tests.quality.gate_runs import record_gate

    t = pa.table({"name": ["韦小宝", "李四"], "sex": ["男", "男"], "_batch_id": ["b1", "b1"]})
    Lake(s).ensure_table("staging", "gongan__huji", t.schema).append(t)
    record_gate(s, "gongan.huji", "b1")
    req = parse_actor("周科员:requester_staff@shichang")
    ref = request_share(
        s, actor=req, resource="gongan.huji", items=["姓名", "性别"], purpose="核验"
    ).ref
    for ev, who in (
        ("pass", parse_actor("王审核:bureau_reviewer@dashuju")),
        ("approve", parse_actor("张警官:provider_staff@gongan")),
        ("push", parse_actor("王审核:bureau_reviewer@dashuju")),
        ("subscribe", req),
    ):
        fire(s, ref, ev, actor=who)
    return ref


@pytest.fixture(scope="module")
def ran(new_settings, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dag_runs")
    s = new_settings(tmp / "home")
    orgs, people, mart = _release_tables()
    lake = Lake(s)
    lake.ensure_table("base", "legal_entity", orgs.schema).append(orgs)
    lake.ensure_table("base", "population", people.schema).append(people)
    lake.ensure_table("theme", "pop_registered_by_county_sex_age", mart.schema).append(mart)
    shared = _staged_and_subscribed(s)
    overdue = request_share(
        s,
        actor=parse_actor("李科员:requester_staff@minzheng"),
        resource="gongan.huji",
        items=["姓名"],
        purpose="核查",
        at=dt.datetime.now(dt.UTC) - dt.timedelta(days=10),
    ).ref
    dispose_all()
    log = tmp / "dags.log"
    # the release DAGs twice: the second run finds the same data (no storm, see below)
    seen: list[dict] = []
    runs = run_dags(
        s,
        [SLA_SWEEP_DAG_ID, SHARE_DELIVER_DAG_ID, *RELEASE_DAGS, *RELEASE_DAGS],
        log,
        progress=seen.append,
    )
    s.home.joinpath("progress.json").write_text(json.dumps(seen), encoding="utf-8")
    first = {}
    for r in runs[: -len(RELEASE_DAGS)]:
        first.setdefault(r.dag_id, r)
    return s, first, log, shared, overdue, runs[-len(RELEASE_DAGS) :]


def test_every_dag_run_succeeds_and_each_task_is_audited(ran):
    s, runs, log, *_ = ran
    assert {d: r.state for d, r in runs.items()} == dict.fromkeys(
        [SLA_SWEEP_DAG_ID, SHARE_DELIVER_DAG_ID, *RELEASE_DAGS], "success"
    ), log.read_text(encoding="utf-8")[-3000:]
    # the audit listener (plugins/) recorded each task's hand-over
    tasks = {e.subject for e in events(s, action="airflow.task.success")}
    assert {f"{SLA_SWEEP_DAG_ID}.sweep", f"{SHARE_DELIVER_DAG_ID}.deliver"} <= tasks
    assert {t.split(".")[0] for t in tasks} == set(runs)


def test_sla_sweep_escalates_and_share_deliver_delivers(ran):
    s, _, _, shared, overdue, _ = ran
    assert [e.subject for e in events(s, action="sla.escalate")] == [overdue]
    [delivered] = list(events(s, action="share_request.deliver"))
    assert delivered.subject == shared and delivered.data["rows"]["delivered"] == 2
    assert list((s.lake_root / "reports" / "overdue").glob("*/dashuju.csv"))


def test_progress_is_reported_as_each_run_starts_and_ends(ran):
    s, runs, *_ = ran
    seen = json.loads(s.home.joinpath("progress.json").read_text(encoding="utf-8"))
    total = 2 + 2 * len(RELEASE_DAGS)
    runs_seen = [e for e in seen if e["event"] in ("start", "end")]
    assert [(e["event"], e["index"]) for e in runs_seen] == [
        (ev, i) for i in range(1, total + 1) for ev in ("start", "end")
    ]
    assert all(e["total"] == total for e in seen)
    ends = [e for e in runs_seen if e["event"] == "end"]
    assert ends[0]["dag_id"] == SLA_SWEEP_DAG_ID and ends[0]["state"] == "success"
    assert ends[0]["seconds"] == runs[SLA_SWEEP_DAG_ID].seconds


def test_each_task_is_reported_as_it_ends_between_its_runs_start_and_end(ran):
    """The tasks of a run as they end (the demo's progress bar): between the run's start and
    end, counting up to the run's tasks; a release run with nothing new skips its build."""
    seen = json.loads(ran[0].home.joinpath("progress.json").read_text(encoding="utf-8"))
    current, by_run = None, {}
    for e in seen:
        if e["event"] == "start":
            current = e["index"]
        elif e["event"] in ("task", "step"):
            assert e["index"] == current, e  # only while its run runs
            if e["event"] == "task":
                by_run.setdefault(current, []).append(e)
        else:
            current = None
    sweep = by_run[1]
    assert [(e["dag_id"], e["task_id"], e["state"], e["done"]) for e in sweep] == [
        (SLA_SWEEP_DAG_ID, "sweep", "success", 1)
    ]
    assert sweep[0]["tasks"] == 1
    starts = [e for e in seen if e["event"] == "start"]
    assert starts[0]["tasks"] == 1 and all(e["tasks"] >= 1 for e in starts)
    # every run's tasks counted up one by one, never past its tasks
    for ended in by_run.values():
        assert [e["done"] for e in ended] == list(range(1, len(ended) + 1))
        assert all(e["done"] <= e["tasks"] for e in ended)
    # the second run of a release finds nothing new: its build skips itself
    again = by_run[2 + len(RELEASE_DAGS) + 1]
    assert ("build", "skipped") in {(e["task_id"], e["state"]) for e in again}


def test_a_release_run_with_nothing_new_emits_no_asset_event(ran):
    s, runs, log, _, _, again = ran
    for dag_id in RELEASE_DAGS:
        assert runs[dag_id].asset_events == 1 and not runs[dag_id].skipped_tasks
    assert [(r.dag_id, r.state, r.skipped_tasks, r.asset_events) for r in again] == [
        (dag_id, "success", ["build"], 0) for dag_id in RELEASE_DAGS
    ], log.read_text(encoding="utf-8")[-3000:]
    assert len(G.versions(s, "qiye_registrations")) == 1


def test_release_dags_build_the_releases(ran):
    s = ran[0]
    assert G.is_served(s, "qiye_registrations")
    path = G.serve_path(s, "population_by_county_sex_age", file="metadata.json")
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert meta["dcat:version"] == "v1"
    assert G.events(s, "qiye_registrations")[0]["actor"] == "airflow"
    report = json.loads(G.serve_path(s, "qiye_registrations", file="report.json").read_text())
    assert dt.date.fromisoformat(report["as_of"])


def _openlineage_events(s) -> list[dict]:
    path = s.openlineage_events_dir / "events.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_dag_run_emits_openlineage_events_to_the_file(ran):
    """The file transport (no server): a START and a COMPLETE per DAG run and per task, the
    task's datasets from its Assets, the release's column lineage (GX-Dispatch art. 42)."""
    s, first, _, _, _, again = ran
    events = _openlineage_events(s)
    dag_runs = [e for e in events if "." not in e["job"]["name"]]
    states: dict[str, list[str]] = {}
    for e in dag_runs:
        assert e["job"]["namespace"] == "jutong"
        states.setdefault(e["run"]["runId"], []).append(f"{e['job']['name']}:{e['eventType']}")
    # one run id per DAG run (the release DAGs ran twice), each started and completed
    assert len(states) == len(first) + len(again)
    assert all(
        len(v) == 2 and v[0].endswith(":START") and v[1].endswith(":COMPLETE")
        for v in states.values()
    ), states
    assert {v[0].split(":")[0] for v in states.values()} == set(first)

    build = [e for e in events if e["job"]["name"] == "release__qiye_registrations.build"]
    assert [e["eventType"] for e in build] == ["START", "COMPLETE"] * 2
    done = build[1]
    assert [(i["namespace"], i["name"]) for i in done["inputs"]] == [
        ("iceberg://jutong", "base.legal_entity")
    ]
    [out] = done["outputs"]
    assert (out["namespace"], out["name"]) == (
        "file://jutong/releases",
        "release.qiye_registrations",
    )
    fields = out["facets"]["columnLineage"]["fields"]
    [rep] = fields["legal_rep_name"]["inputFields"]
    assert (rep["name"], rep["field"]) == ("base.legal_entity", "legal_rep_name")
    assert rep["transformations"][0]["masking"] is True
    assert fields["org_name"]["inputFields"][0]["transformations"][0]["subtype"] == "IDENTITY"
    # a task's run points at its DAG run
    parent = done["run"]["facets"]["parent"]
    assert parent["job"]["name"] == "release__qiye_registrations"


def test_share_deliver_records_each_delivered_table_as_an_asset_event(ran):
    """The share table a run delivered to is known only then: one Asset event through the
    run's alias outlet, and the run's OpenLineage COMPLETE names it as output with its
    column lineage from the staging table, masking shown (GX-Dispatch art. 42)."""
    import sqlalchemy as sa

    s, runs, log, shared, *_ = ran
    assert runs[SHARE_DELIVER_DAG_ID].asset_events == 1, log.read_text(encoding="utf-8")[-3000:]
    table = f"share.{shared.lower().replace('-', '_')}"
    events = [e for e in _openlineage_events(s) if e["job"]["name"] == "share__deliver.deliver"]
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    [out] = events[1]["outputs"]
    assert (out["namespace"], out["name"]) == ("iceberg://jutong", table)
    fields = out["facets"]["columnLineage"]["fields"]
    [src] = fields["name"]["inputFields"]
    assert (src["name"], src["field"]) == ("staging.gongan__huji", "name")
    assert src["transformations"][0]["masking"] is True  # 姓名: masked for the requester
    assert fields["sex"]["inputFields"][0]["transformations"][0]["subtype"] == "IDENTITY"
    # the event is in Airflow's database under the share table's Asset
    uri = s.airflow_database_uri or f"sqlite:///{s.airflow_home / 'airflow.db'}"
    engine = sa.create_engine(uri)
    with engine.connect() as conn:
        uris = (
            conn.execute(
                sa.text(
                    "select a.uri from asset_event e join asset a on a.id = e.asset_id "
                    "where e.source_dag_id = :d"
                ),
                {"d": SHARE_DELIVER_DAG_ID},
            )
            .scalars()
            .all()
        )
    assert uris == [f"iceberg://jutong/{table.replace('.', '/')}"]
