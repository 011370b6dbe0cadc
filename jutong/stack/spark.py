"""Spark standalone: one master and its workers (``spark_workers``, default 1), started with
``sbin/spark-daemon.sh`` of the PySpark package (the wheel has no ``start-master.sh``).

Executors run the driver's interpreter (``PYSPARK_PYTHON``, the project's environment) and find
the project's code through ``PYTHONPATH`` (the checkout), set in the worker's environment. A
worker on another machine needs the same environment installed, or the driver ships the
packages with ``spark.submit.pyFiles`` (a zip of jutong/, spark_jobs/, masking/), see
docs/stack.md.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from jutong.stack.common import (
    HOST,
    ProcessStatus,
    StackError,
    pid_alive,
    port_open,
    read_pid,
    stop_pid,
    wait_until,
)
from jutong.stack.service import Context, Service

MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"
IDENT = "jutong"


def spark_home() -> Path:
    """The installed ``pyspark`` folder (found without importing PySpark)."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        raise StackError("spark: the pyspark package is not installed: run 'make env'")
    return Path(list(spec.submodule_search_locations)[0])


def workers(ctx) -> int:
    """How many workers: ``spark_workers`` (default 1)."""
    n = int(ctx.options.get("spark_workers") or 1)
    if n < 1:
        raise StackError(f"spark: spark_workers must be at least 1 (got {n})")
    return n


def worker_cores(ctx) -> int:
    """Each worker's cores: ``spark_worker_cores``, else the machine's shared among the
    workers (at least one each)."""
    given = ctx.options.get("spark_worker_cores")
    return int(given) if given else max(1, (os.cpu_count() or 1) // workers(ctx))


def cores_per_app(ctx) -> int:
    """``spark.cores.max`` of each application: the cluster's cores shared by the Celery
    worker's concurrent tasks (``celery_concurrency``), at least one — so two tasks' Spark
    jobs run side by side instead of the second waiting for the first to give its cores back."""
    tasks = max(1, int(ctx.options.get("celery_concurrency", "2")))
    return max(1, worker_cores(ctx) * workers(ctx) // tasks)


def master_url(ctx: Context) -> str:
    return f"spark://{HOST}:{ctx.port('spark_master')}"


class Spark(Service):
    name = "spark"
    ports = ("spark_master", "spark_master_ui", "spark_worker", "spark_worker_ui")

    def _pidfile(self, ctx: Context, cls: str, instance: int = 1) -> Path:
        return self.dir(ctx) / "run" / f"spark-{IDENT}-{cls}-{instance}.pid"

    def _log(self, ctx: Context, cls: str, instance: int = 1) -> Path:
        node = os.uname().nodename
        return self.dir(ctx) / "logs" / f"spark-{IDENT}-{cls}-{instance}-{node}.out"

    def _processes(self, ctx: Context) -> list[tuple[str, str, int, str | None]]:
        """(process name, class, instance, port name): the master, then each worker; a
        worker after the first takes ports Spark chooses (its pid tells whether it lives)."""
        out = [("master", MASTER, 1, "spark_master"), ("worker", WORKER, 1, "spark_worker")]
        out += [(f"worker-{i}", WORKER, i, None) for i in range(2, workers(ctx) + 1)]
        return out

    def status(self, ctx: Context) -> list[ProcessStatus]:
        out = []
        for proc, cls, instance, port_name in self._processes(ctx):
            pid = read_pid(self._pidfile(ctx, cls, instance))
            alive = pid_alive(pid)
            port = ctx.ports.get(port_name) if port_name else None
            healthy = alive and (port_name is None or (port is not None and port_open(port)))
            ui = ctx.ports.get(f"{port_name}_ui") if port_name else None
            out.append(
                ProcessStatus(
                    self.name,
                    proc,
                    pid if alive else None,
                    port,
                    healthy,
                    str(self._log(ctx, cls, instance)),
                    f"UI on {ui}" if ui else "ports chosen by Spark",
                )
            )
        return out

    def environ(self, ctx: Context) -> dict[str, str]:
        d = self.dir(ctx)
        for sub in ("run", "logs", "work", "local"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        home = spark_home()
        path = os.environ.get("PYTHONPATH", "")
        return {
            **os.environ,
            "SPARK_HOME": str(home),
            "SPARK_LOCAL_IP": HOST,
            "SPARK_LOCAL_DIRS": str(d / "local"),
            "SPARK_WORKER_DIR": str(d / "work"),
            "SPARK_LOG_DIR": str(d / "logs"),
            "SPARK_PID_DIR": str(d / "run"),
            "SPARK_IDENT_STRING": IDENT,
            "SPARK_DAEMON_MEMORY": ctx.options.get("spark_daemon_memory", "256m"),
            "PYSPARK_PYTHON": sys.executable,
            # executors import the project's code from the checkout
            "PYTHONPATH": os.pathsep.join(p for p in (str(ctx.sd.home), path) if p),
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        }

    def _daemon(self, ctx: Context, action: str, cls: str, *args: str, instance: int = 1) -> None:
        import subprocess

        env = self.environ(ctx)
        env.pop("SPARK_NO_DAEMONIZE", None)  # keeps it in the foreground, even empty
        script = spark_home() / "sbin" / "spark-daemon.sh"
        proc = subprocess.run(
            ["bash", str(script), action, cls, str(instance), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise StackError(
                f"spark: spark-daemon.sh {action} {cls} failed: "
                f"{proc.stdout[-1500:]}{proc.stderr[-1500:]}"
            )

    def start(self, ctx: Context) -> None:
        p = ctx.port
        # a process whose pid lives is never started again (spark-daemon.sh refuses: "running
        # as process …"); one that is slow to answer on its port (a loaded machine) is waited for
        if self.status(ctx)[0].pid is None:
            self._daemon(
                ctx,
                "start",
                MASTER,
                "--host",
                HOST,
                "--port",
                str(p("spark_master")),
                "--webui-port",
                str(p("spark_master_ui")),
            )
        if not wait_until(lambda: port_open(p("spark_master")), 60):
            raise StackError("spark: master not answering on its port")
        cores = str(worker_cores(ctx))
        memory = ctx.options.get("spark_worker_memory", "2g")
        statuses = {st.process: st for st in self.status(ctx)}
        for proc, _cls, instance, port_name in self._processes(ctx)[1:]:
            if statuses[proc].pid is not None:
                continue
            ports = (
                [p(port_name), p(f"{port_name}_ui")] if port_name else [0, 0]
            )  # 0: Spark chooses
            self._daemon(
                ctx,
                "start",
                WORKER,
                master_url(ctx),
                "--host",
                HOST,
                "--port",
                str(ports[0]),
                "--webui-port",
                str(ports[1]),
                "--cores",
                cores,
                "--memory",
                memory,
                instance=instance,
            )
        if not wait_until(lambda: port_open(p("spark_worker")), 60):
            raise StackError("spark: worker not answering on its port")
        if not wait_until(lambda: all(st.healthy for st in self.status(ctx)), 60):
            down = [st.process for st in self.status(ctx) if not st.healthy]
            raise StackError(f"spark: {', '.join(down)} not running (see {self.dir(ctx)}/logs)")

    def stop(self, ctx: Context) -> str:
        done = []
        for _proc, cls, instance, _port in reversed(self._processes(ctx)):
            done.append(stop_pid(read_pid(self._pidfile(ctx, cls, instance)), timeout=20))
            self._pidfile(ctx, cls, instance).unlink(missing_ok=True)
        return ", ".join(dict.fromkeys(done))

    def log(self, ctx: Context, process: str | None = None) -> Path:
        for proc, cls, instance, _port in self._processes(ctx):
            if proc == process:
                return self._log(ctx, cls, instance)
        return self._log(ctx, MASTER)
