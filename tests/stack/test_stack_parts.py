"""The pure parts of ``jutong stack``: ports, pid files, secrets, the settings profile and the
status command on an empty folder. No server is started."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import tomllib

import pytest

from jutong.settings import load_settings
from jutong.stack import profile, spark
from jutong.stack.common import (
    HOST,
    ProcessStatus,
    StackDir,
    StackError,
    assign_ports,
    free_port,
    pid_alive,
    port_free,
    read_pid,
    stop_pid,
    stop_pids,
    tail,
)
from jutong.stack.runner import SERVICES, context, format_status, ports_to_keep, status

ALL_PORTS = [p for s in SERVICES for p in s.ports]


def test_free_port_is_bindable_and_avoids_taken():
    port = free_port(set())
    assert port_free(port)
    other = free_port({port})
    assert other != port


def test_free_port_with_offset_leaves_port_plus_offset_free():
    port = free_port(set(), offset=10000)
    assert port + 10000 <= 65535 and port_free(port + 10000)


def test_assign_ports_prefers_configured_then_known_then_free():
    known = {"postgres": 40001, "redis": 40002}
    busy = {40002}
    got = assign_ports(
        ["postgres", "redis", "s3"],
        known,
        configured={"s3": 40009},
        is_free=lambda p: p not in busy,
    )
    assert got["postgres"] == 40001  # kept from the previous up
    assert got["redis"] not in (40002, 40001, 40009)  # known but now held by another program
    assert got["s3"] == 40009  # configured wins
    assert len(set(got.values())) == 3


def test_assign_ports_all_services_distinct():
    got = assign_ports(ALL_PORTS, {})
    assert sorted(got) == sorted(ALL_PORTS)
    assert len(set(got.values())) == len(ALL_PORTS)


def test_pid_handling(tmp_path):
    pidfile = tmp_path / "x.pid"
    assert read_pid(pidfile) is None  # missing
    pidfile.write_text("not a pid\n")
    assert read_pid(pidfile) is None
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )
    pidfile.write_text(f"{proc.pid}\n")
    assert read_pid(pidfile) == proc.pid
    assert pid_alive(proc.pid)
    assert stop_pid(proc.pid, group=True, timeout=10) == "stopped"
    proc.wait(timeout=5)
    assert not pid_alive(proc.pid)
    assert stop_pid(proc.pid) == "not running"
    assert not pid_alive(None) and not pid_alive(0)


def test_stop_pid_kills_a_process_that_ignores_sigterm():
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(1, flush=True); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    proc.stdout.readline()  # the handler is installed
    assert stop_pid(proc.pid, timeout=1) == "killed after 1 s"
    proc.wait(timeout=5)
    assert proc.returncode == -9


def test_stop_pids_stops_several_groups_at_once():
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
        )
        for _ in range(3)
    ]
    assert stop_pids([p.pid for p in procs] + [None], group=True, timeout=10) == "stopped"
    for p in procs:
        p.wait(timeout=5)
        assert not pid_alive(p.pid)
    assert stop_pids([p.pid for p in procs]) == "not running"


def test_secrets_are_private_and_stable(tmp_path):
    sd = StackDir(root=tmp_path / ".stack", home=tmp_path)
    first = sd.secret("postgres-iceberg")
    assert sd.secret("postgres-iceberg") == first and len(first) >= 24
    assert sd.secret("redis") != first
    path = sd.secrets_dir / "postgres-iceberg"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(sd.secrets_dir.stat().st_mode) == 0o700


def test_tail_reads_last_lines(tmp_path):
    log = tmp_path / "a.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert tail(log, 3).splitlines() == ["line 97", "line 98", "line 99"]
    assert tail(tmp_path / "missing.log") == ""


@pytest.fixture
def ctx(tmp_path):
    c = context(tmp_path / ".stack", tmp_path / "checkout")
    c.ports = assign_ports(ALL_PORTS, {})
    return c


@pytest.mark.parametrize("catalog", ["sql", "rest"])
def test_profile_loads_as_settings_and_holds_no_secret(ctx, catalog):
    paths = profile.write_profile(ctx)
    settings_file = ctx.sd.settings_file if catalog == "sql" else ctx.sd.rest_settings_file
    assert settings_file in paths
    text = settings_file.read_text()
    for name in os.listdir(ctx.sd.secrets_dir):
        secret = (ctx.sd.secrets_dir / name).read_text().strip()
        if name != "pgpass" and not name.endswith((".conf", ".json")):
            assert secret not in text, f"secret {name} leaked into {settings_file.name}"
    assert "@" in text and not re.search(r"://[^/@:\s]+:[^/@\s]+@", text)  # no user:password@
    s = load_settings({"JUTONG_SETTINGS": str(settings_file), "JUTONG_HOME": str(ctx.sd.home)})
    assert s.iceberg_catalog_type == catalog
    assert s.spark_master == f"spark://{HOST}:{ctx.ports['spark_master']}"
    assert s.spark_cores_max == spark.cores_per_app(ctx) >= 1
    assert s.s3_endpoint == f"http://{HOST}:{ctx.ports['s3']}"
    assert s.airflow_database_uri.endswith(f"@{HOST}:{ctx.ports['postgres']}/airflow")
    assert s.governance_db_uri.endswith("/governance")
    assert s.dags_dir == ctx.sd.home / "dags"
    if catalog == "sql":
        assert s.iceberg_catalog_uri.startswith("postgresql+psycopg2://iceberg@")
        assert s.iceberg_warehouse == "s3://lake/warehouse"
        assert s.data_files_root == ""  # data files inside each table's location
    else:
        assert s.iceberg_catalog_uri == f"http://{HOST}:{ctx.ports['iceberg_rest']}"
        # the table bucket takes no folder markers: the lake's data files go to the lake bucket
        assert s.data_files_root == "s3://lake/rest-data"
    assert tomllib.loads(text)["jutong"]["lake_root"] == str(ctx.sd.root / "lake")


def test_the_catalog_option_chooses_the_profile_of_airflow_and_env_and_is_kept(ctx):
    from jutong.stack.airflow import environ

    profile.write_profile(ctx)
    assert profile.active_catalog(ctx) == "sql"
    assert environ(ctx)["JUTONG_SETTINGS"] == str(ctx.sd.settings_file)
    ctx.options["catalog"] = "REST"
    profile.write_profile(ctx)
    assert ctx.sd.catalog_file.read_text().strip() == "rest"
    assert f"JUTONG_SETTINGS={ctx.sd.rest_settings_file}" in ctx.sd.env_file.read_text()
    assert environ(ctx)["JUTONG_SETTINGS"] == str(ctx.sd.rest_settings_file)
    # a later `up` without the option keeps it
    again = context(ctx.sd.root, ctx.sd.home)
    assert profile.active_catalog(again) == "rest"
    assert profile.settings_file(again) == ctx.sd.rest_settings_file
    again.options["catalog"] = "hive"
    with pytest.raises(ValueError, match="unknown Iceberg catalog type 'hive'"):
        profile.active_catalog(again)


@pytest.mark.parametrize(
    ("cores", "tasks", "per_app"), [("4", "2", 2), ("2", "2", 1), ("1", "2", 1), ("8", "3", 2)]
)
def test_each_spark_application_takes_its_share_of_the_worker(ctx, cores, tasks, per_app):
    """Two Celery tasks' Spark jobs run side by side on the worker instead of queueing."""
    from spark_jobs.session import session_conf

    ctx.options.update(spark_worker_cores=cores, celery_concurrency=tasks)
    assert spark.cores_per_app(ctx) == per_app
    profile.write_profile(ctx)
    s = load_settings({"JUTONG_SETTINGS": str(ctx.sd.settings_file), "JUTONG_HOME": "/tmp"})
    assert session_conf(s)["spark.cores.max"] == str(per_app)
    assert "spark.cores.max" not in session_conf(load_settings({"JUTONG_HOME": "/tmp"}))


def test_several_workers_share_the_machine_and_are_each_shown(ctx, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    ctx.options.update(spark_workers="2")
    assert spark.workers(ctx) == 2 and spark.worker_cores(ctx) == 2
    assert spark.cores_per_app(ctx) == 2  # 4 cores in all, 2 Celery tasks at once
    rows = [(st.process, st.healthy, st.pid) for st in spark.Spark().status(ctx)]
    assert rows == [("master", False, None), ("worker", False, None), ("worker-2", False, None)]
    assert spark.Spark().log(ctx, "worker-2").name.startswith("spark-jutong-")
    assert "-2-" in spark.Spark().log(ctx, "worker-2").name
    ctx.options.update(spark_workers="0")
    with pytest.raises(StackError, match="at least 1"):
        spark.workers(ctx)


def test_env_file_exports_credentials_privately(ctx):
    profile.write_profile(ctx)
    env_file = ctx.sd.env_file
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    out = subprocess.run(
        ["bash", "-c", f"source {env_file} && env"], capture_output=True, text=True, check=True
    ).stdout
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert env["JUTONG_SETTINGS"] == str(ctx.sd.settings_file)
    assert env["JUTONG_HOME"] == str(ctx.sd.home)
    assert (
        env["AWS_SECRET_ACCESS_KEY"] == (ctx.sd.secrets_dir / "s3-secret-key").read_text().strip()
    )
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].endswith(
        f":{ctx.ports['airflow_api']}/execution/"
    )
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"]
    assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "False"  # the DAGs run
    ctx.options["airflow_dags_paused"] = "true"
    assert profile.client_env(ctx)["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "True"


def test_unknown_catalog_is_refused(ctx):
    with pytest.raises(ValueError, match="unknown Iceberg catalog type 'hive'"):
        profile.settings_values(ctx, "hive")


def test_status_of_a_stack_never_started(ctx, tmp_path):
    rows = status(ctx)
    assert {r.service for r in rows} == {s.name for s in SERVICES}
    assert not any(r.healthy or r.pid for r in rows)
    assert "down" in format_status(rows)
    proc = subprocess.run(
        [sys.executable, "-m", "jutong", "stack", "status", "--json", "--dir", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=120,
    )
    assert proc.returncode == 3, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data["processes"]) == 10 and not any(p["healthy"] for p in data["processes"])
    assert data["catalog"] == "sql" and data["settings"].endswith("jutong.toml")
    text = subprocess.run(
        [sys.executable, "-m", "jutong", "stack", "status", "--dir", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "(Iceberg catalog: SQL, settings " in text.stdout.splitlines()[0]


def test_format_status_shows_pid_port_health_log():
    row = ProcessStatus("redis", "redis-server", 42, 6390, True, "/x/redis.log")
    line = format_status([row]).splitlines()[1]
    assert line.split()[:5] == ["redis", "redis-server", "42", "6390", "ok"]
    assert line.endswith("/x/redis.log")


class _FakeService:
    def __init__(self, name, ports, pids):
        self.name, self.ports, self._pids = name, ports, pids

    def status(self, ctx):
        return [
            ProcessStatus(self.name, f"p{i}", pid, None, False, "", "")
            for i, pid in enumerate(self._pids)
        ]


def test_a_partly_running_service_keeps_its_ports(ctx):
    """A killed Spark worker beside a live master: the master's ports stay (the master is
    not started again and must be found where it is); a service with no live process may
    get new ports."""
    spark_up = _FakeService("spark", ["spark_master", "spark_worker"], [os.getpid(), None])
    redis_down = _FakeService("redis", ["redis"], [None])
    keep = ports_to_keep([spark_up, redis_down], ctx)
    assert keep == {
        "spark_master": ctx.ports["spark_master"],
        "spark_worker": ctx.ports["spark_worker"],
    }
    ctx.ports = {}
    assert ports_to_keep([spark_up], ctx) == {}  # never started: nothing known to keep
