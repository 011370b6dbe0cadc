"""A benchmark's own project home: ``<work>/home`` with a copy of the repository's catalog."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def bench_home(work: Path) -> Path:
    """``<work>/home``, created with the catalog on first use (a kept work folder is reused)."""
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "catalog").exists():
        shutil.copytree(REPO / "catalog", home / "catalog")
    return home
