"""Reading Iceberg tables into Spark and publishing Spark results by write-audit-publish."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from pyarrow.fs import FileSelector
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jutong.lake import AuditError, Lake


def read_table(spark: SparkSession, lake: Lake, zone: str, name: str) -> DataFrame | None:
    """The table's current rows as a Spark DataFrame (its live data files), or None when the
    table does not exist or has no rows yet."""
    if not lake.table_exists(zone, name):
        return None
    table = lake.table(zone, name)
    paths = table.inspect.files().column("file_path").to_pylist()
    if not paths:
        return None
    df = spark.read.parquet(*paths)
    if zone == "staging" and "_duplicate_of" not in df.columns:
        # staged before exact duplicates were marked: no row is known to be a copy
        df = df.withColumn("_duplicate_of", F.lit(None).cast("long"))
    return df


def write_table(
    lake: Lake,
    zone: str,
    name: str,
    df: DataFrame,
    *,
    replace: bool,
    properties: dict[str, str],
    audit: Callable[[object, int], None] | None = None,
    files_hint: int = 1,
) -> int:
    """Write ``df`` as Parquet under the table's location and publish it (appended, or
    replacing the current rows) through ``Lake.publish_files``. Returns the snapshot id."""
    import pyarrow.parquet as pq

    location = None
    if lake.table_exists(zone, name):
        location = lake.table(zone, name).location()
    else:
        location = f"{lake.settings.iceberg_warehouse.rstrip('/')}/{zone}/{name}"
    folder = f"{location.rstrip('/')}/data/run-{uuid.uuid4().hex[:12]}"
    df.coalesce(max(1, files_hint)).write.mode("error").parquet(folder)
    fs, fpath = Lake.filesystem(folder)
    names = sorted(
        Path(i.path).name
        for i in fs.get_file_info(FileSelector(fpath))
        if Path(i.path).name.startswith("part-") and i.path.endswith(".parquet")
    )
    if not names:
        raise AuditError(f"{zone}.{name}: Spark wrote no data file")
    files = [f"{folder}/{n}" for n in names]
    schema = pq.read_schema(f"{fpath}/{names[0]}", filesystem=fs)
    table = lake.ensure_table(
        zone, name, schema, properties={"jutong.zone": zone}, location=location
    )
    return lake.publish_files(
        table,
        files,
        properties=properties,
        audit=audit or (lambda t, s: None),
        replace=replace,
    )


def count_at(table, snapshot_id: int) -> int:
    """Rows of ``table`` at a snapshot (the branch being audited)."""
    return sum(task.file.record_count for task in table.scan(snapshot_id=snapshot_id).plan_files())
