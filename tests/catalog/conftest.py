"""A copy of the repository's catalog to break, and how to edit it and read its problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from jutong.catalog import CatalogError, load_catalog


@pytest.fixture()
def cat_dir(tmp_path: Path, repo_root: Path) -> Path:
    d = tmp_path / "catalog"
    shutil.copytree(repo_root / "catalog", d)
    return d


def edit(path: Path, fn) -> None:
    """Load a YAML file, change it with ``fn(data)``, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(cat_dir: Path) -> list[str]:
    """The problems ``load_catalog`` refuses the folder with."""
    with pytest.raises(CatalogError) as exc:
        load_catalog(cat_dir)
    return exc.value.problems
