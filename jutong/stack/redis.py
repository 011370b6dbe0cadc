"""Redis: the Celery broker of Airflow, password-protected, no persistence."""

from __future__ import annotations

import os
import shutil
import subprocess

from jutong.stack.common import (
    HOST,
    ProcessStatus,
    StackError,
    pid_alive,
    port_open,
    read_pid,
    stop_pid,
    wait_until,
    write_private,
)
from jutong.stack.service import Context, Service


def redis_server() -> str:
    """The redis-server binary; installed from Debian's packages when missing and root."""
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0:
        raise StackError(
            "redis: redis-server is not installed: run 'sudo apt-get install -y redis-server'"
        )
    print(
        "  redis: redis-server missing, installing it: apt-get install -y redis-server", flush=True
    )
    for argv in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", "redis-server"],
    ):
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if proc.returncode != 0:
            raise StackError(f"redis: '{' '.join(argv)}' failed: {proc.stderr[-1500:]}")
    found = shutil.which("redis-server")
    if not found:
        raise StackError("redis: redis-server still missing after apt-get install")
    return found


def broker_url(ctx: Context) -> str:
    """The Celery broker URL (holds the password: environment only, never a settings file)."""
    return f"redis://:{ctx.sd.secret('redis')}@{HOST}:{ctx.port('redis')}/0"


class Redis(Service):
    name = "redis"
    ports = ("redis",)

    def status(self, ctx: Context) -> list[ProcessStatus]:
        pid = read_pid(self.pidfile(ctx))
        alive = pid_alive(pid)
        port = ctx.ports.get("redis")
        healthy = alive and port is not None and port_open(port)
        return [
            ProcessStatus(
                self.name, "redis-server", pid if alive else None, port, healthy, str(self.log(ctx))
            )
        ]

    def start(self, ctx: Context) -> None:
        binary = redis_server()
        data = self.dir(ctx) / "data"
        data.mkdir(parents=True, exist_ok=True)
        # the password goes into a private config file, not onto the command line (ps)
        conf = ctx.sd.secrets_dir / "redis.conf"
        write_private(
            conf,
            "\n".join(
                [
                    f"port {ctx.port('redis')}",
                    f"bind {HOST}",
                    "protected-mode yes",
                    'save ""',
                    "appendonly no",
                    "daemonize yes",
                    f"pidfile {self.pidfile(ctx)}",
                    f"logfile {self.log(ctx)}",
                    f"dir {data}",
                    f"requirepass {ctx.sd.secret('redis')}",
                ]
            )
            + "\n",
        )
        proc = subprocess.run([binary, str(conf)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise StackError(f"redis: redis-server failed: {proc.stdout}{proc.stderr}")
        if not wait_until(
            lambda: pid_alive(read_pid(self.pidfile(ctx))) and port_open(ctx.port("redis")), 15
        ):
            raise StackError("redis: not answering on its port")

    def stop(self, ctx: Context) -> str:
        return stop_pid(read_pid(self.pidfile(ctx)), timeout=15)
