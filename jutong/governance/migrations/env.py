"""Alembic environment of the governance database.

Run through ``jutong.governance.db`` (``upgrade``, ``jutong governance upgrade``), which puts an
open connection in ``config.attributes["connection"]``; there is no alembic.ini. Offline mode
(SQL scripts) needs ``config.attributes["url"]``.
"""

from __future__ import annotations

from alembic import context

from jutong.governance.schema import VERSION_TABLE, metadata


def _options(dialect_name: str) -> dict:
    return {
        "target_metadata": metadata,
        "version_table": VERSION_TABLE,
        "render_as_batch": dialect_name == "sqlite",  # SQLite alters tables by copying them
        "compare_type": True,
    }


def run() -> None:
    config = context.config
    if context.is_offline_mode():
        url = config.attributes["url"]
        context.configure(url=url, literal_binds=True, **_options(url.get_backend_name()))
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes["connection"]
    context.configure(connection=connection, **_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


run()
