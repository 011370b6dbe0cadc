"""``jutong stack up | down | status [--json]``: the real stack on one machine."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _home() -> Path:
    from jutong.settings import _repo_root

    return _repo_root() or Path.cwd().resolve()


def _ctx(args):
    from jutong.stack.runner import context, default_dir

    home = _home()
    root = Path(args.dir).expanduser().resolve() if args.dir else default_dir(home)
    options = {}
    for item in getattr(args, "option", None) or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"jutong stack: --option takes KEY=VALUE, got {item!r}")
        options[key.strip()] = value.strip()
    return context(root, home, options)


def _ports(items: list[str] | None) -> dict[str, int]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not value.isdigit():
            raise SystemExit(f"jutong stack: --port takes NAME=NUMBER, got {item!r}")
        out[key.strip()] = int(value)
    return out


def _cmd_up(args) -> int:
    from jutong.stack.common import StackError
    from jutong.stack.runner import format_status, up

    ctx = _ctx(args)
    print(f"stack in {ctx.sd.root}", flush=True)
    try:
        rows = up(
            ctx, configured_ports=_ports(args.port), echo=lambda line: print(line, flush=True)
        )
    except StackError as err:
        print(f"jutong stack: {err}", file=sys.stderr)
        return 1
    print(format_status(rows))
    return 0 if all(r.healthy for r in rows) else 1


def _cmd_down(args) -> int:
    from jutong.stack.runner import down

    ctx = _ctx(args)
    print(f"stopping the stack in {ctx.sd.root}", flush=True)
    down(ctx, only=args.services, echo=lambda line: print(line, flush=True))
    return 0


def _cmd_status(args) -> int:
    from jutong.stack import profile
    from jutong.stack.runner import format_status, status

    ctx = _ctx(args)
    rows = status(ctx)
    if args.json:
        print(
            json.dumps(
                {
                    "dir": str(ctx.sd.root),
                    "settings": str(profile.settings_file(ctx)),
                    "catalog": profile.active_catalog(ctx),
                    "env": str(ctx.sd.env_file),
                    "ports": ctx.ports,
                    "processes": [r.as_dict() for r in rows],
                },
                indent=2,
            )
        )
    else:
        print(
            f"stack in {ctx.sd.root} (Iceberg catalog: {profile.active_catalog(ctx).upper()}, "
            f"settings {profile.settings_file(ctx)})"
        )
        print(format_status(rows))
    return 0 if rows and all(r.healthy for r in rows) else 3


def register(sub) -> None:
    p = sub.add_parser(
        "stack",
        help="the real stack on one machine: PostgreSQL, SeaweedFS, Spark, Redis, Airflow",
        description="Start, stop or show the services of the stack under .stack/ (or --dir, "
        "or $JUTONG_STACK_DIR), each bound to 127.0.0.1. `source .stack/env` then points "
        "jutong at it. See docs/stack.md.",
    )
    verbs = p.add_subparsers(dest="stack_command", metavar="VERB", required=True)
    common = {"help": "the stack folder (default: $JUTONG_STACK_DIR or <checkout>/.stack)"}

    u = verbs.add_parser(
        "up", help="start every service not running; write .stack/jutong.toml and .stack/env"
    )
    u.add_argument("--dir", **common)
    u.add_argument(
        "--port",
        action="append",
        metavar="NAME=NUMBER",
        help="a fixed port (names: postgres, redis, s3, iceberg_rest, spark_master, "
        "airflow_api, …; see .stack/ports.json); others are free ports, kept",
    )
    u.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="catalog (sql | rest: the Iceberg catalog Airflow and .stack/env use; kept), "
        "spark_worker_cores, spark_worker_memory (2g), celery_concurrency (2), "
        "airflow_timeout (180 s)",
    )
    u.set_defaults(func=_cmd_up)

    d = verbs.add_parser("down", help="stop each service by its pid (data stays)")
    d.add_argument("--dir", **common)
    d.add_argument("services", nargs="*", help="only these services (default: all)")
    d.set_defaults(func=_cmd_down)

    s = verbs.add_parser(
        "status", help="each service: pid, port, health, log (exit 3 if not all healthy)"
    )
    s.add_argument("--dir", **common)
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=_cmd_status)
