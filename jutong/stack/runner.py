"""``up``, ``down`` and ``status`` of the whole stack, service by service, with progress."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from jutong.stack import profile
from jutong.stack.airflow import Airflow
from jutong.stack.common import ProcessStatus, StackDir, StackError, assign_ports, tail
from jutong.stack.postgres import Postgres
from jutong.stack.redis import Redis
from jutong.stack.seaweedfs import SeaweedFS
from jutong.stack.service import Context, Service
from jutong.stack.spark import Spark

# start order (stop in reverse): storage first, Airflow last (it needs PostgreSQL and Redis)
SERVICES: tuple[Service, ...] = (Postgres(), Redis(), SeaweedFS(), Spark(), Airflow())
SERVICE_NAMES = tuple(s.name for s in SERVICES)


def default_dir(home: Path) -> Path:
    """``$JUTONG_STACK_DIR``, else ``<checkout>/.stack``."""
    env = os.environ.get("JUTONG_STACK_DIR")
    return Path(env).expanduser().resolve() if env else home / ".stack"


def context(root: Path, home: Path, options: dict[str, str] | None = None) -> Context:
    """The context of the stack at ``root``, with the ports a previous ``up`` chose."""
    sd = StackDir(root=root.resolve(), home=home.resolve())
    return Context(sd=sd, ports=sd.load_ports(), options=dict(options or {}))


def _select(only: list[str] | None) -> list[Service]:
    if not only:
        return list(SERVICES)
    unknown = sorted(set(only) - set(SERVICE_NAMES))
    if unknown:
        raise StackError(
            f"unknown service(s) {', '.join(unknown)} (known: {', '.join(SERVICE_NAMES)})"
        )
    return [s for s in SERVICES if s.name in only]


def ports_to_keep(services, ctx: Context) -> dict[str, int]:
    """The known ports of every service with a live process: a running service keeps its
    own, and so does one partly up (a killed Spark worker beside a live master): its live
    processes hold them, and the ones started again must find the others on the same ports.
    The ports of a service with no live process get their known or a free port again."""
    if not ctx.ports:
        return {}
    keep: dict[str, int] = {}
    for service in services:
        if any(st.pid is not None for st in service.status(ctx)):
            keep.update({p: ctx.ports[p] for p in service.ports if p in ctx.ports})
    return keep


def up(
    ctx: Context,
    *,
    configured_ports: dict[str, int] | None = None,
    echo: Callable[[str], None] = print,
) -> list[ProcessStatus]:
    """Start every service that is not running (idempotent); write the settings profile."""
    ctx.sd.root.mkdir(parents=True, exist_ok=True)
    running = {s.name for s in SERVICES if ctx.ports and s.running(ctx)}
    try:
        want = profile.active_catalog(ctx)
    except ValueError as err:
        raise StackError(str(err)) from None
    kept = profile.active_catalog(replace(ctx, options={}))
    if "airflow" in running and want != kept:
        raise StackError(
            f"Airflow runs with the {kept.upper()} catalog profile; to switch to {want.upper()}, "
            "stop it first: jutong stack down airflow"
        )
    keep = ports_to_keep(SERVICES, ctx)
    names = [p for s in SERVICES for p in s.ports if p not in keep]
    offsets = {p: o for s in SERVICES for p, o in s.offsets.items()}
    known = {p: v for p, v in ctx.ports.items() if p not in keep}
    ctx.ports = {**keep, **assign_ports(names, known, configured=configured_ports, offsets=offsets)}
    ctx.sd.save_ports(ctx.ports)
    profile.write_profile(ctx)  # Airflow's environment is read from it
    total = time.monotonic()
    for service in SERVICES:
        if service.name in running:
            echo(f"  {service.name:<10} already running, reused")
            continue
        t0 = time.monotonic()
        echo(f"  {service.name:<10} starting …")
        try:
            service.start(ctx)
        except (StackError, OSError) as err:
            raise StackError(_failure(ctx, service, err)) from None
        echo(f"  {service.name:<10} up in {time.monotonic() - t0:.1f} s")
    echo(
        f"stack up in {time.monotonic() - total:.1f} s; settings {profile.settings_file(ctx)}; "
        f"run: source {ctx.sd.env_file} (or JUTONG_PROFILE=stack before a command, e.g. "
        "JUTONG_PROFILE=stack make demo)"
    )
    return status(ctx)


def _failure(ctx: Context, service: Service, err: Exception) -> str:
    """The service, its log path and the last log lines."""
    logs = [p.log for p in service.status(ctx)]
    lines = [f"{service.name} failed to start: {err}"]
    for log in dict.fromkeys(logs):
        text = tail(Path(log), 15)
        lines.append(f"log {log}:" + (f"\n{text}" if text else " (empty)"))
    return "\n".join(lines)


def down(
    ctx: Context, *, only: list[str] | None = None, echo: Callable[[str], None] = print
) -> None:
    """Stop each service by its pid (graceful, then killed after a timeout); data stays."""
    for service in reversed(_select(only)):
        t0 = time.monotonic()
        result = service.stop(ctx)
        echo(f"  {service.name:<10} {result} ({time.monotonic() - t0:.1f} s)")


def status(ctx: Context) -> list[ProcessStatus]:
    return [p for s in SERVICES for p in s.status(ctx)]


def format_status(rows: list[ProcessStatus]) -> str:
    head = f"{'service':<10} {'process':<14} {'pid':>8} {'port':>6}  {'health':<8} log"
    out = [head]
    for r in rows:
        health = "ok" if r.healthy else ("down" if r.pid is None else "starting")
        out.append(
            f"{r.service:<10} {r.process:<14} {r.pid or '-':>8} {r.port or '-':>6}  {health:<8} "
            f"{r.log}" + (f"  ({r.detail})" if r.detail else "")
        )
    return "\n".join(out)
