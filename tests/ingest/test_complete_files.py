"""Only complete files are ingested: a file still being written, or changed while it is
ingested, is left in landing untouched and nothing is published (one line says so)."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from jutong.ingest import FileChangedError, ingest_file, manifests
from jutong.ingest import core as ingest_core
from jutong.settings import load_settings
from tests.ingest.extracts import HUJI_ROWS, deliver_csv, raw_rows, snapshot_id

QUIET = 0.6


def _row(i: int) -> str:
    return f"45010219900307{i:04d},姓名{i},男,1990-03-07,汉族,南宁市兴宁区朝阳路{i}号,\r\n"


class Writer(threading.Thread):
    """Appends rows to a file in small steps, as a slow upload would."""

    def __init__(self, path, start: int, rows: int, seconds: float, encoding: str):
        super().__init__(daemon=True)
        self.path, self.start_at, self.rows = path, start, rows
        self.pause = seconds / rows
        self.encoding = encoding

    def run(self) -> None:
        for i in range(self.start_at, self.start_at + self.rows):
            with open(self.path, "ab") as f:
                f.write(_row(i).encode(self.encoding))
            time.sleep(self.pause)


@pytest.fixture()
def quiet_settings(settings):
    return dataclasses.replace(settings, ingest_quiet_seconds=QUIET)


def _assert_untouched(settings, entry, path, content_before_snapshot, rows_before):
    assert path.exists()
    assert snapshot_id(settings, entry) == content_before_snapshot
    assert len(raw_rows(settings, entry)) == rows_before
    qdir = settings.quarantine_dir / entry.department / entry.dataset
    assert not qdir.exists() or not any(qdir.iterdir())
    incoming = settings.raw_dir / entry.department / entry.dataset / ".incoming"
    assert not incoming.exists() or not any(incoming.iterdir())


def test_quiet_period_is_a_setting_with_a_sensible_default(tmp_path):
    assert load_settings({"JUTONG_HOME": str(tmp_path)}).ingest_quiet_seconds == 5.0
    env = {"JUTONG_HOME": str(tmp_path), "JUTONG_INGEST_QUIET_SECONDS": "0.25"}
    assert load_settings(env).ingest_quiet_seconds == 0.25


def test_a_growing_file_is_left_in_landing_then_ingested_whole(quiet_settings, catalog, capsys):
    settings = quiet_settings
    entry = catalog.get("gongan.huji")
    ingest_file(settings, entry, deliver_csv(settings, entry, "first.csv", HUJI_ROWS[:1]))
    before = (snapshot_id(settings, entry), len(raw_rows(settings, entry)))

    path = deliver_csv(settings, entry, "growing.csv", [])
    writer = Writer(path, 0, 300, 3.0, entry.extract.encoding)
    writer.start()
    time.sleep(0.2)
    refusals = 0
    while writer.is_alive():
        with pytest.raises(FileChangedError) as exc:
            ingest_file(settings, entry, path)
        refusals += 1
        msg = str(exc.value)
        assert "\n" not in msg and msg.startswith("gongan/huji/growing.csv: ")
        assert "left where it is" in msg
        _assert_untouched(settings, entry, path, *before)
    writer.join()
    assert refusals >= 2

    time.sleep(QUIET)  # the writer has finished: the file is now stable
    result = ingest_file(settings, entry, path)
    assert result.rows == 300
    assert len(raw_rows(settings, entry)) == 301
    assert sum(m.rows for m in manifests(settings, entry)) == 301
    assert not path.exists()


def test_a_file_changed_while_it_is_ingested_publishes_nothing(settings, catalog, monkeypatch):
    entry = catalog.get("gongan.huji")
    ingest_file(settings, entry, deliver_csv(settings, entry, "first.csv", HUJI_ROWS[:1]))
    before = (snapshot_id(settings, entry), len(raw_rows(settings, entry)))
    rows = [_row(i).rstrip("\r\n").split(",") for i in range(10)]
    path = deliver_csv(settings, entry, "second.csv", rows)
    monkeypatch.setattr(ingest_core, "CHUNK_ROWS", 3)
    appended = []

    def append_once(_msg: str) -> None:  # the department's upload goes on after the copy
        if not appended:
            with open(path, "ab") as f:
                f.write(_row(99).encode(entry.extract.encoding))
            appended.append(True)

    with pytest.raises(FileChangedError) as exc:
        ingest_file(settings, entry, path, progress=append_once)
    assert str(exc.value) == (
        "gongan/huji/second.csv: changed while it was being ingested (still being written?); "
        "nothing published, the file is left where it is"
    )
    _assert_untouched(settings, entry, path, *before)
    assert path.read_bytes().endswith(_row(99).encode(entry.extract.encoding))
    # no orphaned data file of the refused batch in the table's folder
    table_files = {
        p.name for p in (settings.lake_root / "warehouse").rglob("*.parquet") if "huji" in str(p)
    }
    assert len(table_files) == 1

    # the next run takes the whole file: 11 rows, once
    assert ingest_file(settings, entry, path).rows == 11
    assert len(raw_rows(settings, entry)) == 12


def test_a_killed_ingests_copy_is_cleared_a_live_ones_kept(settings, catalog):
    """A copy in `.incoming` whose run is dead (killed mid-ingest) is deleted by the next
    ingest; a live run's copy and a file without a run token are left alone."""
    from jutong.lake.runs import RunToken, current_run

    entry = catalog.get("gongan.huji")
    incoming = settings.raw_dir / entry.department / entry.dataset / ingest_core.INCOMING
    incoming.mkdir(parents=True)
    host = current_run().host
    dead = incoming / f"{RunToken(int(time.time()) - 60, 2**22 + 7, 'deadbeef', host)}_1_a.csv"
    live = incoming / f"{current_run()}_2_b.csv"
    other = incoming / "notes.txt"
    for f in (dead, live, other):
        f.write_text("x")
    assert ingest_core.clear_dead_copies(incoming) == [dead]
    assert not dead.exists() and live.exists() and other.exists()
