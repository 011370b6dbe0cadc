"""Airflow with the CeleryExecutor: api-server, scheduler, dag-processor, triggerer and one
Celery worker, each its own process (group) with a pid file and a log; the metadata database
on the stack's PostgreSQL (migrated once per Airflow version), DAGs from the checkout's dags/.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import time
from pathlib import Path

from jutong.stack import airflow_env, profile
from jutong.stack.common import (
    ProcessStatus,
    StackError,
    pid_alive,
    port_open,
    read_pid,
    spawn,
    stop_pids,
    tail,
    venv_bin,
    wait_until,
)
from jutong.stack.service import Context, Service

# process -> (airflow arguments, the port that shows it answers, or None)
PROCESSES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "api-server": (("api-server", "--workers", "1"), "airflow_api"),
    "scheduler": (("scheduler",), "airflow_scheduler_health"),
    "dag-processor": (("dag-processor",), None),
    "triggerer": (("triggerer",), "airflow_trigger_log"),
    "celery-worker": (("celery", "worker"), "airflow_worker_log"),
}


def environ(ctx: Context) -> dict[str, str]:
    """The environment of the stack's Airflow processes."""
    from jutong.settings import load_settings

    settings = load_settings(
        {"JUTONG_SETTINGS": str(profile.settings_file(ctx)), "JUTONG_HOME": str(ctx.sd.home)}
    )
    # the OpenLineage file transport writes into this folder, but does not create it
    settings.openlineage_events_dir.mkdir(parents=True, exist_ok=True)
    bindir = str(Path(sys.executable).parent)
    path = os.environ.get("PYTHONPATH", "")
    env = {
        **os.environ,
        **settings.airflow_env(),
        **profile.client_env(ctx),
        "PATH": os.pathsep.join([bindir, os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join(p for p in (str(ctx.sd.home), path) if p),
    }
    # the settings' own key for the metadata database; Airflow's async engine (asyncpg) and
    # psycopg2 both read the password from PGPASSFILE
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = settings.airflow_database_uri
    return env


class Airflow(Service):
    name = "airflow"
    ports = ("airflow_api", "airflow_scheduler_health", "airflow_trigger_log", "airflow_worker_log")

    def status(self, ctx: Context) -> list[ProcessStatus]:
        out = []
        for proc, (_, port_name) in PROCESSES.items():
            pid = read_pid(self.pidfile(ctx, proc))
            alive = pid_alive(pid)
            port = ctx.ports.get(port_name) if port_name else None
            healthy = alive and (port is None or port_open(port))
            out.append(
                ProcessStatus(
                    self.name, proc, pid if alive else None, port, healthy, str(self.log(ctx, proc))
                )
            )
        return out

    def migrate(self, ctx: Context, env: dict[str, str]) -> None:
        version = importlib.metadata.version("apache-airflow")
        stamp = self.dir(ctx) / f".db-migrated-{version}"
        if stamp.exists():
            return
        log = self.log(ctx, "db-migrate")
        with open(log, "ab") as out:
            proc = subprocess.run(
                [venv_bin("airflow"), "db", "migrate"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        if proc.returncode != 0:
            raise StackError(f"airflow: 'airflow db migrate' failed (log {log}):\n{tail(log)}")
        stamp.write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"))

    def start(self, ctx: Context) -> None:
        env = environ(ctx)
        Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
        airflow_env.write_passwords_file(ctx)
        self.migrate(ctx, env)
        started = {}
        for proc, (args, _) in PROCESSES.items():
            pid = read_pid(self.pidfile(ctx, proc))
            if pid_alive(pid):
                continue
            started[proc] = spawn(
                [venv_bin("airflow"), *args],
                env,
                self.log(ctx, proc),
                self.pidfile(ctx, proc),
                cwd=self.dir(ctx),
            )
        timeout = float(ctx.options.get("airflow_timeout", "180"))

        def ready() -> bool:
            for proc in started:
                if not pid_alive(read_pid(self.pidfile(ctx, proc))):
                    raise StackError(
                        f"airflow: {proc} exited (log {self.log(ctx, proc)}):\n"
                        f"{tail(self.log(ctx, proc))}"
                    )
            return all(p.healthy for p in self.status(ctx))

        if not wait_until(ready, timeout, step=0.5):
            waiting = [p.process for p in self.status(ctx) if not p.healthy]
            raise StackError(f"airflow: not answering after {timeout:.0f} s: {', '.join(waiting)}")

    def stop(self, ctx: Context) -> str:
        # all five at once (each takes seconds to finish gracefully); SIGKILL after 30 s
        pids = [read_pid(self.pidfile(ctx, proc)) for proc in PROCESSES]
        result = stop_pids(pids, group=True, timeout=30)
        for proc in PROCESSES:
            self.pidfile(ctx, proc).unlink(missing_ok=True)
        return result
