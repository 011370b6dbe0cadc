"""The ``jutong`` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback

from jutong import __version__
from jutong.telemetry import disable_telemetry


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


def _cmd_serve(args) -> int:
    """Start the governance service (REST API) with uvicorn; the web package is imported here
    only, so the core stays importable without a web server."""
    from web.serve_cli import serve_from_args

    return serve_from_args(args)


def _cmd_demo(args) -> int:
    from jutong.demo import main_from_args

    return main_from_args(args)


# Modules that add a noun (``jutong <noun> <verb> …``): each has ``register(subparsers)``. One
# line per module, in the order the help lists them.
COMMAND_MODULES = (
    "jutong.catalog.cli",
    "jutong.ingest.cli",  # raw
    "jutong.lake_cli",  # lake status | repair | rollback
    "jutong.backup.cli",  # backup; restore
    "jutong.staging_cli",  # staging
    "jutong.base.cli",  # base
    "jutong.themes.cli",  # themes sources | build | status; sql
    "jutong.lineage.cli",  # lineage COLUMN | build
    "jutong.quality.cli",
    "jutong.governance.tickets_cli",  # tickets
    "masking.pii_cli",  # pii scan | mask
    "jutong.identifiers.cli",  # ids
    "masking.release_cli",
    "jutong.workdays_cli",
    "jutong.synth.cli",
    "jutong.governance.migrate_cli",  # governance upgrade | status
    "jutong.governance.audit_cli",  # audit verify | checkpoint | export | list
    "jutong.governance.sharing_cli",  # share request | review | decide | … | list | show
    "jutong.governance.cases_cli",  # cases rules | overdue | sweep
    "jutong.governance.opening_cli",  # open request | review | answer | … | complaint | notices
    "masking.delivery_cli",  # share deliver (after the share command)
    "jutong.governance.evaluation_cli",  # evaluate departments
    "jutong.governance.users_cli",  # users add | list | grant | revoke | token | …
    "jutong.stack.cli",  # stack up | down | status
)

# The verb-first commands of earlier versions and the commands they are now. They keep working
# with the same arguments (hidden from the help; a note on stderr names the new form). An alias
# steps aside when the tree has a command of its own under the old words.
ALIASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("ingest",): ("raw", "ingest"),
    ("standardize",): ("staging", "standardize"),
    ("review",): ("base", "review"),
    ("er", "evaluate"): ("base", "evaluate"),
    ("quality", "tickets"): ("tickets", "list"),
    ("quality", "resolve"): ("tickets", "resolve"),
    ("quality", "extend"): ("tickets", "extend"),
    ("quality", "report-error"): ("tickets", "report-error"),
    ("scan",): ("pii", "scan"),
    ("mask",): ("pii", "mask"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jutong",
        description="Jutong (聚通): gather, connect and use government data.",
        epilog="Run 'jutong COMMAND --help' for a command's own commands and options.",
    )
    parser.add_argument("--version", action="version", version=f"jutong {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", required=True)
    for mod in COMMAND_MODULES:
        __import__(mod, fromlist=["register"]).register(sub)

    dp = sub.add_parser("demo", help="generate a province, ingest it through Airflow, summarise")
    dp.add_argument(
        "--people", type=int, default=20_000, help="persons in the synthetic province (20000)"
    )
    dp.add_argument("--orgs", type=int, default=3_000, help="organisations (3000)")
    dp.add_argument(
        "--seed", type=int, default=42, help="random seed: the same seed, the same province (42)"
    )
    dp.add_argument(
        "--no-broken", action="store_true", help="do not deliver the deliberately broken extract"
    )
    dp.set_defaults(func=_cmd_demo)

    sv = sub.add_parser(
        "serve",
        help="start the governance service: REST API at /api/v1, OpenAPI at /api/docs",
        description="Start the governance service (uvicorn) on the governance database of the "
        "settings (embedded SQLite by default, PostgreSQL through governance_db_uri).",
    )
    sv.add_argument("--host", help="address to listen on (default: setting serve_host, 127.0.0.1)")
    sv.add_argument("--port", type=int, help="port (default: setting serve_port, 8000; 0 = any)")
    sv.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    sv.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    sv.set_defaults(func=_cmd_serve)

    ap = sub.add_parser(
        "airflow", help="run an airflow command in this project's environment (e.g. standalone)"
    )
    ap.add_argument("airflow_args", nargs=argparse.REMAINDER)
    ap.set_defaults(func=_cmd_airflow)
    return parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps no public handle on its subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def has_command(parser: argparse.ArgumentParser, words: tuple[str, ...]) -> bool:
    """Whether ``jutong <words>`` is a command of the tree (not an alias)."""
    for word in words:
        parser = _subcommands(parser).get(word)
        if parser is None:
            return False
    return True


def resolve_alias(
    parser: argparse.ArgumentParser, argv: list[str]
) -> tuple[list[str], tuple[str, ...] | None]:
    """``argv`` with an old command's words replaced by the new ones, and the old words (or
    None when ``argv`` names no alias). Options before the command (``-v``) stay in place."""
    at = next((i for i, a in enumerate(argv) if not a.startswith("-")), len(argv))
    for old, new in ALIASES.items():
        if tuple(argv[at : at + len(old)]) == old and not has_command(parser, old):
            return [*argv[:at], *new, *argv[at + len(old) :]], old
    return argv, None


def main(argv: list[str] | None = None) -> int:
    disable_telemetry()  # this process and every one it starts (Spark, Airflow, dbt)
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    argv, old = resolve_alias(parser, argv)
    if old is not None:
        new = ALIASES[old]
        print(f"note: 'jutong {' '.join(old)}' is now 'jutong {' '.join(new)}'", file=sys.stderr)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("jutong: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # one clear line, never a traceback unless -v
        if args.verbose:
            traceback.print_exc()
        code, line = error_line(err)
        hint = "" if args.verbose else " (run 'jutong -v ...' for the traceback)"
        print(f"jutong: {line}" + (hint if code == 1 and _unexpected(err) else ""), file=sys.stderr)
        return code


def _unexpected(err: Exception) -> bool:
    from jutong.lake import LakeError

    return not isinstance(err, (LakeError, *_clear_errors()))


def _clear_errors() -> tuple[type[Exception], ...]:
    """Errors whose message is already one clear line for the user (no type name needed)."""
    from jutong.ingest.landing import LandingError
    from jutong.outputs import OverwriteError
    from jutong.tabular import TabularError

    return (LandingError, OverwriteError, TabularError)


def error_line(err: Exception) -> tuple[int, str]:
    """The exit code and the one line a command error is reported with."""
    from jutong.outputs import OverwriteError
    from jutong.settings import SettingsError

    text = " ".join(str(err).split()) or type(err).__name__
    if isinstance(err, SettingsError):
        return 2, f"settings: {text}"
    if isinstance(err, OverwriteError):
        return 2, text
    if not _unexpected(err):
        return 1, text
    return 1, f"{type(err).__name__}: {text}"


if __name__ == "__main__":
    sys.exit(main())
