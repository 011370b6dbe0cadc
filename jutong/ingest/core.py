"""Ingest one delivered extract into the lake: manifest, raw copy, contract, raw Iceberg table.

Steps for a file in ``landing/<department>/<dataset>/`` (docs/architecture.md, "the data path"):

1. take it (``jutong.ingest.landing``): never a link or a file resolving outside landing, and
   only once its size and modification time have been stable for the quiet period;
2. copy it into the raw zone, hashing it (SHA-256), and check the copy's bytes decode in the
   catalog's encoding; everything after reads the copy;
3. a file whose content was already ingested is a redelivery: it is noted in the existing
   batch's manifest and removed from landing — no second batch (idempotent);
4. read the copy against the catalog contract; broken content goes to quarantine with a reason
   file and the call raises ContractError naming the file and the problem;
5. write the rows, as delivered plus row provenance, to Parquet files of the raw Iceberg table;
6. check the delivered file is still the copy (size, mtime, checksum): a file that changed is
   left in landing, nothing is published, and the call raises FileChangedError;
7. publish through write-audit-publish (the audit re-reads the branch and checks the row count
   and row numbers), keep the copy read-only beside the manifest, write the manifest and clear
   the landing file (a file named outside landing is never moved or deleted).

The batch id is derived from the content hash, so a crash after step 6's commit and before the
manifest is recovered on the next run without a second batch.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from jutong.catalog.model import CatalogEntry
from jutong.ingest.landing import (
    Delivery,
    FileChangedError,
    take,
)
from jutong.ingest.readers import (
    ContractError,
    hash_and_check_encoding,
    read_extract,
    text_encoding,
)
from jutong.lake import PROVENANCE_FIELDS, AlreadyPublishedError, AuditError, Lake, Zone
from jutong.lake.history import batch_rows, published_values
from jutong.lake.repair import repair_before_job
from jutong.lake.runs import RunToken, current_run, run_is_alive
from jutong.lake.zones import BATCH_PROPERTY as BATCH
from jutong.settings import Settings

log = logging.getLogger(__name__)

RAW_ZONE = Zone.raw.value
CHUNK_ROWS = 200_000
INCOMING = ".incoming"  # copies being read, beside the dataset's batches


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


def _named(err: ContractError, delivery: Delivery) -> ContractError:
    """The error as the delivered file's (the rows were read from a copy of it)."""
    return ContractError(delivery.shown, err.problems, err.total)


def quarantine(
    settings: Settings,
    entry: CatalogEntry,
    delivery: Delivery,
    copy: Path,
    sha256: str | None,
    err: ContractError,
) -> Path:
    """Put the refused content (the copy that was read) in quarantine with a reason file
    beside it; the delivered file leaves landing (a file outside landing is left alone)."""
    folder = settings.quarantine_dir / entry.department / entry.dataset
    folder.mkdir(parents=True, exist_ok=True)
    name = delivery.path.name
    prefix = (sha256 or "unhashed")[:16]
    target = folder / f"{prefix}_{name}"
    os.replace(copy, target)
    reason = {
        "file": name,
        "landing_path": delivery.shown,
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
    delivery.remove()
    log.error("quarantined %s", err)
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
    rows: list[list[str | None]] = []  # a chunk of rows, turned into columns at flush
    row_numbers: list[int] = []
    sources: list[str] = []  # the file, and the sheet of a workbook read in several sheets
    total = 0

    def flush() -> None:
        n = len(row_numbers)
        if not n:
            return
        columns = list(zip(*rows, strict=True)) if n_items else []
        arrays = [pa.array(c, pa.string()) for c in columns]
        arrays += [
            pa.array([entry.department] * n, pa.string()),
            pa.array([entry.dataset] * n, pa.string()),
            pa.array([batch_id] * n, pa.string()),
            pa.array(row_numbers, pa.int64()),
            pa.array(sources, pa.string()),
            pa.array([loaded_at] * n, pa.timestamp("us", tz="UTC")),
        ]
        writer.write_batch(pa.record_batch(arrays, schema=schema))
        rows.clear()
        row_numbers.clear()
        sources.clear()

    try:
        for row_number, values, part in read_extract(entry, path):
            rows.append(values)
            row_numbers.append(row_number)
            sources.append(source_file if part is None else f"{source_file}#sheet={part}")
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


def _record_redelivery(mpath: Path, name: str, received_at: str) -> Manifest:
    m = Manifest.read(mpath)
    m.redeliveries.append(
        {"file_name": name, "received_at": received_at, "noticed_at": _now().isoformat()}
    )
    m.write(mpath)
    return m


def clear_dead_copies(incoming: Path) -> list[Path]:
    """Delete copies a killed ingest left in ``.incoming`` (its run is dead); a live run's
    copy, or a file without a run token, is left alone."""
    removed = []
    for f in incoming.iterdir():
        token = RunToken.parse(f.name)
        if token is not None and not run_is_alive(token):
            f.unlink(missing_ok=True)
            removed.append(f)
    return removed


def ingest_file(
    settings: Settings,
    entry: CatalogEntry,
    path: Path | str,
    *,
    lake: Lake | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestResult:
    """Ingest one delivered file; see the module docstring. Raises ContractError on a bad file
    (moved to quarantine) and LandingError on a file that is not taken (left where it is)."""
    delivery = take(settings, entry, path)
    lake = lake or Lake(settings)
    incoming = settings.raw_dir / entry.department / entry.dataset / INCOMING
    incoming.mkdir(parents=True, exist_ok=True)
    clear_dead_copies(incoming)
    copy = incoming / f"{current_run()}_{time.monotonic_ns()}_{delivery.path.name}"
    try:
        return _ingest_copy(settings, entry, delivery, copy, lake, progress)
    finally:
        copy.unlink(missing_ok=True)


def _ingest_copy(
    settings: Settings,
    entry: CatalogEntry,
    delivery: Delivery,
    copy: Path,
    lake: Lake,
    progress: Callable[[str], None] | None,
) -> IngestResult:
    name = delivery.path.name
    received_at = dt.datetime.fromtimestamp(delivery.mtime, dt.UTC).isoformat()
    sha = delivery.copy_to(copy)
    try:
        facts = hash_and_check_encoding(copy, text_encoding(entry))
    except ContractError as err:
        quarantine(settings, entry, delivery, copy, sha, _named(err, delivery))
        raise _named(err, delivery) from None
    if facts.sha256 != sha:
        raise delivery.changed_error("while it was copied")
    batch_id = batch_id_for(facts.sha256)
    bdir = batch_dir(settings, entry, batch_id)
    mpath = bdir / "manifest.json"

    if mpath.is_file():
        m = _record_redelivery(mpath, name, received_at)
        delivery.remove()
        msg = f"{name}: same content as batch {batch_id} (received {m.received_at}); no new batch"
        log.info(msg)
        return IngestResult("duplicate", entry.id, name, batch_id, 0, facts.sha256, msg)

    created = not lake.table_exists(RAW_ZONE, entry.table_name)
    table = lake.ensure_table(
        RAW_ZONE,
        entry.table_name,
        raw_schema(entry),
        partition_by=["_batch_id"],
        properties={"jutong.catalog_id": entry.id, "jutong.zone": RAW_ZONE},
    )
    source_file = f"raw/{entry.department}/{entry.dataset}/{batch_id}/{name}"
    loaded_at = _now()
    props = {
        "jutong.batch_id": batch_id,
        "jutong.dataset": entry.id,
        "jutong.sha256": facts.sha256,
        "jutong.source_file": source_file,
    }

    def drop_if_empty_and_new() -> None:
        # the first delivery was not published: leave no empty table behind (unless another
        # run published into it meanwhile)
        if created and not published_values(lake.table(RAW_ZONE, entry.table_name)):
            lake.drop_table(RAW_ZONE, entry.table_name)

    repair_before_job(lake, [f"{RAW_ZONE}.{entry.table_name}"])
    committed = Lake.snapshot_with_property(lake.table(RAW_ZONE, entry.table_name), BATCH, batch_id)
    if committed is None:
        try:
            files, rows = _write_parquet(
                lake, table, entry, copy, batch_id, source_file, loaded_at, progress
            )
        except ContractError as err:
            drop_if_empty_and_new()
            quarantine(settings, entry, delivery, copy, facts.sha256, _named(err, delivery))
            raise _named(err, delivery) from None
        try:
            # the delivered file is still the copy that was read: else nothing is published
            delivery.check_unchanged(facts.sha256)
        except FileChangedError:
            lake.delete_files(files)
            drop_if_empty_and_new()
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

    # The unchanged original (the checked copy), read-only, beside its manifest.
    bdir.mkdir(parents=True, exist_ok=True)
    raw_copy = bdir / name
    if not raw_copy.exists():
        os.replace(copy, raw_copy)
        raw_copy.chmod(0o444)

    manifest = Manifest(
        batch_id=batch_id,
        dataset=entry.id,
        department=entry.department,
        file_name=name,
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
    delivery.remove()
    msg = f"{name}: batch {batch_id}, {rows:,} rows into {RAW_ZONE}.{entry.table_name}"
    log.info(msg)
    return IngestResult("published", entry.id, name, batch_id, rows, facts.sha256, msg)
