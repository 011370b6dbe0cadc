"""Fixtures of the ingestion tests."""

import pytest

from jutong.catalog import load_catalog


@pytest.fixture()
def catalog(settings):
    return load_catalog(settings.catalog_dir)
