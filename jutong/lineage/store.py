"""The lineage table ``meta.lineage``: the lake's own bookkeeping zone (``Zone.meta``), written
like every lake table by write-audit-publish (``jutong.lake``), replaced as a whole by each
``jutong lineage build``. A build whose edges equal the published ones publishes nothing
(the snapshot carries the edges' SHA-256 in ``jutong.lineage_sha256``): idempotent."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pyarrow as pa
import pyarrow.parquet as pq

from jutong.lake import AuditError, Lake, Zone
from jutong.lake.history import rows_at
from jutong.lineage.model import Edge, split_name

TABLE = "lineage"
HASH_PROPERTY = "jutong.lineage_sha256"
SCHEMA = pa.schema(
    [
        pa.field("target", pa.string()),
        pa.field("target_zone", pa.string()),
        pa.field("target_table", pa.string()),
        pa.field("target_column", pa.string()),
        pa.field("source", pa.string()),
        pa.field("hop", pa.string()),
        pa.field("transform", pa.string()),
        pa.field("detail", pa.string()),
        pa.field("article", pa.string()),
        pa.field("built_at", pa.timestamp("us", tz="UTC")),
    ]
)


def edges_hash(edges: list[Edge]) -> str:
    body = json.dumps([e.as_dict() for e in sorted(edges, key=Edge.sort_key)], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def to_arrow(edges: list[Edge], built_at: dt.datetime) -> pa.Table:
    edges = sorted(edges, key=Edge.sort_key)
    parts = [split_name(e.target) for e in edges]
    return pa.table(
        {
            "target": [e.target for e in edges],
            "target_zone": [p[0] for p in parts],
            "target_table": [p[1] for p in parts],
            "target_column": [p[2] for p in parts],
            "source": [e.source for e in edges],
            "hop": [e.hop for e in edges],
            "transform": [e.transform for e in edges],
            "detail": [e.detail for e in edges],
            "article": [e.article for e in edges],
            "built_at": [built_at] * len(edges),
        },
        schema=SCHEMA,
    )


def write_lineage(lake: Lake, edges: list[Edge]) -> tuple[int, bool]:
    """Publish ``edges`` as ``meta.lineage``; returns (rows, whether a snapshot was published)."""
    digest = edges_hash(edges)
    frame = to_arrow(edges, dt.datetime.now(dt.UTC))
    table = lake.ensure_table(Zone.meta, TABLE, SCHEMA)
    current = table.current_snapshot()
    summary = current.summary if current is not None else None
    if summary is not None and dict(summary.additional_properties).get(HASH_PROPERTY) == digest:
        return frame.num_rows, False
    path = lake.new_data_path(table, "build")
    fs, local = lake.filesystem(path)
    fs.create_dir(local.rsplit("/", 1)[0], recursive=True)
    with fs.open_output_stream(local) as out:
        pq.write_table(frame, out)

    def audit(t, snapshot_id: int) -> None:
        n = rows_at(t, snapshot_id)
        if n != frame.num_rows:
            raise AuditError(f"meta.{TABLE}: branch holds {n} rows, {frame.num_rows} derived")

    lake.publish_files(
        table,
        [path],
        properties={HASH_PROPERTY: digest, "jutong.operation": "lineage build"},
        audit=audit,
        replace=rows_at(table) > 0,
    )
    return frame.num_rows, True


def read_lineage(lake: Lake) -> list[Edge] | None:
    """The published edges, or None when no lineage was built yet."""
    table = lake.table_or_none(Zone.meta, TABLE)
    if table is None or table.current_snapshot() is None:
        return None
    frame = table.scan().to_arrow()
    if frame.num_rows == 0:
        return None
    cols = ("target", "source", "hop", "transform", "detail", "article")
    data = {c: frame.column(c).to_pylist() for c in cols}
    return [Edge(*(data[c][i] for c in cols)) for i in range(frame.num_rows)]
