"""Lake access: zones, the Iceberg catalog, and write-audit-publish.

Zones are Iceberg namespaces (``raw``, ``staging``, ``base``, ``theme``, ``meta``); immutable
copies of extracts and their manifests live as files under ``<lake_root>/raw`` and refused
extracts under ``<lake_root>/quarantine`` (see ``Settings``).

Write-audit-publish (docs/architecture.md): new data files are committed to a branch that
readers do not see, audited on that branch, and only then made the current snapshot of
``main`` in one metadata commit. A failed audit removes the branch and the files and leaves
the published table exactly as it was.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa
from pyarrow import fs as pafs

from jutong.settings import Settings

log = logging.getLogger(__name__)

ZONES = ("raw", "staging", "quarantine", "base", "theme", "meta")


class AuditError(RuntimeError):
    """An audit refused a write; nothing was published."""


class ConcurrentPublishError(RuntimeError):
    """The table's main branch moved while a write was being audited."""


class Lake:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._catalog = None

    # ---- catalog ---------------------------------------------------------------------
    @property
    def catalog(self):
        if self._catalog is None:
            from pyiceberg.catalog import load_catalog

            s = self.settings
            props: dict[str, str] = {"type": s.iceberg_catalog_type, "uri": s.iceberg_catalog_uri}
            if s.iceberg_warehouse:
                props["warehouse"] = s.iceberg_warehouse
            if s.s3_endpoint:
                props["s3.endpoint"] = s.s3_endpoint
            if s.s3_region:
                props["s3.region"] = s.s3_region
            if urlparse(s.iceberg_catalog_uri).scheme == "sqlite":
                db_path = s.iceberg_catalog_uri.split(":///", 1)[1]
                Path(db_path).parent.mkdir(parents=True, exist_ok=True)
            if s.iceberg_warehouse.startswith("file://"):
                Path(urlparse(s.iceberg_warehouse).path).mkdir(parents=True, exist_ok=True)
            self._catalog = load_catalog(s.iceberg_catalog_name, **props)
        return self._catalog

    def ensure_namespace(self, zone: str) -> None:
        if zone not in ZONES:
            raise ValueError(f"unknown lake zone '{zone}' (zones: {', '.join(ZONES)})")
        self.catalog.create_namespace_if_not_exists(zone)

    def table_exists(self, zone: str, name: str) -> bool:
        return self.catalog.table_exists(f"{zone}.{name}")

    def drop_table(self, zone: str, name: str) -> None:
        """Drop a table and delete its folder (used only for a table this run created)."""
        table = self.catalog.load_table(f"{zone}.{name}")
        location = table.location()
        self.catalog.drop_table(f"{zone}.{name}")
        fs, path = self.filesystem(location)
        with contextlib.suppress(FileNotFoundError, OSError):
            fs.delete_dir(path)

    def table(self, zone: str, name: str):
        return self.catalog.load_table(f"{zone}.{name}")

    def ensure_table(
        self,
        zone: str,
        name: str,
        schema: pa.Schema,
        *,
        partition_by: Iterable[str] = (),
        properties: dict[str, str] | None = None,
        location: str | None = None,
    ):
        """Load the table, creating it (with identity partitions) when it does not exist."""
        self.ensure_namespace(zone)
        ident = f"{zone}.{name}"
        if self.catalog.table_exists(ident):
            table = self.catalog.load_table(ident)
            missing = [f.name for f in schema if f.name not in table.schema().column_names]
            if missing:
                with table.update_schema() as upd:
                    upd.union_by_name(schema)
                table = self.catalog.load_table(ident)
            return table
        # Columns are optional in the table: files whose writer marked a column required
        # (Spark does for non-null expressions) still fit, and later batches may hold nulls.
        schema = pa.schema([f.with_nullable(True) for f in schema])
        table = self.catalog.create_table(
            ident, schema=schema, properties=properties or {}, location=location
        )
        parts = list(partition_by)
        if parts:
            with table.update_spec() as spec:
                for col in parts:
                    spec.add_identity(col)
            table = self.catalog.load_table(ident)
        # An empty first snapshot, so that every later write can go through a branch
        # (Iceberg only lets a table without snapshots be written on main).
        empty = schema.empty_table()
        table.append(empty, snapshot_properties={"jutong.operation": "create"})
        return self.catalog.load_table(ident)

    # ---- files -----------------------------------------------------------------------
    @staticmethod
    def filesystem(location: str) -> tuple[pafs.FileSystem, str]:
        """A pyarrow filesystem and path for a table location (file://, s3://, hdfs://)."""
        if "://" not in location:
            location = Path(location).absolute().as_uri()
        return pafs.FileSystem.from_uri(location)

    def new_data_path(self, table, partition: str, suffix: str = ".parquet") -> str:
        """A fresh data-file URI under the table's data folder."""
        loc = table.location().rstrip("/")
        return f"{loc}/data/{partition}/{uuid.uuid4().hex}{suffix}"

    def delete_files(self, uris: Iterable[str]) -> None:
        for uri in uris:
            fs, path = self.filesystem(uri)
            with contextlib.suppress(FileNotFoundError, OSError):
                fs.delete_file(path)

    # ---- write, audit, publish ---------------------------------------------------------
    def publish_files(
        self,
        table,
        files: list[str],
        *,
        properties: dict[str, str],
        audit: Callable[[object, int], None],
        replace: bool = False,
    ) -> int:
        """Add ``files`` to ``table`` through a hidden branch, audit, then publish.

        With ``replace`` the branch first drops every current row, so the published
        snapshot holds exactly ``files`` (a full rebuild, e.g. a base database's current
        records; earlier snapshots keep the earlier contents).

        ``audit(table, snapshot_id)`` inspects the branch snapshot and raises to refuse.
        Returns the published snapshot id. On any failure the branch and the files are
        removed and the table's main branch is unchanged.
        """
        branch = f"wap_{uuid.uuid4().hex[:12]}"
        base = table.current_snapshot()
        base_id = base.snapshot_id if base else None
        try:
            if base_id is not None:
                table.manage_snapshots().create_branch(base_id, branch).commit()
            if replace and base_id is not None:
                from pyiceberg.expressions import AlwaysTrue

                with table.transaction() as tx:
                    tx.delete(AlwaysTrue(), snapshot_properties=properties, branch=branch)
                    tx.add_files(files, snapshot_properties=properties, branch=branch)
            else:
                table.add_files(files, snapshot_properties=properties, branch=branch)
            table = table.refresh()
            snap = table.snapshot_by_name(branch)
            if snap is None:
                raise AuditError(f"branch {branch} has no snapshot after the write")
            audit(table, snap.snapshot_id)
            current = table.refresh().current_snapshot()
            current_id = current.snapshot_id if current else None
            if current_id != base_id or not self._descends_from(table, snap, base_id):
                raise ConcurrentPublishError(
                    f"{table.name()}: main moved from {base_id} to {current_id} during the write"
                )
            table.manage_snapshots().set_current_snapshot(snapshot_id=snap.snapshot_id).commit()
            table.refresh().manage_snapshots().remove_branch(branch).commit()
            log.info(
                "published %d file(s) to %s as snapshot %s",
                len(files),
                table.name(),
                snap.snapshot_id,
            )
            return snap.snapshot_id
        except BaseException:
            try:
                t = table.refresh()
                if t.snapshot_by_name(branch) is not None:
                    t.manage_snapshots().remove_branch(branch).commit()
            except Exception:  # noqa: BLE001 - best effort clean-up; the original error wins
                log.exception("could not remove branch %s", branch)
            self.delete_files(files)
            raise

    @staticmethod
    def _descends_from(table, snap, ancestor_id: int | None) -> bool:
        """Whether ``ancestor_id`` is on the parent chain of ``snap`` (branch commits)."""
        by_id = {s.snapshot_id: s for s in table.snapshots()}
        parent = snap.parent_snapshot_id
        while parent is not None:
            if parent == ancestor_id:
                return True
            p = by_id.get(parent)
            parent = p.parent_snapshot_id if p else None
        return ancestor_id is None

    @staticmethod
    def snapshot_with_property(table, key: str, value: str) -> int | None:
        """The id of a snapshot in main's history whose summary has ``key=value``."""
        snap = table.current_snapshot()
        by_id = {s.snapshot_id: s for s in table.snapshots()}
        while snap is not None:
            summary = snap.summary
            if summary is not None and summary.additional_properties.get(key) == value:
                return snap.snapshot_id
            snap = by_id.get(snap.parent_snapshot_id) if snap.parent_snapshot_id else None
        return None
