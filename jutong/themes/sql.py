"""Analysts' SQL over the lake: a read-only DuckDB session whose tables are the published
base and theme tables (``base.population``, ``theme.ss_insurance_coverage``, …), now or as
they were at the end of a day (``as_of``).

``connect()`` returns the connection (for notebooks); ``jutong sql`` runs statements from
``-c`` or an interactive prompt and prints or writes the result.

Read-only, by construction: the views live in a DuckDB database opened read-only; each
table's snapshot is handed to DuckDB as an Arrow dataset, so DuckDB itself needs no access
to any file, and that access is switched off and locked (no ``COPY … TO``, no ``ATTACH``,
no ``read_csv('/etc/…')``, no extension install). Results are written by this module, not by
DuckDB. Nothing a session does can change the lake.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from jutong.lake import Lake, Zone
from jutong.settings import Settings, get_settings
from jutong.themes import lakeviews

DEFAULT_ZONES = (Zone.base, Zone.theme)


def _reg_name(zone: str, name: str) -> str:
    return f"_lake__{zone}__{name}"


def connect(
    settings: Settings | None = None,
    *,
    as_of: dt.date | None = None,
    zones: Iterable[str | Zone] = DEFAULT_ZONES,
    lake: Lake | None = None,
):
    """A read-only DuckDB connection with one view per published table of ``zones``
    (``<zone>.<table>``), at main's current snapshots or those current at the end of
    ``as_of`` (Beijing time). A table that did not exist yet on ``as_of`` is absent."""
    import duckdb

    settings = settings or get_settings()
    lake = lake or Lake(settings)
    sources = [src for z in zones for src in lakeviews.zone_sources(lake, z, day=as_of)]
    folder = Path(tempfile.mkdtemp(prefix="jutong-sql-"))
    path = folder / "lake.duckdb"
    con = duckdb.connect(str(path))
    try:
        for zone in {Zone(z).value for z in zones}:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{zone}"')
        for src in sources:
            reg = _reg_name(src.zone, src.name)
            con.register(reg, src.dataset())
            con.execute(f'CREATE VIEW "{src.zone}"."{src.name}" AS SELECT * FROM "{reg}"')
    finally:
        con.close()
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    con = duckdb.connect(str(path), read_only=True, config=config)
    # the file stays open through its descriptor; nothing is left behind on disk
    os.unlink(path)
    os.rmdir(folder)
    for src in sources:
        con.register(_reg_name(src.zone, src.name), src.dataset())
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def tables(con) -> list[tuple[str, str]]:
    """(zone, table) of the session's lake tables."""
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema <> 'main' AND table_type = 'VIEW' ORDER BY 1, 2"
    ).fetchall()
    return [(a, b) for a, b in rows]
