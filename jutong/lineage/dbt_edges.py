"""Edges of the theme databases, derived from dbt's compiled SQL with sqlglot.

``compile_manifest`` runs ``dbt compile`` on the project (``jutong.themes.project``) with a
throw-away DuckDB profile: nothing is read from the lake, nothing is written into the
project. ``dbt_edges`` then walks the models in dependency order; each model's SELECT is
qualified against the columns of what it reads (the declared theme sources,
``jutong.themes.sources.TABLES``, then the models already read) so that ``select *`` expands,
and ``sqlglot.lineage`` gives, for every output column, the columns of its inputs it is
computed from and the expressions on the way. dbt's staging and intermediate views are the
``dbt`` zone (not published); marts are the ``theme`` zone; sources are the lake tables they
name (``meta.lake_table``).
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.lineage import Node, lineage
from sqlglot.optimizer.qualify import qualify

from jutong.lineage.model import ROWS, Edge, Hop, edge
from jutong.telemetry import disable_telemetry
from jutong.themes.project import write_profile
from jutong.themes.sources import TABLES

DIALECT = "duckdb"
# A sentinel for dbt's var ``as_of`` (the build day): shown as ``as_of`` in the details.
AS_OF = "1900-01-01"
MART_SCHEMA = "theme"


class LineageError(RuntimeError):
    """Lineage that cannot be derived or shown; the message says why."""


def project_digest(project: Path) -> str:
    """SHA-256 over the project's files that the compiled SQL depends on."""
    digest = hashlib.sha256()
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if path.is_file() and rel.parts[0] in ("models", "macros", "dbt_project.yml"):
            digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


_COMPILED: dict[tuple[str, str], dict] = {}


def compile_manifest(project: Path) -> dict:
    """The manifest of ``dbt compile`` on ``project`` (compiled SQL of every model); compiled
    once per process for the same project files."""
    key = (str(project.resolve()), project_digest(project))
    if key not in _COMPILED:
        _COMPILED.clear()
        _COMPILED[key] = _compile(project)
    return _COMPILED[key]


def _compile(project: Path) -> dict:
    from dbt.cli.main import dbtRunner

    disable_telemetry()
    with tempfile.TemporaryDirectory(prefix="jutong-lineage-") as tmp:
        work = Path(tmp)
        write_profile(work, work / "lineage.duckdb")
        result = dbtRunner().invoke(
            [
                "compile",
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(work),
                "--target-path",
                str(work / "target"),
                "--log-path",
                str(work / "logs"),
                "--vars",
                json.dumps({"as_of": AS_OF}),
                "--no-partial-parse",
                "--quiet",
            ]
        )
        if not result.success:
            raise LineageError(f"dbt compile of {project} failed: {result.exception}")
        return json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))


def _node_table(node: dict) -> str:
    """``zone.table`` of a dbt model: marts are published to ``theme``, the rest are views."""
    zone = "theme" if node["schema"] == MART_SCHEMA else "dbt"
    return f"{zone}.{node['name']}"


def _key(relation: exp.Table) -> tuple[str, str, str]:
    return (relation.catalog, relation.db, relation.name)


def _models_in_order(nodes: dict[str, dict]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(k: str) -> None:
        if k in seen or k not in nodes:
            return
        seen.add(k)
        for d in nodes[k]["depends_on"]["nodes"]:
            visit(d)
        order.append(k)

    for k in sorted(nodes):
        visit(k)
    return order


def _plain(e: exp.Expression, as_of: str = AS_OF) -> str:
    """An expression as a reader wants it: columns without their table, no quotes, the build
    day named, one line."""
    e = e.copy().transform(lambda n: exp.column(n.name) if isinstance(n, exp.Column) else n)
    sql = e.sql(dialect=DIALECT).replace('"', "")
    sql = sql.replace(f"CAST('{as_of}' AS DATE)", "as_of")
    return re.sub(r"\s+", " ", sql).strip()


def _bare(e: exp.Expression) -> exp.Expression:
    return e.this if isinstance(e, exp.Alias) else e


def _transform(
    path: list[Node], source_column: str, target_column: str, as_of: str
) -> tuple[str, str]:
    """(kind, detail) of the expressions between an output column and one input column."""
    exprs = [_bare(n.expression) for n in path if not isinstance(n.expression, exp.Table)]
    computed = [e for e in exprs if not isinstance(e, exp.Column)]
    if not computed:
        kind = "copied" if source_column == target_column else "renamed"
        return kind, "" if kind == "copied" else f"{source_column} as {target_column}"
    aggregated = any(e.find(exp.AggFunc) for e in computed)
    detail = "; ".join(dict.fromkeys(_plain(e, as_of) for e in reversed(computed)))
    return ("aggregated" if aggregated else "derived"), detail[:300]


def _rows_source(select: exp.Expression, ctes: dict[str, exp.Expression]) -> exp.Table | None:
    """The table whose rows a ``count(*)`` in ``select`` counts: its FROM, through CTEs."""
    while select is not None:
        if isinstance(select, exp.Union):
            select = select.left
            continue
        from_ = select.args.get("from") or select.args.get("from_")
        table = from_.this if from_ is not None else None
        if not isinstance(table, exp.Table):
            return None
        if not table.db and table.name in ctes:
            select = ctes[table.name]
            continue
        return table
    return None


def _rows_kind(query: exp.Expression) -> str:
    if query.args.get("group"):
        return "aggregated"
    if query.find(exp.Where) or query.find(exp.Join):
        return "filtered"
    return "copied"


def _paths(node: Node, trail: list[Node]):
    """(path, leaf) for every leaf under ``node``."""
    trail = [*trail, node]
    if not node.downstream:
        yield trail, node
        return
    for d in node.downstream:
        yield from _paths(d, trail)


def complete(manifest: dict) -> bool:
    """Whether every model of ``manifest`` has its compiled SQL (a ``dbt build`` or
    ``compile`` wrote it)."""
    models = [n for n in manifest.get("nodes", {}).values() if n["resource_type"] == "model"]
    return bool(models) and all(n.get("compiled_code") for n in models)


def dbt_edges(manifest: dict, as_of: str = AS_OF) -> list[Edge]:
    """Every edge from the lake's source tables through dbt's views to the theme marts.
    ``as_of``: the value of dbt's var ``as_of`` the manifest was compiled with (named
    ``as_of`` in the details, so that the edges do not depend on the build day)."""
    relations: dict[tuple[str, str, str], str] = {}  # relation -> zone.table
    schema: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
    declared = {f"{t.zone.value}.{t.name}": t for t in TABLES}

    def put(relation_name: str, table: str, columns: dict[str, str]) -> None:
        rel = exp.to_table(relation_name, dialect=DIALECT)
        relations[_key(rel)] = table
        schema.setdefault(rel.catalog, {}).setdefault(rel.db, {})[rel.name] = columns

    for src in manifest["sources"].values():
        lake_table = src["meta"].get("lake_table")
        if lake_table not in declared:
            raise LineageError(f"dbt source {src['unique_id']} names no declared lake table")
        cols = {c.name: c.data_type for c in declared[lake_table].columns}
        put(src["relation_name"], lake_table, cols)

    nodes = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    out: list[Edge] = []
    for key in _models_in_order(nodes):
        node = nodes[key]
        target_table = _node_table(node)
        try:
            parsed = sqlglot.parse_one(node["compiled_code"], read=DIALECT)
            query = qualify(parsed, schema=schema, dialect=DIALECT, validate_qualify_columns=False)
        except sqlglot.errors.SqlglotError as err:
            raise LineageError(
                f"{node['original_file_path']}: sqlglot cannot read it: {err}"
            ) from err
        columns = list(query.named_selects)
        put(node["relation_name"], target_table, dict.fromkeys(columns, "UNKNOWN"))
        ctes = {c.alias: c.this for c in query.find_all(exp.CTE)}
        for col in columns:
            out += _column_edges(query, col, target_table, schema, relations, ctes, as_of)
        rows = _rows_source(query, ctes)
        if rows is not None and _key(rows) in relations:
            out.append(
                edge(
                    f"{target_table}.{ROWS}",
                    f"{relations[_key(rows)]}.{ROWS}",
                    Hop.dbt,
                    _rows_kind(query),
                    f"rows of {node['name']}",
                )
            )
    return sorted(set(out), key=Edge.sort_key)


def _column_edges(query, col, target_table, schema, relations, ctes, as_of) -> list[Edge]:
    root = lineage(col, query, schema=schema, dialect=DIALECT)
    target = f"{target_table}.{col}"
    out = []
    for path, leaf in _paths(root, []):
        if isinstance(leaf.expression, exp.Table):
            rel = _key(leaf.expression)
            if rel not in relations:
                raise LineageError(f"{target}: reads {leaf.expression.sql()}, not a known relation")
            source_col = leaf.name.rsplit(".", 1)[-1].strip('"')
            kind, detail = _transform(path, source_col, col, as_of)
            out.append(edge(target, f"{relations[rel]}.{source_col}", Hop.dbt, kind, detail))
            continue
        exprs = [_bare(n.expression) for n in path]
        computed = [e for e in exprs if not isinstance(e, exp.Column)] or exprs
        if any(e.find(exp.Count) and e.find(exp.Star) for e in computed):
            rows = _rows_source(root.source, ctes) if root.source is not None else None
            src = f"{relations[_key(rows)]}.{ROWS}" if rows and _key(rows) in relations else None
            out.append(edge(target, src, Hop.dbt, "aggregated", _plain(computed[0], as_of)))
        else:  # a literal (the build day, a dataset's name): the innermost expression
            out.append(edge(target, None, Hop.dbt, "constant", _plain(computed[-1], as_of)))
    return out
