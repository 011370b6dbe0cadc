"""The lake's published tables as DuckDB views: the one place theme builds and ``jutong sql``
read Iceberg tables from.

Each table is read at one snapshot (main's current one, or the one current at the end of an
``--as-of`` day): its live data files are listed by pyiceberg and handed to DuckDB's
``read_parquet`` (DuckDB's own ``iceberg`` extension would be downloaded at run time, which the
platform never does). A snapshot with delete files, or files DuckDB cannot open directly (an
object store without a local path), is read through pyiceberg into Arrow instead. Tables
published together as a unit (a base and its links) are read at a consistent set of
snapshots (``jutong.lake.history.consistent_snapshots``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from jutong.catalog.model import ENTITY_BASES
from jutong.lake import Lake, Zone, table_id
from jutong.lake.history import ancestry


class SnapshotNotFoundError(LookupError):
    """No snapshot of a table was current on the requested day."""


@dataclass(frozen=True)
class ViewSource:
    """Where one view reads from: its files (local paths), or an Arrow table."""

    zone: str
    name: str
    snapshot_id: int | None
    files: tuple[str, ...] = ()
    arrow: object | None = None  # pyarrow.Table when the files cannot be read directly
    committed_at: dt.datetime | None = None
    schema: object | None = None  # pyarrow.Schema of the snapshot

    def dataset(self):
        """The snapshot as an Arrow object DuckDB can scan without touching the filesystem
        itself (a ``pyarrow.dataset`` over the files, or the Arrow table)."""
        if self.arrow is not None:
            return self.arrow
        import pyarrow.dataset as pads

        return pads.dataset(list(self.files), schema=self.schema, format="parquet")

    @property
    def ident(self) -> str:
        return table_id(self.zone, self.name)


def _end_of_day_ms(day: dt.date) -> int:
    """The last millisecond of ``day`` in Beijing time (UTC+8), where the lake's users are."""
    end = dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(), dt.timezone(dt.timedelta(hours=8))
    )
    return int(end.timestamp() * 1000) - 1


def snapshot_as_of(table, day: dt.date | None):
    """Main's current snapshot, or the newest main snapshot committed by the end of ``day``;
    None when the table had no snapshot then."""
    if day is None:
        return table.current_snapshot()
    limit = _end_of_day_ms(day)
    for snap in ancestry(table):
        if snap.timestamp_ms <= limit:
            return snap
    return None


def _local_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return unquote(parsed.path) if parsed.scheme else uri
    return None


def view_source(
    lake: Lake,
    zone: str | Zone,
    name: str,
    day: dt.date | None = None,
    snapshot_id: int | None = None,
) -> ViewSource:
    """How to read ``zone.name`` at its snapshot of ``day`` (default: now), or at
    ``snapshot_id`` when given."""
    table = lake.table(zone, name)
    snap = table.snapshot_by_id(snapshot_id) if snapshot_id is not None else None
    snap = snap or snapshot_as_of(table, day)
    zone_ = Zone(zone).value
    if snap is None:
        if day is None:
            raise SnapshotNotFoundError(f"{table_id(zone_, name)} has no published snapshot")
        raise SnapshotNotFoundError(
            f"{table_id(zone_, name)} did not exist yet on {day.isoformat()} (its first "
            "snapshot is later)"
        )
    committed = dt.datetime.fromtimestamp(snap.timestamp_ms / 1000, dt.UTC)
    schemas = {s.schema_id: s for s in table.schemas().values()}
    iceberg_schema = schemas.get(snap.schema_id, table.schema())
    arrow_schema = iceberg_schema.as_arrow()
    tasks = list(table.scan(snapshot_id=snap.snapshot_id).plan_files())
    paths = [_local_path(t.file.file_path) for t in tasks]
    if any(t.delete_files for t in tasks) or any(p is None for p in paths) or not tasks:
        arrow = table.scan(snapshot_id=snap.snapshot_id).to_arrow()
        return ViewSource(
            zone_, name, snap.snapshot_id, arrow=arrow, committed_at=committed, schema=arrow.schema
        )
    return ViewSource(
        zone_,
        name,
        snap.snapshot_id,
        files=tuple(paths),
        committed_at=committed,
        schema=arrow_schema,
    )


# Tables the base builds publish together as one unit: read at one consistent unit, never a
# base with the links of another build (as ``spark_jobs.lake.read_unit`` does).
UNITS = tuple((b.value, f"{b.value}_links") for b in ENTITY_BASES)


def unit_snapshots(
    lake: Lake, zone: str | Zone, names: list[str], day: dt.date | None = None
) -> dict[str, int]:
    """Per table of ``names`` that belongs to a unit: the snapshot of the newest unit every
    one of its tables has on main (``jutong.lake.history.consistent_snapshots``) — with
    ``day``, of the units committed by the end of that day (Beijing time). The units: a base
    and its links; the marts of the theme zone, which every theme build publishes together."""
    from jutong.lake.history import consistent_snapshots

    limit = _end_of_day_ms(day) if day is not None else None
    groups = list(UNITS)
    if Zone(zone) is Zone.theme and len(names) > 1:
        groups.append(tuple(names))
    out: dict[str, int] = {}
    for unit in groups:
        if not set(unit) <= set(names):
            continue
        tables = {n: lake.table_or_none(zone, n) for n in unit}
        if any(t is None for t in tables.values()):
            continue
        if day is not None:  # a table that did not exist yet that day is not read at all
            tables = {n: t for n, t in tables.items() if snapshot_as_of(t, day) is not None}
            if len(tables) < 2:
                continue
        out.update(consistent_snapshots(tables, until_ms=limit) or {})
    return out


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def create_view(
    con, src: ViewSource, *, schema: str | None = None, persistent: bool = False
) -> None:
    """``CREATE VIEW <schema>.<name>`` over ``src`` in the DuckDB connection ``con``.

    ``persistent``: the database file outlives this connection (dbt opens it again), so an
    Arrow-backed source is copied into a table rather than registered in memory."""
    schema = schema or src.zone
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
    target = f"{_quote(schema)}.{_quote(src.name)}"
    if src.arrow is not None:
        reg = f"_arrow_{schema}_{src.name}"
        con.register(reg, src.arrow)
        kind = "TABLE" if persistent else "VIEW"
        con.execute(f"CREATE OR REPLACE {kind} {target} AS SELECT * FROM {_quote(reg)}")
        if persistent:
            con.unregister(reg)
        return
    files = ", ".join(_sql_str(f) for f in src.files)
    con.execute(
        f"CREATE OR REPLACE VIEW {target} AS SELECT * FROM read_parquet([{files}], "
        "union_by_name = true)"
    )


def zone_sources(
    lake: Lake, zone: str | Zone, names: list[str] | None = None, day: dt.date | None = None
) -> list[ViewSource]:
    """Sources for ``names`` (default: every table of the zone) at ``day``; a table with no
    snapshot then is left out when listing the whole zone, refused when named."""
    out = []
    names_ = names if names is not None else lake.tables(zone)
    # a base and its links, the marts of the theme zone: at one unit — now, or the newest
    # unit committed by the end of the day (a table outside a unit: its snapshot of the day)
    pinned = unit_snapshots(lake, zone, names_, day)
    for name in names_:
        try:
            out.append(view_source(lake, zone, name, day, pinned.get(name)))
        except SnapshotNotFoundError:
            if names is not None:
                raise
    return out
