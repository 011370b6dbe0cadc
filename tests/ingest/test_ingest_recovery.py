"""An ingest killed (SIGKILL) at each step of its publish: the rerun completes the batch
exactly once, and nothing downstream ever sees a batch that is only on a branch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from jutong.catalog import load_catalog
from jutong.ingest import ingest_file, manifests
from jutong.lake import Lake
from jutong.lake.repair import repair

ROWS = [
    ["450102199003071234", "韦小宝", "男", "1990-03-07", "壮族", "南宁市兴宁区朝阳路1号", ""],
    ["450102199003071250", "李四", "男", "1990-03-07", "汉族", "南宁市青秀区民族大道5号", ""],
]


def _deliver(settings, entry):
    folder = settings.landing_dir / entry.department / entry.dataset
    folder.mkdir(parents=True, exist_ok=True)
    header = [it.column for it in entry.items]
    path = folder / "huji.csv"
    lines = [",".join(header)] + [",".join(r[: len(header)]) for r in ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(entry.extract.encoding))
    return path


@pytest.mark.parametrize(
    "point", ["after_branch_write", "in_audit", "before_publish_commit", "after_publish_commit"]
)
def test_killed_ingest_reruns_to_exactly_one_batch(settings, point):
    from spark_jobs.standardize import pending_batches

    entry = load_catalog(settings.catalog_dir).get("gongan.huji")
    path = _deliver(settings, entry)
    env = {**os.environ, "JUTONG_HOME": str(settings.home), "JUTONG_FAILPOINTS": f"{point}=kill"}
    p = subprocess.run(
        [sys.executable, "-m", "jutong", "raw", "ingest", entry.id],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == -signal.SIGKILL, p.stderr
    lake = Lake(settings)
    landed = point == "after_publish_commit"
    # downstream sees the batch only once it is on main; never an AuditError for a branch
    assert len(pending_batches(lake, entry)) == (1 if landed else 0)
    assert path.exists()  # the delivery stays in landing until its manifest is written

    result = ingest_file(settings, entry, path)  # the rerun (repairs first)
    assert result.rows == len(ROWS)
    table = lake.table("raw", entry.table_name)
    assert table.scan().to_arrow().num_rows == len(ROWS)
    assert [r for r in table.metadata.refs if r != "main"] == []
    assert [m.rows for m in manifests(settings, entry)] == [len(ROWS)]
    assert len(pending_batches(lake, entry)) == 1
    [rep] = repair(lake, [f"raw.{entry.table_name}"], dry_run=True)
    assert not rep.changed and not rep.problems
