"""The scheduler drives the chain on the stack (issue 18 item 3): ``jutong demo`` with the
stack's settings drops a tiny province into landing and triggers nothing but the ingest DAGs
through Airflow's REST API; standardize, the base and theme builds and the releases follow
from Asset events, run by the Celery worker on the Spark cluster; the demo waits for them and
prints its summary. Then the runs are counted through the API, and the lake is read on S3."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter

import pytest

from jutong.catalog.loader import load_catalog
from jutong.catalog.model import BASES
from jutong.orchestration.scheduler import AirflowAPI
from tests.stack.conftest import REPO

pytestmark = [pytest.mark.stack, pytest.mark.timeout(2700)]


@pytest.fixture(scope="module")
def demo(stack, client_env):
    env = {
        **os.environ,
        **client_env,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "jutong", "demo", "--people", "400", "--orgs", "60", "--seed", "3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=2400,
    )
    seconds = time.monotonic() - t0
    print(f"jutong demo on the stack: {seconds:.0f} s\n{proc.stdout[-6000:]}{proc.stderr[-3000:]}")
    return proc, client_env


def test_the_demo_runs_the_chain_through_the_scheduler(demo):
    proc, _ = demo
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "triggering 6 ingest DAG(s) through Airflow's API" in out
    assert "follow from Asset events" in out
    # the same summary as the embedded demo
    for part in ("base databases", "DAG run(s) in", "Share delivery"):
        assert part in out, part


def test_each_dag_downstream_ran_from_asset_events(demo, stack):
    _, env = demo
    api = AirflowAPI.from_environment(env_url(stack), env)
    import datetime as dt

    runs = api.runs_since(dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))
    catalog = load_catalog(REPO / "catalog")
    by_dag = Counter(r["dag_id"] for r in runs)
    kinds = Counter((r["dag_id"], r["run_type"]) for r in runs)
    from jutong.settings import load_settings

    raw_dir = load_settings(env).raw_dir
    for entry in catalog:
        # triggered once through the API (the scheduler may have run its latest interval too)
        assert kinds[(entry.dag_id, "manual")] == 1, entry.dag_id
        # standardize only from Asset events: at least once, at most once per batch ingested
        # (each ingested file's task emits its event when it ends)
        batches = [d for d in (raw_dir / entry.department / entry.dataset).iterdir() if d.is_dir()]
        n = kinds[(entry.standardize_dag_id, "asset_triggered")]
        assert 1 <= n <= len(batches), (entry.id, n, len(batches))
        assert by_dag[entry.standardize_dag_id] == n, entry.id
    for base in BASES:
        # a build runs on its inputs' events: at least once, never more often than its inputs
        assert 1 <= kinds[(base.dag_id, "asset_triggered")] <= len(catalog), base.dag_id
    last = {}
    for r in sorted(runs, key=lambda r: r["run_after"]):
        last[r["dag_id"]] = r["state"]
    for dag_id, state in last.items():
        if dag_id.startswith(("standardize__", "build__", "release__")):
            assert state == "success", (dag_id, state)


def env_url(stack) -> str:
    import json

    ports = json.loads((stack / "ports.json").read_text())
    return f"http://127.0.0.1:{ports['airflow_api']}"


def _build_task_running(api: AirflowAPI, run: dict) -> bool:
    return any(
        ti["task_id"] == "build" and ti["state"] == "running"
        for ti in api.task_instances(run["dag_id"], run["dag_run_id"])
    )


def test_a_killed_spark_worker_comes_back_and_the_build_retries_to_success(demo, stack):
    """Issue 18: killing the Spark worker during a base build and starting it again lets the
    build go on (Spark re-runs the lost tasks on the new executors, else Airflow retries the
    task, which repairs what the killed attempt left) to success, with the new batch in."""
    import datetime as dt
    import json
    import signal

    from jutong.demo import province_dir
    from jutong.lake import Lake
    from jutong.lake.history import rows_at
    from jutong.settings import load_settings
    from tests.stack.conftest import jutong

    _, env = demo
    settings = load_settings(env)
    api = AirflowAPI.from_environment(env_url(stack), env)
    links_before = rows_at(Lake(settings).table("base", "population_links"))
    # a new delivery of the household register: 80 of its rows again, in a file of their own
    src = sorted((province_dir(settings, 3) / "extracts" / "gongan" / "huji").glob("*.csv"))[0]
    lines = src.read_bytes().splitlines(keepends=True)
    target = settings.landing_dir / "gongan" / "huji" / "huji_kill_test.csv"
    target.write_bytes(b"".join(lines[:81]))
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    api.trigger("ingest__gongan__huji", note="killed-worker test")

    deadline = time.monotonic() + 1200
    build = None
    while build is None:
        assert time.monotonic() < deadline, "build__population never started its build task"
        for run in api.runs_since(since):
            running = run["dag_id"] == "build__population" and run["state"] == "running"
            if running and _build_task_running(api, run):
                build = run
        time.sleep(2)
    time.sleep(10)  # into the Spark job
    procs = json.loads(jutong("status", "--json", "--dir", str(stack)).stdout)["processes"]
    [worker] = [p for p in procs if p["service"] == "spark" and p["process"] == "worker"]
    os.kill(worker["pid"], signal.SIGKILL)
    print(f"killed the Spark worker (pid {worker['pid']}) during {build['dag_run_id']}")
    time.sleep(5)
    up = jutong(
        "up",
        "--dir",
        str(stack),
        "--option",
        "spark_worker_memory=1g",
        "--option",
        "airflow_dags_paused=true",
    )
    assert up.returncode == 0, up.stderr

    state = build["state"]
    while state not in ("success", "failed"):
        assert time.monotonic() < deadline, f"{build['dag_run_id']} still {state}"
        time.sleep(5)
        run = api.call("GET", f"/api/v2/dags/build__population/dagRuns/{build['dag_run_id']}")
        state = run["state"]
    tries = [
        ti.get("try_number")
        for ti in api.task_instances("build__population", build["dag_run_id"])
        if ti["task_id"] == "build"
    ]
    print(f"{build['dag_run_id']}: {state} (build task try {tries})")
    assert state == "success"
    assert rows_at(Lake(settings).table("base", "population_links")) == links_before + 80
    # everything the new batch caused downstream settles, and nothing failed
    while True:
        runs = api.runs_since(since)
        if all(r["state"] in ("success", "failed") for r in runs):
            break
        assert time.monotonic() < deadline, [(r["dag_id"], r["state"]) for r in runs]
        time.sleep(10)
    assert [(r["dag_id"], r["state"]) for r in runs if r["state"] != "success"] == []


def test_a_backup_on_s3_restored_into_an_empty_installation_gives_identical_tables(
    demo, stack, tmp_path
):
    """Issue 18 item 6 on the stack (LZ-Rules art. 29): ``jutong backup`` of the lake the
    scheduler built (Iceberg on PostgreSQL and S3, governance in PostgreSQL) to another
    folder of the object store, ``jutong restore`` into an empty installation on the same
    services (new catalog and governance databases, a new warehouse folder): every table's
    rows and the governance database identical, the audit chain intact."""
    import uuid

    import psycopg2
    import sqlalchemy as sa

    from jutong.backup.core import ZONES as BACKED_UP
    from jutong.backup.core import table_rows, verify_backup
    from jutong.governance.db import dispose_all, engine
    from jutong.governance.schema import metadata
    from jutong.lake import Lake
    from jutong.settings import load_settings
    from jutong.stack.common import HOST
    from jutong.stack.postgres import SUPERUSER, password
    from jutong.stack.runner import context

    _, env = demo
    run = uuid.uuid4().hex[:8]
    target = f"s3://lake/backups/{run}"
    py_env = {
        **os.environ,
        **env,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }

    def cli(*args: str, extra: dict | None = None) -> subprocess.CompletedProcess:
        t0 = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "jutong", *args],
            capture_output=True,
            text=True,
            env={**py_env, **(extra or {})},
            timeout=1200,
        )
        print(f"jutong {args[0]}: {time.monotonic() - t0:.1f} s\n{proc.stdout[-2000:]}")
        return proc

    backed = cli("backup", "--to", target)
    assert backed.returncode == 0, backed.stderr[-3000:]
    assert "with SHA-256 in manifest.json" in backed.stdout

    # an empty installation on the same PostgreSQL and object store
    ctx = context(stack, REPO)
    port = ctx.port("postgres")
    conn = psycopg2.connect(
        host=HOST, port=port, user=SUPERUSER, password=password(ctx, SUPERUSER), dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        for role in ("iceberg", "governance"):
            cur.execute(f'CREATE DATABASE "{role}_restore_{run}" OWNER "{role}"')
    conn.close()
    empty = {
        "JUTONG_ICEBERG_CATALOG_URI": f"postgresql+psycopg2://iceberg@{HOST}:{port}/iceberg_restore_{run}",
        "JUTONG_ICEBERG_WAREHOUSE": f"s3://lake/restored-{run}",
        "JUTONG_GOVERNANCE_DB_URI": (
            f"postgresql+psycopg2://governance@{HOST}:{port}/governance_restore_{run}"
        ),
        "JUTONG_LAKE_ROOT": str(tmp_path / "restored-lake"),
    }
    restored = cli("restore", "--from", target, extra=empty)
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert "audit chain ok" in restored.stdout

    source = load_settings(env)
    copy = load_settings({**env, **empty})
    lake, lake2 = Lake(source), Lake(copy)
    # every zone a backup holds (the derived meta zone is rebuilt, not backed up)
    tables = [(z.value, n) for z in BACKED_UP for n in lake.tables(z)]
    assert len(tables) >= 20, tables
    for z, n in tables:
        a, b = table_rows(lake2, z, n), table_rows(lake, z, n)
        assert a.column_names == b.column_names and a.to_pylist() == b.to_pylist(), f"{z}.{n}"
        assert lake2.table(z, n).location().startswith(f"s3://lake/restored-{run}/")

    def governance(settings) -> dict[str, int]:
        with engine(settings).connect() as c:
            return {
                t.name: c.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables
            }

    try:
        after = governance(copy)
    finally:
        dispose_all()
    # every governance row as the backup took it; the restore added its own audit event
    expected = dict(verify_backup(target, source)["governance"]["rows"])
    expected["audit_events"] += 1
    assert after == expected
