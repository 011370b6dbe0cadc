"""A standardize killed (SIGKILL) while publishing a batch: the rerun stages it exactly once
(the issue's lost-batch bug: a batch on a dead branch was taken as done), and one dataset's
broken state does not stop another's."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest

from jutong.catalog import load_catalog
from jutong.identifiers.checkdigits import resident_id_check
from jutong.ingest import ingest_file
from jutong.lake import Lake
from jutong.lake.history import published_values
from spark_jobs.standardize import pending_batches, run_standardize

pytestmark = [pytest.mark.spark, pytest.mark.e2e]


def _rid(seq: str) -> str:
    body = f"45010219900307{seq}"
    return body + resident_id_check(body)


# clean rows (valid IDs whose sex digit and birth date agree): the gate passes the batch
ROWS = [
    [_rid("123"), "韦小宝", "男", "1990-03-07", "壮族", "广西壮族自治区南宁市兴宁区朝阳路1号", ""],
    [_rid("135"), "李四", "男", "1990-03-07", "汉族", "广西壮族自治区南宁市青秀区民族大道5号", ""],
    [_rid("246"), "王五", "女", "1990-03-07", "汉族", "广西壮族自治区南宁市江南区星光大道8号", ""],
]


def _ingest(settings, entry):
    folder = settings.landing_dir / entry.department / entry.dataset
    folder.mkdir(parents=True, exist_ok=True)
    header = [it.column for it in entry.items]
    lines = [",".join(header)] + [",".join(r[: len(header)]) for r in ROWS]
    path = folder / "huji.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(entry.extract.encoding))
    return ingest_file(settings, entry, path)


@pytest.mark.parametrize("point", ["after_branch_write", "after_publish_commit"])
def test_killed_standardize_stages_the_batch_exactly_once(spark, settings, point):
    entry = load_catalog(settings.catalog_dir).get("gongan.huji")
    batch = _ingest(settings, entry).batch_id
    env = {**os.environ, "JUTONG_HOME": str(settings.home), "JUTONG_FAILPOINTS": f"{point}=kill"}
    p = subprocess.run(
        [sys.executable, "-m", "jutong", "staging", "standardize", entry.id],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert p.returncode == -signal.SIGKILL, p.stderr[-2000:]
    lake = Lake(settings)
    landed = point == "after_publish_commit"
    assert pending_batches(lake, entry) == ([] if landed else [batch])

    results = run_standardize(spark, settings, entry, dt.date(2026, 12, 1))
    assert [(r.batch_id, r.status) for r in results] == ([] if landed else [(batch, "passed")])
    staging = lake.table("staging", entry.table_name)
    assert published_values(staging) == [batch]
    assert staging.scan().to_arrow().num_rows == len(ROWS)
    assert [r for r in staging.metadata.refs if r != "main"] == []


def test_two_standardize_runs_of_one_dataset_at_once(settings):
    """Two `jutong staging standardize` of one dataset started together: the batch is staged
    once; the other run either finds nothing to do or says it was published by another run —
    one line, no traceback."""
    entry = load_catalog(settings.catalog_dir).get("gongan.huji")
    batch = _ingest(settings, entry).batch_id
    env = {**os.environ, "JUTONG_HOME": str(settings.home)}
    cmd = [sys.executable, "-m", "jutong", "staging", "standardize", entry.id]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
    said = "".join(out for out, _ in outs)
    assert said.count("gate passed") == 1, said
    assert "already published by another run" in said or "no new raw batch" in said, said
    staging = Lake(settings).table("staging", entry.table_name)
    assert published_values(staging) == [batch]
    assert staging.scan().to_arrow().num_rows == len(ROWS)
    assert [r for r in staging.metadata.refs if r != "main"] == []
