"""Query results of ``jutong sql`` as a text table, CSV, JSON lines or Parquet."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import sys
from pathlib import Path

from jutong import textable

FORMATS = ("table", "csv", "json", "parquet")


def _json_default(v):
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, bytes):
        return v.hex()
    return str(v)


def _cell(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def render_table(table) -> str:
    rows = table.to_pylist()
    right = [
        i
        for i, f in enumerate(table.schema)
        if str(f.type).startswith(("int", "uint", "double", "float", "decimal"))
    ]
    body = textable.render(
        table.column_names, [[_cell(r[c]) for c in table.column_names] for r in rows], right=right
    )
    return body


def to_bytes(table, fmt: str) -> bytes:
    """``table`` (pyarrow) in ``fmt``."""
    if fmt == "table":
        return (render_table(table) + "\n").encode("utf-8")
    if fmt == "csv":
        import pyarrow.csv as pacsv

        buf = io.BytesIO()
        pacsv.write_csv(table, buf)
        return buf.getvalue()
    if fmt == "json":
        lines = (
            json.dumps(r, ensure_ascii=False, default=_json_default) for r in table.to_pylist()
        )
        return "".join(line + "\n" for line in lines).encode("utf-8")
    if fmt == "parquet":
        import pyarrow.parquet as pq

        buf = io.BytesIO()
        pq.write_table(table, buf)
        return buf.getvalue()
    raise ValueError(f"unknown output format '{fmt}' (formats: {', '.join(FORMATS)})")


def write(table, fmt: str, output: Path | None) -> None:
    """Write to ``output``, or to standard output (Parquet only to a file or a pipe)."""
    if output is None and fmt == "parquet" and sys.stdout.isatty():
        raise ValueError("Parquet is binary: give -o FILE (or pipe the output)")
    data = to_bytes(table, fmt)
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
