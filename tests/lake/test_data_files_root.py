"""Data files apart from the tables' locations (``data_files_root``): a REST catalog whose
storage takes only the catalog's own writes in a table's location (SeaweedFS's table buckets
answer 403 to anything else) still gets every write, and repair and drop find the files."""

from __future__ import annotations

import signal
from dataclasses import replace
from pathlib import Path

import pytest
from lakeutil import make_table, publish_batch, run_writer, table_state

from jutong.lake import Lake
from jutong.lake.repair import repair


@pytest.fixture()
def apart(tmp_path: Path) -> Path:
    return tmp_path / "data-apart"


@pytest.fixture()
def lake(settings, apart, monkeypatch):
    monkeypatch.setenv("JUTONG_DATA_FILES_ROOT", apart.as_uri())  # for writer processes
    return Lake(replace(settings, data_files_root=apart.as_uri()))


def _parquet_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.parquet")) if folder.exists() else []


def test_files_are_written_apart_and_the_table_reads_them(lake, apart):
    t = make_table(lake)
    assert lake.data_location("staging", "t") == f"{apart.as_uri()}/staging/t"
    publish_batch(lake, t, "b0", 7)
    assert table_state(lake, "staging", "t")["rows"] == 7
    written = _parquet_under(apart / "staging" / "t" / "data")
    assert len(written) == 1 and "_batch_id=b0" in str(written[0])
    # the table's own location holds its metadata only (the empty create snapshot writes no
    # data file)
    own = Path(lake.table("staging", "t").location().removeprefix("file://"))
    assert _parquet_under(own / "data") == []
    live = lake.table("staging", "t").inspect.files().column("file_path").to_pylist()
    assert [Path(p.removeprefix("file://")) for p in live] == written


def test_without_the_setting_files_stay_in_the_table_location(settings):
    lake = Lake(settings)
    t = make_table(lake)
    publish_batch(lake, t, "b0", 3)
    own = Path(lake.table("staging", "t").location().removeprefix("file://"))
    assert len(_parquet_under(own / "data")) == 1
    assert lake.data_locations("staging", "t") == [lake.location("staging", "t")]


def test_repair_finds_a_dead_writers_files_apart_and_removes_them(lake, settings, apart):
    t = make_table(lake)
    publish_batch(lake, t, "b0", 5)
    p = run_writer(
        settings.home, "batch", "staging", "t", "b1", "10", failpoints="before_branch=kill"
    )
    p.communicate(timeout=120)
    assert p.returncode == -signal.SIGKILL
    assert len(_parquet_under(apart / "staging" / "t" / "data")) == 2  # b0's and the dead b1's
    [dry] = repair(lake, ["staging.t"], dry_run=True)
    assert len(dry.orphan_files) == 1 and "data-apart" in dry.orphan_files[0]
    repair(lake, ["staging.t"])
    assert len(_parquet_under(apart / "staging" / "t" / "data")) == 1
    assert table_state(lake, "staging", "t") == {"rows": 5, "batches": ["b0"], "branches": []}


def test_dropping_a_table_removes_its_files_apart(lake, apart):
    t = make_table(lake)
    publish_batch(lake, t, "b0", 2)
    assert _parquet_under(apart / "staging" / "t")
    lake.drop_table("staging", "t")
    assert lake.table_or_none("staging", "t") is None
    assert not (apart / "staging" / "t").exists()
