"""Reading a table's published history: main's ancestry only.

A snapshot on a WAP branch (a write being audited, or the leftover of a crashed run) is not
published: nothing that decides what is "done" may look at it. ``table.snapshots()`` lists
every snapshot in the metadata, branches included; these helpers walk main's parent chain.
"""

from __future__ import annotations

from collections.abc import Iterator

from jutong.lake.zones import BATCH_PROPERTY


def _props(snap) -> dict[str, str]:
    return dict(snap.summary.additional_properties) if snap.summary is not None else {}


def ancestry(table, snapshot_id: int | None = None) -> Iterator:
    """Snapshots from ``snapshot_id`` (default: main's current) back to the first."""
    by_id = {s.snapshot_id: s for s in table.snapshots()}
    snap = by_id.get(snapshot_id) if snapshot_id is not None else table.current_snapshot()
    while snap is not None:
        yield snap
        snap = by_id.get(snap.parent_snapshot_id) if snap.parent_snapshot_id else None


def on_main(table, snapshot_id: int) -> bool:
    """Whether ``snapshot_id`` is main's current snapshot or one of its ancestors."""
    return any(s.snapshot_id == snapshot_id for s in ancestry(table))


def snapshot_with_property(table, key: str, value: str) -> int | None:
    """The id of a snapshot in main's history whose summary has ``key=value``."""
    for snap in ancestry(table):
        if _props(snap).get(key) == value:
            return snap.snapshot_id
    return None


def published_values(table, key: str = BATCH_PROPERTY) -> list[str]:
    """The values of ``key`` on main's snapshots, oldest first, each once (batch ids by
    default: the batches a raw or staging table holds)."""
    out: list[str] = []
    for snap in reversed(list(ancestry(table))):
        v = _props(snap).get(key)
        if v and v not in out:
            out.append(v)
    return out


def main_properties(table) -> list[dict[str, str]]:
    """The summary properties of main's snapshots, newest first."""
    return [_props(s) for s in ancestry(table)]


def partition_files(table, column: str, value: str) -> list[str]:
    """The live data files of main's current snapshot in partition ``column=value``."""
    if table.current_snapshot() is None:
        return []
    files = table.inspect.files().select(["file_path", "partition"]).to_pylist()
    return [f["file_path"] for f in files if (f["partition"] or {}).get(column) == value]


def batch_files(table, batch_id: str) -> list[str]:
    """The live data files of one batch (tables partitioned by ``_batch_id``)."""
    return partition_files(table, "_batch_id", batch_id)


def batch_rows(table, batch_id: str, snapshot_id: int | None = None) -> int:
    """Rows of one batch at a snapshot (default: main's current). On a table partitioned by
    ``_batch_id`` alone the files' record counts answer it without reading data."""
    from pyiceberg.expressions import EqualTo

    if table is None or table.current_snapshot() is None:
        return 0
    scan = table.scan(
        row_filter=EqualTo("_batch_id", batch_id),
        selected_fields=("_row_number",),
        snapshot_id=snapshot_id,
    )
    spec = table.spec().fields
    batch_field = table.schema().find_field("_batch_id").field_id
    if len(spec) == 1 and spec[0].source_id == batch_field and str(spec[0].transform) == "identity":
        return sum(task.file.record_count for task in scan.plan_files())
    return scan.to_arrow().num_rows


def rows_at(table, snapshot_id: int | None = None) -> int:
    """Rows of ``table`` at a snapshot (default: main's current), from file metadata."""
    if snapshot_id is None and table.current_snapshot() is None:
        return 0
    return sum(task.file.record_count for task in table.scan(snapshot_id=snapshot_id).plan_files())


UNIT_PROPERTY = "jutong.unit"


def consistent_snapshots(
    tables: dict[str, object], until_ms: int | None = None
) -> dict[str, int] | None:
    """For tables published together as units (``jutong.lake.publish.PublishUnit``, e.g. a
    base and its links): per table, the snapshot of the newest unit that every table has on
    main — a consistent set even while a build is being published or after a crash between
    its publishes. ``tables`` maps identifier → table; the first is the one whose history is
    walked. With ``until_ms``, only snapshots committed by then count (the lake as it was at
    that time). None when no unit is common to all (nothing consistent to read)."""

    def history(t):
        return [s for s in ancestry(t) if until_ms is None or s.timestamp_ms <= until_ms]

    first, *others = tables.values()
    units_of = [
        {_props(s).get(UNIT_PROPERTY): s.snapshot_id for s in reversed(history(t))}
        for t in others
    ]
    for snap in history(first):
        unit = _props(snap).get(UNIT_PROPERTY)
        if unit and all(unit in u for u in units_of):
            ids = [snap.snapshot_id, *(u[unit] for u in units_of)]
            return dict(zip(tables, ids, strict=True))
    return None
