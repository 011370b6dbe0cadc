"""The governance database: one SQLAlchemy engine per URI, tables created on first use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from jutong.settings import Settings

metadata = sa.MetaData()

_ENGINES: dict[str, sa.Engine] = {}


def engine(settings: Settings) -> sa.Engine:
    """The engine for ``settings.governance_db_uri`` (the SQLite file's folder is created)."""
    uri = settings.governance_db_uri
    eng = _ENGINES.get(uri)
    if eng is None:
        url = sa.engine.make_url(uri)
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        eng = sa.create_engine(uri)
        _ENGINES[uri] = eng
    return eng


def ensure_tables(settings: Settings, *tables: sa.Table) -> sa.Engine:
    """Create ``tables`` if they do not exist yet; return the engine."""
    eng = engine(settings)
    metadata.create_all(eng, tables=list(tables))
    return eng


def dispose_all() -> None:
    """Close every pooled connection (tests switch settings between cases)."""
    for eng in _ENGINES.values():
        eng.dispose()
    _ENGINES.clear()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
