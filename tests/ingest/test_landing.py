"""Landing is a boundary: links and escapes are never followed, a file named outside landing
is copied and never moved or deleted, a missing file is one clear line."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from jutong.cli import main
from jutong.ingest import ContractError, LandingError, discover, ingest_file, manifests
from tests.ingest.extracts import HUJI_ROWS, deliver_csv, raw_rows, snapshot_id

SECRET = "db_password=hunter2-very-secret"


def _nothing_changed(settings, entry, before_snapshot, before_rows):
    assert snapshot_id(settings, entry) == before_snapshot
    assert len(raw_rows(settings, entry)) == before_rows
    qdir = settings.quarantine_dir / entry.department / entry.dataset
    assert not qdir.exists() or not any(qdir.iterdir())


def _outside_csv(tmp_path, entry, rows=HUJI_ROWS) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    header = [it.column for it in entry.items]
    path = folder / "explicit.csv"
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(entry.extract.encoding))
    return path


@pytest.fixture()
def published(settings, catalog):
    """gongan.huji with one published batch (so 'unchanged' means something)."""
    entry = catalog.get("gongan.huji")
    ingest_file(settings, entry, deliver_csv(settings, entry, "first.csv", HUJI_ROWS[:1]))
    return entry


def test_a_link_to_a_secret_outside_landing_is_never_read(
    settings, published, tmp_path, caplog, capsys
):
    entry = published
    secret = tmp_path / "secrets.txt"
    secret.write_text(SECRET + "\nother=1\n", encoding="utf-8")
    link = settings.landing_dir / "gongan" / "huji" / "huji_20261102.csv"
    link.symlink_to(secret)
    before = (snapshot_id(settings, entry), len(raw_rows(settings, entry)))

    with caplog.at_level(logging.INFO):
        assert discover(settings, entry) == []
        with pytest.raises(LandingError) as exc:
            ingest_file(settings, entry, link)
        assert main(["raw", "ingest", "gongan.huji", str(link)]) == 1
        assert main(["raw", "ingest", "gongan.huji"]) == 0  # nothing waiting: links are skipped
    out = capsys.readouterr()
    assert "symbolic link" in str(exc.value) and "huji_20261102.csv" in str(exc.value)
    everything = str(exc.value) + caplog.text + out.out + out.err
    assert "hunter2" not in everything and "db_password" not in everything
    assert "Traceback" not in out.err and len(out.err.strip().splitlines()) == 1
    _nothing_changed(settings, entry, *before)
    assert link.is_symlink() and secret.read_text(encoding="utf-8").startswith(SECRET)


def test_a_link_to_a_valid_extract_outside_landing_is_not_ingested(settings, published, tmp_path):
    entry = published
    target = _outside_csv(tmp_path, entry, HUJI_ROWS[1:])
    link = settings.landing_dir / "gongan" / "huji" / "link.csv"
    link.symlink_to(target)
    before = (snapshot_id(settings, entry), len(raw_rows(settings, entry)))
    assert discover(settings, entry) == []
    with pytest.raises(LandingError, match="symbolic link"):
        ingest_file(settings, entry, link)
    _nothing_changed(settings, entry, *before)
    assert target.exists() and link.is_symlink()


def test_a_landing_folder_that_is_a_link_outside_is_not_read(settings, catalog, tmp_path):
    entry = catalog.get("gongan.huji")
    outside = _outside_csv(tmp_path, entry).parent
    (settings.landing_dir / "gongan").mkdir(parents=True)
    (settings.landing_dir / "gongan" / "huji").symlink_to(outside, target_is_directory=True)
    assert discover(settings, entry) == []
    with pytest.raises(LandingError, match="once links are resolved"):
        ingest_file(settings, entry, settings.landing_dir / "gongan" / "huji" / "explicit.csv")
    assert raw_rows(settings, entry) == [] and (outside / "explicit.csv").exists()


def test_a_file_named_outside_landing_is_copied_never_moved(settings, published, tmp_path):
    entry = published
    path = _outside_csv(tmp_path, entry, HUJI_ROWS[1:])
    content = path.read_bytes()
    result = ingest_file(settings, entry, path)
    assert result.status == "published" and result.rows == 2
    assert path.read_bytes() == content  # the user's own file stays
    assert len(raw_rows(settings, entry)) == 3
    m = next(m for m in manifests(settings, entry) if m.batch_id == result.batch_id)
    assert (settings.lake_root / m.raw_path).read_bytes() == content
    # the same file again: a redelivery, and still not deleted
    assert ingest_file(settings, entry, path).status == "duplicate"
    assert path.read_bytes() == content


def test_a_bad_file_named_outside_landing_is_quarantined_as_a_copy(settings, published, tmp_path):
    entry = published
    path = _outside_csv(tmp_path, entry, [HUJI_ROWS[1][:5]])
    content = path.read_bytes()
    before = (snapshot_id(settings, entry), len(raw_rows(settings, entry)))
    with pytest.raises(ContractError, match="5 fields, the header has 7"):
        ingest_file(settings, entry, path)
    assert path.read_bytes() == content
    assert snapshot_id(settings, entry) == before[0]
    (q,) = (settings.quarantine_dir / "gongan" / "huji").glob("*_explicit.csv")
    assert q.read_bytes() == content


def test_a_missing_file_is_one_clear_line(settings, published, capsys):
    entry = published
    before = (snapshot_id(settings, entry), len(raw_rows(settings, entry)))
    with pytest.raises(LandingError, match="missing.csv: no such file"):
        ingest_file(settings, entry, "missing.csv")
    assert main(["ingest", "gongan.huji", "missing.csv"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("note: ")  # the old verb-first form
    assert err[1:] == ["NOT INGESTED: missing.csv: no such file"]
    _nothing_changed(settings, entry, *before)


def test_no_copy_is_left_behind(settings, published, tmp_path):
    entry = published
    with pytest.raises(ContractError):
        ingest_file(settings, entry, _outside_csv(tmp_path, entry, [["x"]]))
    incoming = settings.raw_dir / "gongan" / "huji" / ".incoming"
    assert list(incoming.iterdir()) == []
    assert not any(p.name.startswith(".") for p in os.scandir(settings.raw_dir / "gongan"))
