"""``jutong themes sources|build|status`` and ``jutong sql`` (docs/themes.md)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
from pathlib import Path

from jutong.themes.results import FORMATS

PROMPT = "jutong-sql> "
MORE = "       ...> "


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"error: --as-of '{text}' is not a date (YYYY-MM-DD)") from None


# ---- themes -------------------------------------------------------------------------------


def cmd_sources(args) -> int:
    from jutong.catalog.loader import load_catalog
    from jutong.settings import get_settings
    from jutong.themes.project import CHECKOUT_PROJECT
    from jutong.themes.sources import SOURCES_FILE, render_sources, stale_sources, write_sources

    settings = get_settings()
    catalog = load_catalog(settings.catalog_dir)
    project = Path(args.project_dir) if args.project_dir else CHECKOUT_PROJECT
    if args.write:
        print(f"wrote {write_sources(catalog, project)}")
        return 0
    if args.check:
        if stale_sources(catalog, project):
            print(
                f"{project / SOURCES_FILE} is stale: run `jutong themes sources --write`",
                file=sys.stderr,
            )
            return 1
        print(f"{project / SOURCES_FILE} is up to date")
        return 0
    sys.stdout.write(render_sources(catalog))
    return 0


def cmd_policies(args) -> int:
    from jutong.settings import get_settings
    from jutong.themes.policies import policy_problems
    from jutong.themes.project import project_dir

    project = Path(args.project_dir) if args.project_dir else project_dir(get_settings())
    problems = policy_problems(project)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} mart column(s) without a usable masking policy", file=sys.stderr)
        return 1
    print("every mart column that reaches PII carries a masking policy")
    return 0


def cmd_build(args) -> int:
    from jutong.settings import get_settings
    from jutong.themes.build import ThemeBuildError, build_themes

    try:
        if args.engine == "spark":
            # entry point: the build on the platform's Spark session (the cluster at scale)
            from spark_jobs.themes import build_themes_on_spark

            res = build_themes_on_spark(get_settings(), as_of=_day(args.as_of), progress=print)
        else:
            res = build_themes(
                get_settings(), as_of=_day(args.as_of), progress=print, docs=not args.no_docs
            )
    except ThemeBuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(res.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"themes built in {res.seconds:.1f} s: {len(res.marts)} marts published")
    return 0


def cmd_status(args) -> int:
    from jutong.settings import get_settings
    from jutong.themes.status import theme_status

    rows, docs = theme_status(get_settings())
    if args.json:
        print(json.dumps({"marts": rows, "docs": docs}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no theme mart published yet: run `jutong themes build`")
        return 0
    from jutong import textable

    print(
        textable.render(
            ["mart", "rows", "as of", "published (UTC)"],
            [[r["mart"], f"{r['rows']:,}", r["as_of"] or "", r["published_at"]] for r in rows],
            right=[1],
        )
    )
    print(f"dbt docs: {docs or 'not generated yet'}")
    return 0


# ---- sql ----------------------------------------------------------------------------------


def _run(con, sql: str, fmt: str, output: Path | None, limit: int) -> None:
    from jutong.themes import results

    statements = con.extract_statements(sql)
    if not statements:
        raise ValueError("no SQL statement given")
    for stmt in statements:
        rel = con.sql(stmt.query)
        if rel is None:  # a statement without a result (SET, PRAGMA)
            continue
        table = (rel.limit(limit + 1) if limit else rel).to_arrow_table()
        truncated = bool(limit) and table.num_rows > limit
        if truncated:
            table = table.slice(0, limit)
        results.write(table, fmt, output)
        if truncated:
            print(f"(first {limit:,} rows; --limit 0 for all)", file=sys.stderr)


def _interactive(con, fmt: str, limit: int) -> int:
    from jutong.themes.sql import tables

    with contextlib.suppress(ImportError):  # not on every platform
        import readline  # noqa: F401 - line editing and history for input()
    print(
        "Read-only SQL over the lake (DuckDB). End statements with ';'. .tables lists the "
        "tables, .quit leaves."
    )
    buf: list[str] = []
    while True:
        try:
            line = input(MORE if buf else PROMPT)
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print()
            buf.clear()
            continue
        cmd = line.strip()
        if not buf and cmd in (".quit", ".exit", "\\q"):
            return 0
        if not buf and cmd == ".tables":
            for zone, name in tables(con):
                print(f"{zone}.{name}")
            continue
        buf.append(line)
        if not cmd.endswith(";"):
            continue
        sql = "\n".join(buf)
        buf.clear()
        try:
            _run(con, sql, fmt, None, limit)
        except Exception as err:  # noqa: BLE001 - the session goes on after a bad statement
            print(f"error: {err}", file=sys.stderr)


def cmd_sql(args) -> int:
    import duckdb

    from jutong.settings import get_settings
    from jutong.themes.sql import connect

    fmt = args.format
    limit = args.limit if args.limit is not None else (1000 if fmt == "table" else 0)
    if limit < 0:
        print("error: --limit must be 0 (no limit) or more", file=sys.stderr)
        return 2
    output = Path(args.output) if args.output else None
    con = connect(get_settings(), as_of=_day(args.as_of))
    try:
        if args.command_sql is None:
            if output is not None:
                print("error: -o needs -c SQL", file=sys.stderr)
                return 2
            return _interactive(con, fmt, limit)
        try:
            _run(con, args.command_sql, fmt, output, limit)
        except (duckdb.Error, ValueError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        return 0
    finally:
        con.close()


def register(sub: argparse._SubParsersAction) -> None:
    tp = sub.add_parser(
        "themes", help="theme databases (主题库): dbt sources, build into the theme zone, status"
    )
    ts = tp.add_subparsers(dest="themes_cmd", required=True)
    sp = ts.add_parser("sources", help="print the dbt sources generated from the catalog")
    g = sp.add_mutually_exclusive_group()
    g.add_argument(
        "--write", action="store_true", help="write dbt_project/models/staging/_sources.yml"
    )
    g.add_argument("--check", action="store_true", help="exit 1 when the committed file is stale")
    sp.add_argument("--project-dir", help="the dbt project (default: this checkout's dbt_project)")
    sp.set_defaults(func=cmd_sources)
    bp = ts.add_parser(
        "build",
        help="dbt build of every mart (the tests are the audit), then publish them to the "
        "theme zone; dbt docs into the lake",
    )
    bp.add_argument("--as-of", help="the day ages and deadlines are computed for (default: today)")
    bp.add_argument("--no-docs", action="store_true", help="skip dbt docs generate")
    bp.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="duckdb: embedded (default); spark: dbt-spark on the platform's Spark session "
        "(spark_master: the cluster at scale), the marts published into the lake the same way",
    )
    bp.add_argument("--json", action="store_true")
    bp.set_defaults(func=cmd_build)
    pp = ts.add_parser(
        "policies",
        help="check that every mart column reaching PII carries a masking policy (exit 1 if not)",
    )
    pp.add_argument("--project-dir", help="the dbt project (default: this checkout's dbt_project)")
    pp.set_defaults(func=cmd_policies)
    st = ts.add_parser("status", help="the published marts: rows, as-of day, when")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)

    qp = sub.add_parser(
        "sql",
        help="read-only SQL (DuckDB) over the base and theme zones: base.population, theme.…",
        description="Read-only SQL over the lake's published tables (DuckDB dialect). Tables: "
        "base.<table> and theme.<mart>. Without -c, an interactive prompt.",
    )
    qp.add_argument("-c", dest="command_sql", metavar="SQL", help="run SQL and exit")
    qp.add_argument("--format", "-f", choices=FORMATS, default="table")
    qp.add_argument("-o", "--output", metavar="FILE", help="write the result to FILE")
    qp.add_argument(
        "--limit",
        type=int,
        help="at most N rows (0: no limit; default 1000 for table output, none otherwise)",
    )
    qp.add_argument("--as-of", help="read the snapshots current at the end of DATE (YYYY-MM-DD)")
    qp.set_defaults(func=cmd_sql)
