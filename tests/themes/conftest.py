"""One tiny lake and one theme build per module that asks for them."""

from __future__ import annotations

import pytest

from jutong.lake import Lake
from tests.themes import tiny_lake


@pytest.fixture(scope="module")
def lake_settings(tmp_path_factory):
    from tests.conftest import make_home, settings_for

    settings = settings_for(make_home(tmp_path_factory.mktemp("themes") / "home"))
    tiny_lake.build_lake(Lake(settings))
    return settings


@pytest.fixture(scope="module")
def built(lake_settings):
    """The themes built once on the tiny lake (dbt docs included)."""
    from jutong.themes.build import build_themes

    return lake_settings, build_themes(lake_settings, as_of=tiny_lake.AS_OF)
