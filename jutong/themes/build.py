"""``jutong themes build``: the theme databases built by dbt-duckdb from the lake's published
tables and published into the lake's ``theme`` zone by write-audit-publish.

1. The lake's source tables (``jutong.themes.sources``) are checked (every declared column
   present) and exposed, at their current snapshot, as views in a scratch DuckDB file.
2. ``dbt build`` runs the project there: unit tests, models, then every data test. **The dbt
   tests are the audit**: when any unit test, model or test fails, nothing is published and
   the error names the failing node; every published mart stays exactly as it was.
3. Each mart is written as one Parquet file into its Iceberg table ``theme.<mart>`` on a
   hidden branch, the branch is audited (its row count must be the one dbt built and tested),
   and all marts are published together as one unit (``jutong.lake.publish.PublishUnit``):
   the theme zone never mixes marts of two builds.
4. ``dbt docs generate`` writes the documentation site into ``<lake>/theme/dbt_docs``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from jutong.lake import AuditError, Lake, Zone, table_id
from jutong.lake.history import rows_at
from jutong.settings import Settings
from jutong.telemetry import disable_telemetry
from jutong.themes import lakeviews
from jutong.themes.policies import policy_problems
from jutong.themes.project import docs_dir, project_dir, theme_dir, write_profile
from jutong.themes.sources import TABLES, check_lake, empty_select
from jutong.webassets.dbtdocs import ExternalAssetError, make_offline

MART_SCHEMA = "theme"


class _QuietStatistics(logging.Filter):
    """pyiceberg logs a WARNING per column when it registers a Parquet file whose column
    statistics it does not read (one line per column and mart): noise on the user's terminal;
    the marts are small and read whole."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("PyArrow statistics missing")


logging.getLogger("pyiceberg.io.pyarrow").addFilter(_QuietStatistics())


class ThemeBuildError(RuntimeError):
    """A theme build that published nothing; the message names what failed."""


@dataclass
class ThemeBuild:
    as_of: str
    marts: dict[str, int] = field(default_factory=dict)  # mart -> rows published
    snapshots: dict[str, int] = field(default_factory=dict)
    tests_passed: int = 0
    docs: Path | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of,
            "marts": self.marts,
            "snapshots": self.snapshots,
            "tests_passed": self.tests_passed,
            "docs": str(self.docs) if self.docs else None,
            "seconds": round(self.seconds, 1),
        }


def _invoke(args: list[str]):
    """Run a dbt command in this process (dbt's programmatic entry point)."""
    from dbt.cli.main import dbtRunner

    disable_telemetry()
    return dbtRunner().invoke(args)


def _node_label(node) -> str:
    kind = node.resource_type.value if hasattr(node.resource_type, "value") else node.resource_type
    name = node.name
    if kind == "test" and getattr(node, "attached_node", None):
        model = node.attached_node.split(".")[-1]
        return f"test {name} (on {model})"
    return f"{kind} {name}"


def _failures(result) -> list[str]:
    """Failing nodes of a dbt result, each with its message."""
    out = []
    for r in getattr(result.result, "results", None) or []:
        status = str(r.status).lower().rsplit(".", 1)[-1]
        if status in ("error", "fail", "runtime error"):
            msg = (r.message or "").strip().splitlines()
            out.append(f"{_node_label(r.node)}: {status}: {msg[0] if msg else ''}".rstrip(": "))
    return out


def _marts(manifest_path: Path) -> list[str]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return sorted(
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model"
        and n["config"].get("materialized") == "table"
        and n["schema"] == MART_SCHEMA
    )


def _prepare(lake: Lake, database: Path, as_of: dt.date | None, say) -> None:
    """Every source table as a view (or, for a register not delivered yet, an empty one) in
    the scratch DuckDB file dbt runs on."""
    import duckdb

    base_names = [t.name for t in TABLES if t.zone is Zone.base]
    pinned = lakeviews.unit_snapshots(lake, Zone.base, base_names) if as_of is None else {}
    con = duckdb.connect(str(database))
    try:
        for t in TABLES:
            ident = table_id(t.zone, t.name)
            src = None
            if lake.table_or_none(t.zone, t.name) is not None:
                try:
                    at = pinned.get(t.name) if t.zone is Zone.base else None
                    src = lakeviews.view_source(lake, t.zone, t.name, as_of, at)
                except lakeviews.SnapshotNotFoundError as err:
                    if t.zone is not Zone.staging:
                        raise ThemeBuildError(f"{err}: nothing to build the themes from") from err
            if src is None:
                say(f"  WARNING {ident}: no published batch (yet), read as empty")
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {t.zone.value}")
                con.execute(f'CREATE VIEW {t.zone.value}."{t.name}" AS {empty_select(t)}')
                continue
            lakeviews.create_view(con, src, persistent=True)
    finally:
        con.close()


def _dbt_args(command: str, project: Path, scratch: Path, work: Path, as_of: str) -> list[str]:
    return [
        command,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(scratch),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--vars",
        json.dumps({"as_of": as_of}),
        "--quiet",
    ]


def build_themes(
    settings: Settings,
    *,
    as_of: dt.date | None = None,
    lake: Lake | None = None,
    progress: Callable[[str], None] | None = None,
    docs: bool = True,
) -> ThemeBuild:
    """Build every mart and publish them to the ``theme`` zone (see the module doc)."""
    start = time.monotonic()
    say = progress or (lambda _msg: None)
    lake = lake or Lake(settings)
    day = as_of or dt.date.today()
    res = ThemeBuild(day.isoformat())
    problems = check_lake(lake) + policy_problems(project_dir(settings))
    if problems:
        raise ThemeBuildError("cannot build the themes: " + "; ".join(problems))
    project = project_dir(settings)
    work = theme_dir(settings) / "_dbt"
    scratch = work / "scratch"  # a fixed place: dbt's partial parse stays valid across builds
    scratch.mkdir(parents=True, exist_ok=True)
    with _exclusive(work / "build.lock"):
        database = scratch / "themes.duckdb"
        for stale in scratch.glob("themes.duckdb*"):
            stale.unlink()
        try:
            _run_build(settings, lake, res, project, scratch, work, database, say, docs)
        finally:
            for leftover in scratch.glob("themes.duckdb*"):
                leftover.unlink(missing_ok=True)
    res.seconds = time.monotonic() - start
    return res


@contextlib.contextmanager
def _exclusive(path: Path):
    """One theme build at a time per lake (they share the scratch database and dbt target)."""
    import fcntl

    with open(path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ThemeBuildError(
                f"another theme build is running on this lake (lock {path}); nothing was done"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# ---- the build as Airflow tasks (build__themes: prepare, one dbt task per model, publish) ----


def airflow_database(settings: Settings) -> Path:
    """The scratch DuckDB file of the ``build__themes`` DAG: the prepare task writes the
    source views there, the dbt tasks build the models there, the publish task reads the marts
    from it (one run at a time: the DAG's ``max_active_runs=1``)."""
    return theme_dir(settings) / "_dbt" / "airflow" / "themes.duckdb"


def prepare_for_tasks(
    settings: Settings, lake: Lake, *, say: Callable[[str], None] = print
) -> Path:
    """The first task: the lake's source tables checked and exposed as views in a fresh
    ``airflow_database``; refuses (ThemeBuildError) what ``build_themes`` refuses."""
    problems = check_lake(lake) + policy_problems(project_dir(settings))
    if problems:
        raise ThemeBuildError("cannot build the themes: " + "; ".join(problems))
    database = airflow_database(settings)
    database.parent.mkdir(parents=True, exist_ok=True)
    for stale in database.parent.glob(database.name + "*"):
        stale.unlink()
    say(f"themes: reading {len(TABLES)} lake tables into {database}")
    _prepare(lake, database, None, say)
    return database


def publish_from_tasks(
    settings: Settings,
    lake: Lake,
    as_of: dt.date,
    *,
    say: Callable[[str], None] = print,
    docs: bool = True,
) -> ThemeBuild:
    """The last task, after every dbt task passed (the audit): each mart of the project read
    from ``airflow_database`` and all published to the ``theme`` zone as one unit; the dbt
    docs written into the lake."""
    from jutong.themes.policies import mart_names

    start = time.monotonic()
    res = ThemeBuild(as_of.isoformat())
    database = airflow_database(settings)
    if not database.is_file():
        raise ThemeBuildError(f"{database} is missing: the prepare task did not run")
    marts = mart_names(project_dir(settings))
    res.marts, res.snapshots = _publish(lake, database, marts, res.as_of)
    for mart, n in res.marts.items():
        say(f"  theme.{mart}: {n:,} rows")
    if docs:
        work = theme_dir(settings) / "_dbt" / "airflow"
        write_profile(work, database)
        res.docs = _docs(settings, project_dir(settings), work, work, res.as_of, compile=True)
        say(f"themes: dbt docs in {res.docs}")
    res.seconds = time.monotonic() - start
    return res


def _run_build(settings, lake, res, project, scratch, work, database, say, docs) -> None:
    say(
        f"themes: reading {len(TABLES)} lake tables (current snapshots; ages and deadlines "
        f"as of {res.as_of})"
    )
    _prepare(lake, database, None, say)
    write_profile(scratch, database, threads=min(4, os.cpu_count() or 1))
    say("themes: dbt build (unit tests, models, data tests) …")
    result = _invoke(_dbt_args("build", project, scratch, work, res.as_of))
    if not result.success:
        failures = _failures(result)
        detail = "; ".join(failures) if failures else str(result.exception)
        raise ThemeBuildError(
            f"dbt build failed — {detail}. Nothing was published; the theme zone is "
            f"unchanged (log: {work / 'logs' / 'dbt.log'})"
        )
    res.tests_passed = sum(
        1 for r in result.result.results if _node_label(r.node).startswith(("test", "unit_test"))
    )
    marts = _marts(work / "target" / "manifest.json")
    say(f"themes: dbt build passed ({res.tests_passed} tests); publishing {len(marts)} marts")
    res.marts, res.snapshots = _publish(lake, database, marts, res.as_of)
    for mart, n in res.marts.items():
        say(f"  theme.{mart}: {n:,} rows")
    if docs:
        res.docs = _docs(settings, project, scratch, work, res.as_of)
        say(f"themes: dbt docs in {res.docs}")


def _publish(
    lake: Lake, database: Path, marts: list[str], as_of: str
) -> tuple[dict[str, int], dict[str, int]]:
    import duckdb

    con = duckdb.connect(str(database))  # dbt-duckdb may hold it open in this process
    try:
        frames = {m: con.sql(f'SELECT * FROM {MART_SCHEMA}."{m}"').to_arrow_table() for m in marts}
    finally:
        con.close()
    rows = {m: f.num_rows for m, f in frames.items()}
    with lake.unit("themes", [table_id(Zone.theme, m) for m in marts]) as unit:
        for mart, frame in frames.items():
            table = lake.ensure_table(Zone.theme, mart, frame.schema)
            path = lake.new_data_path(table, "build")
            fs, local = lake.filesystem(path)
            fs.create_dir(local.rsplit("/", 1)[0], recursive=True)
            with fs.open_output_stream(local) as out:
                pq.write_table(frame, out)
            unit.stage(
                table,
                [path],
                properties={"jutong.as_of": as_of, "jutong.operation": "themes build"},
                audit=_row_audit(mart, rows[mart]),
                replace=rows_at(table) > 0,  # the mart's rows are replaced, never added to
            )
        snapshots = unit.publish()
    return rows, {k.split(".", 1)[1]: v for k, v in snapshots.items()}


def _row_audit(mart: str, expected: int):
    def audit(table, snapshot_id: int) -> None:
        n = rows_at(table, snapshot_id)
        if n != expected:
            raise AuditError(f"theme.{mart}: branch holds {n} rows, dbt built {expected}")

    return audit


def _docs(
    settings: Settings, project: Path, scratch: Path, work: Path, as_of: str, *, compile=False
) -> Path:
    """``dbt docs generate`` on the build's own manifest (nothing compiled again; with
    ``compile``, after compiling the project, as the Airflow tasks' builds leave no manifest
    of the whole project), the site copied into the lake; ``static_index.html`` is one
    self-contained page."""
    target = docs_dir(settings)
    args = _dbt_args("docs", project, scratch, work, as_of)
    args[1:1] = ["generate", "--static"] + ([] if compile else ["--no-compile"])
    result = _invoke(args)
    if not result.success:
        raise ThemeBuildError(f"dbt docs generate failed: {result.exception}")
    target.mkdir(parents=True, exist_ok=True)
    for name in ("static_index.html", "index.html", "manifest.json", "catalog.json"):
        if name.endswith(".html"):  # no tracker from a CDN: the pages work offline
            try:
                make_offline(work / "target" / name)
            except ExternalAssetError as err:
                raise ThemeBuildError(str(err)) from None
        shutil.copyfile(work / "target" / name, target / name)
    return target / "static_index.html"
