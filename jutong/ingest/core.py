"""Ingest one delivered extract into the lake: manifest, raw copy, contract, raw Iceberg table.

Steps for a file in ``landing/<department>/<dataset>/`` (docs/architecture.md, "the data path"):

1. hash it (SHA-256) and check its bytes decode in the catalog's encoding;
2. a file whose content was already ingested is a redelivery: it is noted in the existing
   batch's manifest and removed from landing — no second batch (idempotent);
3. read it against the catalog contract; a broken file is moved to quarantine with a reason
   file and the call raises ContractError naming the file and the problem;
4. write the rows, as delivered plus row provenance, to Parquet files of the raw Iceberg table;
5. copy the original, unchanged and read-only, into the raw zone;
6. publish through write-audit-publish (the audit re-reads the branch and checks the row count
   and row numbers), then write the manifest and clear the landing file.

The batch id is derived from the content hash, so a crash after step 6's commit and before the
manifest is recovered on the next run without a second batch.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from jutong.catalog.model import CatalogEntry
from jutong.ingest.readers import (
    ContractError,
    hash_and_check_encoding,
    read_extract,
    text_encoding,
)
from jutong.lake import PROVENANCE_FIELDS, AlreadyPublishedError, AuditError, Lake, Zone
from jutong.lake.history import batch_rows, published_values
from jutong.lake.repair import repair_before_job
from jutong.lake.zones import BATCH_PROPERTY as BATCH
from jutong.settings import Settings

log = logging.getLogger(__name__)

RAW_ZONE = Zone.raw.value
CHUNK_ROWS = 200_000
IGNORED_PREFIXES = (".", "_", "~$")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".filepart")


def raw_schema(entry: CatalogEntry) -> pa.Schema:
    """Raw table schema: every catalog item as text, then row provenance."""
    return pa.schema(
        [pa.field(it.name, pa.string()) for it in entry.items] + list(PROVENANCE_FIELDS)
    )


@dataclass
class Manifest:
    batch_id: str
    dataset: str
    department: str
    file_name: str
    raw_path: str  # relative to lake_root
    sha256: str
    size_bytes: int
    rows: int
    format: str
    encoding: str
    received_at: str  # when the file was delivered to landing (its modification time)
    loaded_at: str
    table: str
    snapshot_id: int | None
    redeliveries: list[dict]

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


@dataclass
class IngestResult:
    status: str  # published | duplicate
    dataset: str
    file: str
    batch_id: str
    rows: int
    sha256: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def batch_id_for(sha256: str) -> str:
    return sha256[:16]


def batch_dir(settings: Settings, entry: CatalogEntry, batch_id: str) -> Path:
    return settings.raw_dir / entry.department / entry.dataset / batch_id


def manifests(settings: Settings, entry: CatalogEntry) -> list[Manifest]:
    root = settings.raw_dir / entry.department / entry.dataset
    return [Manifest.read(p) for p in sorted(root.glob("*/manifest.json"))]


def landing_folder(settings: Settings, entry: CatalogEntry) -> Path:
    return settings.landing_dir / entry.department / entry.dataset


def discover(settings: Settings, entry: CatalogEntry) -> list[Path]:
    """Delivered files waiting in the dataset's landing folder, oldest first.

    Hidden files, files still being uploaded (``.part``, ``.tmp`` …) and files not matching the
    catalog's ``file_pattern`` are left alone.
    """
    folder = landing_folder(settings, entry)
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.glob(entry.extract.file_pattern)
        if p.is_file()
        and not p.name.startswith(IGNORED_PREFIXES)
        and not p.name.endswith(IGNORED_SUFFIXES)
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def quarantine(
    settings: Settings, entry: CatalogEntry, path: Path, sha256: str | None, err: ContractError
) -> Path:
    """Move a refused file to quarantine with a reason file beside it."""
    folder = settings.quarantine_dir / entry.department / entry.dataset
    folder.mkdir(parents=True, exist_ok=True)
    prefix = (sha256 or "unhashed")[:16]
    target = folder / f"{prefix}_{path.name}"
    shutil.move(str(path), target)
    reason = {
        "file": path.name,
        "landing_path": str(path),
        "quarantined_as": target.name,
        "dataset": entry.id,
        "sha256": sha256,
        "reason": err.reason,
        "problems": err.problems,
        "problem_count": err.total,
        "quarantined_at": _now().isoformat(),
    }
    target.with_name(target.name + ".reason.json").write_text(
        json.dumps(reason, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    log.error("quarantined %s: %s", path, err)
    return target


def _write_parquet(
    lake: Lake,
    table,
    entry: CatalogEntry,
    path: Path,
    batch_id: str,
    source_file: str,
    loaded_at: dt.datetime,
    progress: Callable[[str], None] | None,
) -> tuple[list[str], int]:
    """Stream the extract's rows into Parquet data files of the raw table (not yet visible)."""
    schema = raw_schema(entry)
    n_items = len(entry.items)
    uri = lake.new_data_path(table, f"_batch_id={batch_id}")
    fs, fpath = lake.filesystem(uri)
    fs.create_dir(fpath.rsplit("/", 1)[0], recursive=True)
    writer = pq.ParquetWriter(fpath, schema, filesystem=fs, compression="zstd")
    columns: list[list[str | None]] = [[] for _ in range(n_items)]
    row_numbers: list[int] = []
    total = 0

    def flush() -> None:
        n = len(row_numbers)
        if not n:
            return
        arrays = [pa.array(c, pa.string()) for c in columns]
        arrays += [
            pa.array([entry.department] * n, pa.string()),
            pa.array([entry.dataset] * n, pa.string()),
            pa.array([batch_id] * n, pa.string()),
            pa.array(row_numbers, pa.int64()),
            pa.array([source_file] * n, pa.string()),
            pa.array([loaded_at] * n, pa.timestamp("us", tz="UTC")),
        ]
        writer.write_batch(pa.record_batch(arrays, schema=schema))
        for c in columns:
            c.clear()
        row_numbers.clear()

    try:
        for row_number, values in read_extract(entry, path):
            for i, v in enumerate(values):
                columns[i].append(v)
            row_numbers.append(row_number)
            total += 1
            if len(row_numbers) >= CHUNK_ROWS:
                flush()
                if progress:
                    progress(f"{entry.id}: {total:,} rows read from {path.name}")
        flush()
    except BaseException:
        writer.close()
        lake.delete_files([uri])
        raise
    writer.close()
    if total == 0:
        lake.delete_files([uri])
        raise ContractError(path, ["no data rows (an empty batch is refused)"])
    return [uri], total


def _audit_rows(batch_id: str, expected: int) -> Callable[[object, int], None]:
    def audit(table, snapshot_id: int) -> None:
        from pyiceberg.expressions import EqualTo

        got = (
            table.scan(
                row_filter=EqualTo("_batch_id", batch_id),
                selected_fields=("_row_number",),
                snapshot_id=snapshot_id,
            )
            .to_arrow()
            .column("_row_number")
        )
        import pyarrow.compute as pc

        n = len(got)
        if n != expected:
            raise AuditError(f"batch {batch_id}: {n} rows on the branch, {expected} read")
        if n and (
            pc.min(got).as_py() != 1
            or pc.max(got).as_py() != expected
            or pc.count_distinct(got).as_py() != expected
        ):
            raise AuditError(f"batch {batch_id}: row numbers are not 1..{expected}")

    return audit


def _record_redelivery(mpath: Path, path: Path, received_at: str) -> Manifest:
    m = Manifest.read(mpath)
    m.redeliveries.append(
        {"file_name": path.name, "received_at": received_at, "noticed_at": _now().isoformat()}
    )
    m.write(mpath)
    return m


def ingest_file(
    settings: Settings,
    entry: CatalogEntry,
    path: Path | str,
    *,
    lake: Lake | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestResult:
    """Ingest one delivered file; see the module docstring. Raises ContractError on a bad file."""
    path = Path(path)
    lake = lake or Lake(settings)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file in landing")
    received_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat()

    try:
        facts = hash_and_check_encoding(path, text_encoding(entry))
    except ContractError as err:
        import hashlib

        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        quarantine(settings, entry, path, sha, err)
        raise
    batch_id = batch_id_for(facts.sha256)
    bdir = batch_dir(settings, entry, batch_id)
    mpath = bdir / "manifest.json"

    if mpath.is_file():
        m = _record_redelivery(mpath, path, received_at)
        path.unlink()
        msg = f"{path.name}: same content as batch {batch_id} (received {m.received_at}); no new batch"
        log.info(msg)
        return IngestResult("duplicate", entry.id, path.name, batch_id, 0, facts.sha256, msg)

    created = not lake.table_exists(RAW_ZONE, entry.table_name)
    table = lake.ensure_table(
        RAW_ZONE,
        entry.table_name,
        raw_schema(entry),
        partition_by=["_batch_id"],
        properties={"jutong.catalog_id": entry.id, "jutong.zone": RAW_ZONE},
    )
    source_file = f"raw/{entry.department}/{entry.dataset}/{batch_id}/{path.name}"
    loaded_at = _now()
    props = {
        "jutong.batch_id": batch_id,
        "jutong.dataset": entry.id,
        "jutong.sha256": facts.sha256,
        "jutong.source_file": source_file,
    }

    repair_before_job(lake, [f"{RAW_ZONE}.{entry.table_name}"])
    committed = Lake.snapshot_with_property(lake.table(RAW_ZONE, entry.table_name), BATCH, batch_id)
    if committed is None:
        try:
            files, rows = _write_parquet(
                lake, table, entry, path, batch_id, source_file, loaded_at, progress
            )
        except ContractError as err:
            # the first delivery was refused: leave no empty table behind (unless another
            # run published into it meanwhile)
            if created and not published_values(lake.table(RAW_ZONE, entry.table_name)):
                lake.drop_table(RAW_ZONE, entry.table_name)
            quarantine(settings, entry, path, facts.sha256, err)
            raise
        try:
            snapshot_id = lake.publish_files(
                table,
                files,
                properties=props,
                audit=_audit_rows(batch_id, rows),
                skip_if=lambda t: Lake.snapshot_with_property(t, BATCH, batch_id) is not None,
            )
        except AlreadyPublishedError:  # the same extract, ingested by another run meanwhile
            committed = Lake.snapshot_with_property(
                lake.table(RAW_ZONE, entry.table_name), BATCH, batch_id
            )
    if committed is not None:
        # Recovery: the rows were published but the manifest was not written (a crash, or
        # another run that is writing it now).
        rows = batch_rows(lake.table(RAW_ZONE, entry.table_name), batch_id)
        snapshot_id = committed
        log.warning(
            "batch %s was already published (snapshot %s); completing its manifest",
            batch_id,
            committed,
        )

    # The unchanged original, read-only, beside its manifest.
    bdir.mkdir(parents=True, exist_ok=True)
    raw_copy = bdir / path.name
    if not raw_copy.exists():
        tmp = bdir / f".{path.name}.copying"
        shutil.copyfile(path, tmp)
        if hash_and_check_encoding(tmp, None).sha256 != facts.sha256:
            tmp.unlink()
            raise OSError(f"{path}: the copy in the raw zone does not match the delivered file")
        os.replace(tmp, raw_copy)
        raw_copy.chmod(0o444)

    manifest = Manifest(
        batch_id=batch_id,
        dataset=entry.id,
        department=entry.department,
        file_name=path.name,
        raw_path=str(raw_copy.relative_to(settings.lake_root)),
        sha256=facts.sha256,
        size_bytes=facts.size_bytes,
        rows=rows,
        format=entry.extract.format.value,
        encoding=entry.extract.encoding,
        received_at=received_at,
        loaded_at=loaded_at.isoformat(),
        table=f"{RAW_ZONE}.{entry.table_name}",
        snapshot_id=snapshot_id,
        redeliveries=[],
    )
    manifest.write(mpath)
    path.unlink()
    msg = f"{path.name}: batch {batch_id}, {rows:,} rows into {RAW_ZONE}.{entry.table_name}"
    log.info(msg)
    return IngestResult("published", entry.id, path.name, batch_id, rows, facts.sha256, msg)
