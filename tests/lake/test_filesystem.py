"""jutong.lake.catalog.filesystem_for: paths and file:// locally; s3:// on the settings' store."""

from __future__ import annotations

import dataclasses

import pytest
from pyarrow import fs as pafs

from jutong.lake.catalog import Lake, filesystem_for


def test_local_paths_and_file_uris(new_settings, tmp_path):
    s = new_settings(tmp_path / "home")
    fs, path = Lake(s).filesystem(str(tmp_path / "a.txt"))
    assert isinstance(fs, pafs.LocalFileSystem) and path == str(tmp_path / "a.txt")
    fs, path = filesystem_for(s, (tmp_path / "b.txt").as_uri())
    assert isinstance(fs, pafs.LocalFileSystem) and path == str(tmp_path / "b.txt")


def test_s3_goes_to_the_configured_endpoint(new_settings, tmp_path, monkeypatch):
    s = dataclasses.replace(
        new_settings(tmp_path / "home"), s3_endpoint="http://127.0.0.1:9", s3_region="cn-x"
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    fs, path = filesystem_for(s, "s3://lake/warehouse/raw/t/data/x.parquet")
    assert isinstance(fs, pafs.S3FileSystem)
    assert path == "lake/warehouse/raw/t/data/x.parquet"
    assert fs.region == "cn-x"
    # the configured store is asked, not AWS (nothing listens on port 9: refused)
    with pytest.raises(OSError) as err:
        fs.get_file_info(path)
    assert "amazonaws" not in str(err.value)
