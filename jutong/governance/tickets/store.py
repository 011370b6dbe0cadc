"""Where tickets live: the governance database, and the catalog that names departments."""

from __future__ import annotations

import sqlalchemy as sa

from jutong.governance.db import engine
from jutong.settings import Settings


def tables(settings: Settings) -> sa.Engine:
    return engine(settings)


def load_catalog(settings: Settings, catalog=None):
    if catalog is not None:
        return catalog
    from jutong.catalog.loader import load_catalog as _load

    return _load(settings.catalog_dir)
