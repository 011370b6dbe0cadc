"""``backup`` / ``restore`` / ``verify_backup`` (see the package docstring).

A backup is a folder (local path, ``file://`` or an object-store URI the lake can open):

- ``tables/<zone>/<name>.parquet`` — the table's rows at its current snapshot, streamed batch
  by batch (no whole table in memory), plus per table in the manifest its Iceberg properties,
  identity partition columns, snapshot id and row count;
- ``raw/…`` — the raw copies of the delivered extracts and their manifests, byte for byte;
- ``governance.sqlite`` — the governance database copied row by row at its revision (ids,
  sequence numbers and the audit chain unchanged), whatever its engine;
- ``manifest.json`` — written last: every file with its SHA-256 and size. A folder without it
  is an unfinished backup and cannot be restored.

The backup is logical, not a copy of Iceberg's files: it restores into any warehouse (another
folder, another bucket, another catalog) — Iceberg metadata holds absolute paths and would not.
What it does not keep is each table's snapshot history before the backup (time travel starts
again at the restore); the manifest records the snapshot each table was backed up at.

``restore`` refuses a lake or governance database that already holds data, verifies every
checksum before writing anything, then recreates each table and appends its rows, copies the
raw files and copies the governance rows (the audit chain is verified after).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs as pafs

from jutong.lake import Lake, Zone
from jutong.lake.catalog import filesystem_for
from jutong.settings import Settings

FORMAT = "jutong-backup/1"
MANIFEST = "manifest.json"
GOVERNANCE = "governance.sqlite"
ZONES = (Zone.raw, Zone.staging, Zone.quarantine, Zone.base, Zone.theme, Zone.share)
CHUNK = 1 << 20


class BackupError(RuntimeError):
    """A backup or restore refused or failed; the message says which file or table."""


def _fs(uri: str, settings: Settings | None = None) -> tuple[pafs.FileSystem, str]:
    """The filesystem of a backup location: ``s3://`` on the settings' object store."""
    if settings is None:
        if "://" not in uri:
            uri = Path(uri).absolute().as_uri()
        return pafs.FileSystem.from_uri(uri)
    return filesystem_for(settings, uri)


def _join(root: str, *parts: str) -> str:
    return "/".join([root.rstrip("/"), *parts])


def _sha256_of(fs: pafs.FileSystem, path: str) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with fs.open_input_stream(path) as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _copy_file(src_fs, src: str, dst_fs, dst: str) -> None:
    dst_fs.create_dir(dst.rsplit("/", 1)[0], recursive=True)
    with src_fs.open_input_stream(src) as fin, dst_fs.open_output_stream(dst) as fout:
        while chunk := fin.read(CHUNK):
            fout.write(chunk)


def _identity_partitions(table) -> list[str]:
    schema = table.schema()
    out = []
    for f in table.spec().fields:
        if str(f.transform) != "identity":
            raise BackupError(
                f"{table.name()}: partition transform {f.transform} is not supported by the "
                "backup (identity partitions only)"
            )
        out.append(schema.find_field(f.source_id).name)
    return out


def backup(settings: Settings, to: str, *, progress: Callable[[str], None] | None = None) -> dict:
    """Write a backup to ``to`` (an empty or new folder); returns the manifest."""
    from jutong.governance import db
    from jutong.governance.transfer import copy_rows

    say = progress or (lambda _m: None)
    out_fs, root = _fs(to, settings)
    info = out_fs.get_file_info(root)
    if info.type == pafs.FileType.Directory and out_fs.get_file_info(
        pafs.FileSelector(root, recursive=False)
    ):
        raise BackupError(f"{to}: not empty (a backup goes into an empty or new folder)")
    out_fs.create_dir(root, recursive=True)
    lake = Lake(settings)
    files: dict[str, dict] = {}

    def record(rel: str) -> None:
        digest, size = _sha256_of(out_fs, _join(root, rel))
        files[rel] = {"sha256": digest, "bytes": size}

    tables = []
    for zone_ in ZONES:
        for name in lake.tables(zone_):
            table = lake.table(zone_, name)
            snap = table.current_snapshot()
            rel = f"tables/{zone_.value}/{name}.parquet"
            path = _join(root, rel)
            out_fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
            rows = 0
            reader = table.scan().to_arrow_batch_reader()
            with (
                out_fs.open_output_stream(path) as sink,
                pq.ParquetWriter(sink, reader.schema) as writer,
            ):
                for batch in reader:
                    writer.write_batch(batch)
                    rows += batch.num_rows
            record(rel)
            tables.append(
                {
                    "zone": zone_.value,
                    "name": name,
                    "file": rel,
                    "rows": rows,
                    "snapshot_id": snap.snapshot_id if snap else None,
                    "partition_by": _identity_partitions(table),
                    "properties": dict(table.properties),
                }
            )
            say(f"{zone_.value}.{name}: {rows:,} rows")

    raw_root = Path(settings.raw_dir)
    raw_files = sorted(p for p in raw_root.rglob("*") if p.is_file()) if raw_root.is_dir() else []
    local = pafs.LocalFileSystem()
    for p in raw_files:
        rel = "raw/" + p.relative_to(raw_root).as_posix()
        _copy_file(local, str(p), out_fs, _join(root, rel))
        record(rel)
    say(f"raw copies: {len(raw_files)} file(s)")

    # the governance database, row by row into an SQLite file at the same revision
    scratch = Path(settings.home) / ".backup-governance.sqlite"
    scratch.unlink(missing_ok=True)
    import sqlalchemy as sa

    target = replace(
        settings,
        governance_db_uri=sa.engine.URL.create("sqlite", database=str(scratch)).render_as_string(),
    )
    try:
        db.upgrade(settings)
        db.upgrade(target)
        counts = copy_rows(db.engine(settings), db.engine(target))
        db.engine(target).dispose()  # every connection closed: the file is whole
        _copy_file(local, str(scratch), out_fs, _join(root, GOVERNANCE))
    finally:
        scratch.unlink(missing_ok=True)
    record(GOVERNANCE)
    say(f"governance database: {sum(counts.values()):,} rows")

    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": {"warehouse": settings.iceberg_warehouse, "governance": db.display_url(settings)},
        "tables": tables,
        "governance": {"file": GOVERNANCE, "rows": counts},
        "files": files,
    }
    with out_fs.open_output_stream(_join(root, MANIFEST)) as f:
        f.write(json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    return manifest


def _read_manifest(fs: pafs.FileSystem, root: str, where: str) -> dict:
    path = _join(root, MANIFEST)
    if fs.get_file_info(path).type != pafs.FileType.File:
        raise BackupError(f"{where}: no {MANIFEST} (not a backup, or an unfinished one)")
    with fs.open_input_stream(path) as f:
        manifest = json.loads(f.read().decode("utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{where}: format {manifest.get('format')!r}, expected {FORMAT}")
    return manifest


def verify_backup(source: str, settings: Settings | None = None) -> dict:
    """Check every file of the backup against its manifest; returns the manifest or raises
    naming the first bad file (``settings``: for an ``s3://`` backup, the object store)."""
    fs, root = _fs(source, settings)
    manifest = _read_manifest(fs, root, source)
    for rel, want in manifest["files"].items():
        path = _join(root, rel)
        if fs.get_file_info(path).type != pafs.FileType.File:
            raise BackupError(f"{source}: {rel} is missing")
        digest, size = _sha256_of(fs, path)
        if digest != want["sha256"] or size != want["bytes"]:
            raise BackupError(f"{source}: {rel} does not match its checksum (changed or damaged)")
    return manifest


def restore(
    settings: Settings, source: str, *, progress: Callable[[str], None] | None = None
) -> dict:
    """Restore the backup at ``source`` into the (empty) lake and governance database of
    ``settings``; returns the manifest."""
    from jutong.governance import db
    from jutong.governance.transfer import copy_rows

    say = progress or (lambda _m: None)
    manifest = verify_backup(source, settings)
    say(f"{len(manifest['files'])} file(s) match their checksums")
    lake = Lake(settings)
    held = [f"{z.value}.{n}" for z in ZONES for n in lake.tables(z)]
    if held:
        raise BackupError(
            f"the lake of {settings.home} already holds {len(held)} table(s) "
            f"({', '.join(held[:3])}…): restore goes into an empty installation"
        )
    raw_root = Path(settings.raw_dir)
    if raw_root.is_dir() and any(p.is_file() for p in raw_root.rglob("*")):
        raise BackupError(f"{raw_root} already holds raw copies: restore into an empty one")
    fs, root = _fs(source, settings)

    import sqlalchemy as sa

    scratch = Path(settings.home) / ".restore-governance.sqlite"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    _copy_file(fs, _join(root, GOVERNANCE), pafs.LocalFileSystem(), str(scratch))
    src = replace(
        settings,
        governance_db_uri=sa.engine.URL.create("sqlite", database=str(scratch)).render_as_string(),
    )
    try:
        db.upgrade(src)
        db.upgrade(settings)
        try:
            copy_rows(db.engine(src), db.engine(settings))
        except ValueError as err:
            raise BackupError(f"governance database: {err}") from None
    finally:
        db.engine(src).dispose()
        scratch.unlink(missing_ok=True)
    say("governance database restored")

    for t in manifest["tables"]:
        with fs.open_input_file(_join(root, t["file"])) as f:
            pf = pq.ParquetFile(f)
            props = {k: v for k, v in t["properties"].items() if not k.startswith("write.")} | {
                "jutong.restored_from": str(t["snapshot_id"])
            }
            props.pop("jutong.built_from", None)  # a restored table is built by nobody yet
            table = lake.ensure_table(
                t["zone"],
                t["name"],
                pf.schema_arrow,
                partition_by=t["partition_by"],
                properties=props,
            )
            rows = 0
            for i in range(pf.num_row_groups):
                part = pf.read_row_group(i)
                if part.num_rows:
                    table.append(part.cast(table.schema().as_arrow()))
                    rows += part.num_rows
        if rows != t["rows"]:
            raise BackupError(
                f"{t['zone']}.{t['name']}: {rows} rows restored, {t['rows']} backed up"
            )
        say(f"{t['zone']}.{t['name']}: {rows:,} rows")
    local = pafs.LocalFileSystem()
    for rel in manifest["files"]:
        if rel.startswith("raw/"):
            dst = raw_root / rel.removeprefix("raw/")
            _copy_file(fs, _join(root, rel), local, str(dst))
    say("raw copies restored")
    return manifest


def table_rows(lake: Lake, zone_: str, name: str) -> pa.Table:
    """A table's rows in a stable order (for comparing a restore with its source)."""
    t = lake.table(zone_, name).scan().to_arrow()
    return t.sort_by([(c, "ascending") for c in t.column_names if _sortable(t.schema.field(c))])


def _sortable(field: pa.Field) -> bool:
    return not (pa.types.is_nested(field.type) or pa.types.is_binary(field.type))
