"""Lineage fixtures: the repository's own catalog, dbt project and release definitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from jutong.catalog.loader import load_catalog

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO / "catalog")
