"""Helpers for the lake tests: a tiny batch table written with pyarrow (no Spark), and a
writer process that publishes one batch (run as a script, so a test can kill it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema([("_batch_id", pa.string()), ("_row_number", pa.int64()), ("v", pa.string())])
HERE = Path(__file__).resolve()


def make_table(lake, name: str = "t", zone: str = "staging"):
    return lake.ensure_table(zone, name, SCHEMA, partition_by=["_batch_id"])


def write_batch(lake, table, batch_id: str, rows: int, files: int = 1) -> list[str]:
    """``files`` Parquet files holding ``rows`` rows of one batch, under the table's folder."""
    out = []
    per = max(1, rows // files)
    start = 0
    for i in range(files):
        n = rows - start if i == files - 1 else per
        uri = lake.new_data_path(table, f"_batch_id={batch_id}")
        t = pa.table(
            {
                "_batch_id": [batch_id] * n,
                "_row_number": list(range(start, start + n)),
                "v": [f"r{j}" for j in range(start, start + n)],
            },
            schema=SCHEMA,
        )
        fs, path = lake.filesystem(uri)
        fs.create_dir(str(Path(path).parent), recursive=True)
        with fs.open_output_stream(path) as f:
            pq.write_table(t, f)
        out.append(uri)
        start += n
    return out


def audit_rows(batch_id: str, expected: int):
    from jutong.lake import AuditError
    from jutong.lake.history import batch_rows

    def audit(table, snapshot_id: int) -> None:
        got = batch_rows(table, batch_id, snapshot_id)
        if got != expected:
            raise AuditError(f"batch {batch_id}: {got} rows on the branch, {expected} written")

    return audit


def already(batch_id: str):
    from jutong.lake.history import snapshot_with_property

    return lambda table: snapshot_with_property(table, "jutong.batch_id", batch_id) is not None


def publish_batch(lake, table, batch_id: str, rows: int, files: int = 1) -> int:
    uris = write_batch(lake, table, batch_id, rows, files)
    return lake.publish_files(
        table,
        uris,
        properties={"jutong.batch_id": batch_id},
        audit=audit_rows(batch_id, rows),
        skip_if=already(batch_id),
    )


def run_writer(home: Path, *args: str, failpoints: str = "", wait_for: Path | None = None):
    """Start this file as a writer process; returns the Popen."""
    env = {**os.environ, "JUTONG_HOME": str(home), "JUTONG_FAILPOINTS": failpoints}
    if not failpoints:
        env.pop("JUTONG_FAILPOINTS")
    cmd = [sys.executable, str(HERE), str(wait_for or ""), *args]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def table_state(lake, zone: str, name: str) -> dict:
    t = lake.table(zone, name)
    rows = t.scan().to_arrow()  # reads every live file: fails if one is missing
    return {
        "rows": rows.num_rows,
        "batches": sorted(set(rows.column("_batch_id").to_pylist())),
        "branches": sorted(r for r in t.metadata.refs if r != "main"),
    }


def _main(argv: list[str]) -> int:
    from jutong.lake import Lake, LakeError
    from jutong.settings import load_settings

    wait_for, mode, zone, name = argv[0], argv[1], argv[2], argv[3]
    lake = Lake(load_settings())
    table = lake.table(zone, name)
    if wait_for:  # a start line for concurrent writers
        while not Path(wait_for).exists():
            time.sleep(0.01)
    try:
        if mode == "batch":
            sid = publish_batch(lake, table, argv[4], int(argv[5]))
            print(json.dumps({"published": sid}))
        else:  # unit: publish batch argv[4] to every table named in argv[5:]
            batch, names = argv[4], argv[5:]
            tables = [f"{zone}.{n}" for n in names]
            with lake.unit("test-unit", tables) as unit:
                for n in names:
                    t = lake.table(zone, n)
                    unit.stage(
                        t,
                        write_batch(lake, t, batch, 10),
                        properties={"jutong.batch_id": batch},
                        audit=audit_rows(batch, 10),
                    )
                print(json.dumps({"published": unit.publish()}))
    except LakeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
