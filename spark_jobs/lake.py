"""The one Spark bridge to the lake: read a table's published rows into Spark, write a frame
as a table's new files and publish them by write-audit-publish (``jutong.lake.publish``).

Spark writes Parquet into a fresh folder named with the run's token under the table's data
folder (``Lake.data_location``: the table's location, or the lake's ``data_files_root``); the files are then registered in place (``add_files``) on a hidden branch. A run that
dies before publishing leaves only files that ``jutong lake repair`` can tell are its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pyarrow.fs import FileSelector
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jutong.lake import AuditError, Lake, Zone
from jutong.lake.history import batch_files


def read_table(
    spark: SparkSession,
    lake: Lake,
    zone: str | Zone,
    name: str,
    snapshot_id: int | None = None,
) -> DataFrame | None:
    """The table's rows at ``snapshot_id`` (default: main's current) as a Spark DataFrame,
    or None when the table does not exist or has no rows yet."""
    table = lake.table_or_none(zone, name)
    if table is None or table.current_snapshot() is None:
        return None
    df = frame_at(spark, table, snapshot_id)
    if df is None:
        return None
    if Zone(zone) is Zone.staging and "_duplicate_of" not in df.columns:
        # staged before exact duplicates were marked: no row is known to be a copy
        df = df.withColumn("_duplicate_of", F.lit(None).cast("long"))
    return df


def frame_at(spark: SparkSession, table, snapshot_id: int | None = None) -> DataFrame | None:
    """The rows of an Iceberg ``table`` at ``snapshot_id`` (default: main's current; a
    branch's snapshot too) read from its data files, or None when it has none."""
    paths = table.inspect.files(snapshot_id).column("file_path").to_pylist()
    return spark.read.parquet(*paths) if paths else None


def read_unit(
    spark: SparkSession, lake: Lake, zone: str | Zone, names: list[str]
) -> dict[str, DataFrame | None]:
    """Tables published together (a base and its links, …) read at one consistent unit
    (``jutong.lake.history.consistent_snapshots``): never a base with the links of another
    build. Tables that do not exist read as None; without a common unit, each table's
    current rows."""
    from jutong.lake.history import consistent_snapshots

    tables = {n: lake.table_or_none(zone, n) for n in names}
    present = {n: t for n, t in tables.items() if t is not None}
    at = (consistent_snapshots(present) if len(present) > 1 else None) or {}
    return {n: read_table(spark, lake, zone, n, at.get(n)) for n in names}


def read_batch(spark: SparkSession, lake: Lake, zone: str | Zone, name: str, batch_id: str):
    """One published batch of a table partitioned by ``_batch_id``."""
    files = batch_files(lake.table(zone, name), batch_id)
    if not files:
        raise AuditError(f"{Zone(zone).value}.{name}: batch {batch_id} has no data files on main")
    return spark.read.parquet(*files)


def write_files(
    lake: Lake,
    zone: str | Zone,
    name: str,
    df: DataFrame,
    *,
    partition: str = "all",
    partition_by: Iterable[str] = (),
    properties: dict[str, str] | None = None,
    files_hint: int = 1,
):
    """Write ``df`` as Parquet under the table's data folder (``data/<partition>/<run>``) and
    make sure the table exists (created from the files' schema). Returns (table, file URIs);
    nothing is published yet."""
    import pyarrow.parquet as pq

    folder = Lake.new_data_folder(lake.data_location(zone, name), partition)
    df.coalesce(max(1, files_hint)).write.mode("error").parquet(folder)
    fs, fpath = lake.filesystem(folder)
    names = sorted(
        Path(i.path).name
        for i in fs.get_file_info(FileSelector(fpath))
        if Path(i.path).name.startswith("part-") and i.path.endswith(".parquet")
    )
    if not names:
        raise AuditError(f"{Zone(zone).value}.{name}: Spark wrote no data file in {folder}")
    files = [f"{folder}/{n}" for n in names]
    table = lake.table_or_none(zone, name)
    schema = pq.read_schema(f"{fpath}/{names[0]}", filesystem=fs)
    if table is None or any(f.name not in table.schema().column_names for f in schema):
        # created, or evolved with the columns a newer build adds (e.g. ``provisional_key``)
        table = lake.ensure_table(
            zone,
            name,
            schema,
            partition_by=partition_by,
            properties=properties,
            # a new table's files are in place before it exists: its location is where
            # they are, unless the lake keeps data files apart (``data_files_root``)
            location=None if lake.settings.data_files_root.strip() else lake.location(zone, name),
        )
    return table, files


def write_table(
    lake: Lake,
    zone: str | Zone,
    name: str,
    df: DataFrame,
    *,
    replace: bool,
    properties: dict[str, str],
    audit: Callable[[object, int], None] | None = None,
    files_hint: int = 1,
    unit=None,
) -> int | None:
    """Write ``df`` and publish it (appended, or replacing the current rows). With ``unit``
    (a ``PublishUnit``) the write is only staged and audited; ``unit.publish()`` publishes
    it with the unit's other tables. Returns the snapshot id (None when staged)."""
    table, files = write_files(lake, zone, name, df, files_hint=files_hint)
    if unit is not None:
        unit.stage(table, files, properties=properties, audit=audit, replace=replace)
        return None
    return lake.publish_files(
        table, files, properties=properties, audit=audit or (lambda t, s: None), replace=replace
    )


def count_at(table, snapshot_id: int) -> int:
    """Rows of ``table`` at a snapshot (the branch being audited)."""
    return sum(task.file.record_count for task in table.scan(snapshot_id=snapshot_id).plan_files())


def publish_tables(
    lake: Lake,
    zone: str | Zone,
    unit_name: str,
    frames: dict[str, DataFrame],
    *,
    properties: dict[str, str],
    appended: Iterable[str] = (),
    audits: dict[str, Callable[[object, int], None]] | None = None,
    files_hint: dict[str, int] | None = None,
) -> dict[str, int]:
    """Write every frame of ``frames`` (table name → rows, in publish order) and publish them
    as one unit (``jutong.lake.publish.PublishUnit``): each is staged and audited first, then
    all are published. A table in ``appended`` gets the rows added, the others are replaced.
    Returns table identifier → published snapshot id."""
    from jutong.lake import table_id

    audits, files_hint, appended = audits or {}, files_hint or {}, set(appended)
    with lake.unit(unit_name, [table_id(zone, name) for name in frames]) as unit:
        for name, df in frames.items():
            write_table(
                lake,
                zone,
                name,
                df,
                replace=name not in appended,
                properties=properties,
                audit=audits.get(name),
                files_hint=files_hint.get(name, 1),
                unit=unit,
            )
        return unit.publish()
