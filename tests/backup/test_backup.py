"""``jutong backup`` / ``jutong restore``: a lake (every zone the themes read, written with the
lake layer), raw copies and a governance database with cases and an audit chain, backed up
and restored into an empty installation — every table's rows, the raw bytes and every
governance row identical; a damaged or unfinished backup and a non-empty target refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from jutong.backup.core import BackupError, backup, restore, table_rows, verify_backup
from jutong.cli import main
from jutong.governance.audit import events, verify
from jutong.governance.cases.actors import parse_actor
from jutong.governance.db import dispose_all, engine
from jutong.governance.schema import metadata
from jutong.governance.sharing.requests import request_share
from jutong.lake import Lake
from tests.themes import tiny_lake


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    dispose_all()


def _source(settings) -> None:
    tiny_lake.build_lake(Lake(settings))
    raw = Path(settings.raw_dir) / "gongan" / "huji"
    raw.mkdir(parents=True)
    (raw / "huji_20261101.csv").write_bytes(
        "姓名,公民身份号码\n黄一,450102199003010011\n".encode("gbk")
    )
    request_share(
        settings,
        actor=parse_actor("李科员:requester_staff@minzheng"),
        resource="gongan.huji",
        items=["姓名"],
        purpose="核查",
    )


def _governance_rows(settings) -> dict[str, list]:
    with engine(settings).connect() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
            for t in metadata.sorted_tables
        }


def test_a_backup_restored_into_an_empty_installation_is_identical(
    settings, new_settings, tmp_path, capsys
):
    _source(settings)
    target = tmp_path / "backup"
    before = _governance_rows(settings)
    assert main(["backup", "--to", str(target)]) == 0, capsys.readouterr().err
    assert "with SHA-256 in manifest.json" in capsys.readouterr().out
    lake = Lake(settings)
    tables = {(z, n) for z in ("base", "staging") for n in lake.tables(z)}
    assert len(tables) >= 6

    other = new_settings(tmp_path / "other")
    dispose_all()
    restore(other, str(target))
    lake2 = Lake(other)
    for z, n in tables:
        # the same rows and columns (a string may come back as large_string: same values)
        a, b = table_rows(lake2, z, n), table_rows(lake, z, n)
        assert a.column_names == b.column_names and a.to_pylist() == b.to_pylist(), f"{z}.{n}"
        props = lake2.table(z, n).properties
        assert props["jutong.restored_from"] == str(lake.table(z, n).current_snapshot().snapshot_id)
    raw = Path(other.raw_dir) / "gongan" / "huji" / "huji_20261101.csv"
    assert (
        raw.read_bytes() == (Path(settings.raw_dir) / "gongan/huji/huji_20261101.csv").read_bytes()
    )
    after = _governance_rows(other)
    assert after == before  # ids, sequence numbers, the audit chain: row for row
    assert verify(other).ok
    # the backup itself was audited on the source (after its copy was taken)
    assert [e.action for e in events(settings, action="lake.backup")] == ["lake.backup"]

    # a second restore into the now full installation is refused, nothing written
    with pytest.raises(BackupError, match="already holds"):
        restore(other, str(target))


def test_damaged_unfinished_and_occupied_are_refused(settings, tmp_path, capsys):
    _source(settings)
    target = tmp_path / "b"
    backup(settings, str(target))
    assert main(["restore", "--from", str(target), "--check"]) == 0
    assert "match their checksums" in capsys.readouterr().out
    with pytest.raises(BackupError, match="not empty"):
        backup(settings, str(target))
    victim = next((target / "tables" / "base").glob("*.parquet"))
    victim.write_bytes(victim.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(BackupError, match=f"{victim.name} does not match its checksum"):
        verify_backup(str(target))
    assert main(["restore", "--from", str(target)]) == 1
    assert "does not match its checksum" in capsys.readouterr().err
    (target / "manifest.json").unlink()
    with pytest.raises(BackupError, match="no manifest.json .*unfinished"):
        verify_backup(str(target))
