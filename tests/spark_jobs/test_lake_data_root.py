"""Spark's writes with ``data_files_root`` (the REST profile of the stack): the files go to the
lake's own folder, the new table's location stays the catalog's, and the rows read back in
Spark and in pyiceberg."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from jutong.lake import Lake

pytestmark = pytest.mark.spark


def test_a_spark_write_lands_apart_and_reads_back(spark, settings, tmp_path):
    from spark_jobs.lake import read_table, write_table

    apart = tmp_path / "data-apart"
    lake = Lake(replace(settings, data_files_root=apart.as_uri()))
    df = spark.createDataFrame([("P1", "王伟"), ("P2", "李娜")], "person_id string, name string")
    write_table(lake, "base", "probe", df, replace=True, properties={"jutong.as_of": "x"})
    table = lake.table("base", "probe")
    files = table.inspect.files().column("file_path").to_pylist()
    assert files and all(f.startswith(f"{apart.as_uri()}/base/probe/data/") for f in files)
    assert not table.location().startswith(apart.as_uri())  # the catalog's own location
    own = Path(table.location().removeprefix("file://")) / "data"
    assert not own.exists() or not list(own.rglob("*.parquet"))
    assert sorted(r.name for r in read_table(spark, lake, "base", "probe").collect()) == [
        "李娜",
        "王伟",
    ]
    assert table.scan().to_arrow().num_rows == 2
    # a second build replaces the rows; the files of both builds are apart
    write_table(lake, "base", "probe", df.limit(1), replace=True, properties={"jutong.as_of": "y"})
    assert lake.table("base", "probe").scan().to_arrow().num_rows == 1
