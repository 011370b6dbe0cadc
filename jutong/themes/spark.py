"""The theme project on Spark (at scale, GX design: "dbt-spark against the cluster").

``compile_on_spark`` runs ``dbt compile`` with the ``spark`` target — the project's SQL is
portable (dbt's cross-database macros, ``month_day`` dispatched per engine) — and returns
the folder of the compiled SQL. ``run_on_spark`` runs selected models there (``dbt run``),
``build_on_spark`` the whole project with its tests (``dbt build``); with the session method
they use this process's active Spark session (the caller starts it with the platform's
settings), whose databases ``base`` and ``staging`` must hold the source tables.
``spark_jobs.themes`` prepares those from the lake and publishes the marts built there into
the lake's ``theme`` zone (``jutong themes build --engine spark``).
"""

from __future__ import annotations

import json
from pathlib import Path

from jutong.settings import Settings
from jutong.telemetry import disable_telemetry
from jutong.themes.project import project_dir, spark_output, theme_dir, write_profile


class SparkTargetError(RuntimeError):
    """dbt on Spark failed; the message names the node."""


def _run(settings: Settings, command: list[str], output: dict, as_of: str):
    from dbt.cli.main import dbtRunner

    from jutong.themes.build import _failures

    disable_telemetry()
    work = theme_dir(settings) / "_dbt_spark"
    profiles = work / "profile"
    write_profile(profiles, work / "unused.duckdb", spark=output)
    args = [
        *command,
        "--project-dir",
        str(project_dir(settings)),
        "--profiles-dir",
        str(profiles),
        "--target",
        "spark",
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--vars",
        json.dumps({"as_of": as_of}),
        "--quiet",
    ]
    result = dbtRunner().invoke(args)
    if not result.success:
        failures = _failures(result) if result.result is not None else []
        detail = "; ".join(failures) if failures else str(result.exception)
        raise SparkTargetError(
            f"dbt {command[0]} on Spark failed — {detail} (log: {work / 'logs' / 'dbt.log'})"
        )
    return work / "target", result


def compile_on_spark(
    settings: Settings,
    *,
    method: str = "session",
    host: str = "",
    port: int = 10000,
    as_of: str = "2026-11-01",
) -> Path:
    """``dbt compile --target spark``; the compiled SQL's folder."""
    target, _ = _run(settings, ["compile"], spark_output(method, host, port), as_of)
    return target / "compiled" / "jutong_themes"


def run_on_spark(
    settings: Settings,
    select: str,
    *,
    method: str = "session",
    host: str = "",
    port: int = 10000,
    as_of: str = "2026-11-01",
) -> Path:
    """``dbt run --select SELECT --target spark``."""
    target, _ = _run(settings, ["run", "--select", select], spark_output(method, host, port), as_of)
    return target


def build_on_spark(
    settings: Settings,
    *,
    method: str = "session",
    host: str = "",
    port: int = 10000,
    as_of: str = "2026-11-01",
) -> int:
    """``dbt build --target spark``: every model with its unit and data tests; the number of
    tests that passed (``SparkTargetError`` naming the failed nodes otherwise)."""
    from jutong.themes.build import _node_label

    _, result = _run(settings, ["build"], spark_output(method, host, port), as_of)
    return sum(
        1 for r in result.result.results if _node_label(r.node).startswith(("test", "unit_test"))
    )
