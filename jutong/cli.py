"""The ``jutong`` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from jutong import __version__


def _cmd_airflow(args) -> int:
    """Run an airflow command with this project's Airflow environment."""
    from jutong.orchestration.runner import airflow_bin, airflow_environ, ensure_airflow_db
    from jutong.settings import get_settings

    settings = get_settings()
    ensure_airflow_db(settings)
    env = airflow_environ(settings)
    argv = list(args.airflow_args)
    if argv[:1] == ["standalone"]:
        print(
            f"Airflow home {settings.airflow_home}, DAGs from {settings.dags_dir}, "
            f"parallelism {settings.parallelism}.\nUI: http://localhost:8080 — user 'admin', "
            f"password in {settings.airflow_home / 'simple_auth_manager_passwords.json.generated'}",
            flush=True,
        )
    os.execve(airflow_bin(), [airflow_bin(), *argv], env)
    return 0  # not reached


def _cmd_demo(args) -> int:
    from jutong.demo import main_from_args

    return main_from_args(args)


# Modules that add subcommands: each has ``register(subparsers)``. One line per module.
COMMAND_MODULES = (
    "jutong.catalog.cli",
    "jutong.ingest.cli",
    "jutong.lake_cli",
    "jutong.synth.cli",
    "jutong.identifiers.cli",
    "jutong.staging_cli",
    "jutong.workdays_cli",
    "masking.scan_cli",
    "masking.release_cli",
    "masking.mask_cli",
    "jutong.quality.cli",
    "jutong.base.cli",
    "jutong.governance.migrate_cli",
)


def build_parser() -> argparse.ArgumentParser:

    parser = argparse.ArgumentParser(
        prog="jutong",
        description="Jutong (聚通): gather, connect and use government data.",
    )
    parser.add_argument("--version", action="version", version=f"jutong {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)
    for mod in COMMAND_MODULES:
        __import__(mod, fromlist=["register"]).register(sub)

    dp = sub.add_parser("demo", help="generate a province, ingest it through Airflow, summarise")
    dp.add_argument("--people", type=int, default=20_000)
    dp.add_argument("--orgs", type=int, default=3_000)
    dp.add_argument("--seed", type=int, default=42)
    dp.add_argument(
        "--no-broken", action="store_true", help="do not deliver the deliberately broken extract"
    )
    dp.set_defaults(func=_cmd_demo)

    ap = sub.add_parser(
        "airflow", help="run an airflow command in this project's environment (e.g. standalone)"
    )
    ap.add_argument("airflow_args", nargs=argparse.REMAINDER)
    ap.set_defaults(func=_cmd_airflow)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from jutong.lake import LakeError
    from jutong.settings import SettingsError

    try:
        return int(args.func(args) or 0)
    except SettingsError as err:
        print(f"jutong: settings: {err}", file=sys.stderr)
        return 2
    except LakeError as err:  # one clear line: what failed and what to do, no traceback
        print(f"jutong: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
