"""``Lake``: the Iceberg catalog, zones as namespaces, tables and their files.

Immutable copies of extracts and their manifests live as files under ``<lake_root>/raw``,
refused extracts under ``<lake_root>/quarantine`` (see ``Settings``); everything else is an
Iceberg table ``<zone>.<name>``. Writes go through ``jutong.lake.publish`` (write-audit-publish).
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa
from pyarrow import fs as pafs

from jutong.lake import history
from jutong.lake.runs import current_run
from jutong.lake.zones import Zone, table_id, zone
from jutong.settings import Settings

log = logging.getLogger(__name__)


class _QuietCommitRetries(logging.Filter):
    """pyiceberg retries a commit refused by a concurrent writer and logs each retry as a
    WARNING; the lake layer retries and reports conflicts itself (one line, see
    ``jutong.lake.publish``), so these lines are noise on the user's terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Commit failed due to a concurrent update")


logging.getLogger("pyiceberg.table").addFilter(_QuietCommitRetries())


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

    def ensure_namespace(self, zone_: str | Zone) -> None:
        """Create the zone's namespace unless it exists. Two processes may both find it missing
        and both insert it: the loser's catalog then raises its own error (a SQL catalog an
        ``IntegrityError``, not pyiceberg's ``NamespaceAlreadyExistsError``); the namespace
        exists either way, which is all the caller asked for."""
        ns = zone(zone_).value
        try:
            self.catalog.create_namespace_if_not_exists(ns)
        except Exception:
            if not self.catalog.namespace_exists(ns):
                raise
            log.debug("namespace %s was created by another process meanwhile", ns)

    def table_exists(self, zone_: str | Zone, name: str) -> bool:
        return self.catalog.table_exists(table_id(zone_, name))

    def table(self, zone_: str | Zone, name: str):
        return self.catalog.load_table(table_id(zone_, name))

    def table_or_none(self, zone_: str | Zone, name: str):
        """The table, or None when it does not exist."""
        from pyiceberg.exceptions import NoSuchTableError

        try:
            return self.table(zone_, name)
        except NoSuchTableError:
            return None

    def tables(self, zone_: str | Zone) -> list[str]:
        """Names of the zone's tables (none when the zone does not exist yet)."""
        from pyiceberg.exceptions import NoSuchNamespaceError

        try:
            return sorted(t[-1] for t in self.catalog.list_tables(zone(zone_).value))
        except NoSuchNamespaceError:
            return []

    def default_location(self, zone_: str | Zone, name: str) -> str:
        """Where a new table's files go (fixed before its first files are written: the schema
        comes from those files, and ``add_files`` registers files in place)."""
        return f"{self.settings.iceberg_warehouse.rstrip('/')}/{zone(zone_).value}/{name}"

    def location(self, zone_: str | Zone, name: str) -> str:
        t = self.table_or_none(zone_, name)
        return (t.location() if t is not None else self.default_location(zone_, name)).rstrip("/")

    def data_location(self, zone_: str | Zone, name: str) -> str:
        """Where this lake writes the table's data files (``<here>/data/…``): the table's own
        location, or ``<data_files_root>/<zone>/<name>`` when that setting is given (a
        catalog whose storage takes no writes but its own in a table's location)."""
        root = self.settings.data_files_root.strip().rstrip("/")
        if root:
            return f"{root}/{zone(zone_).value}/{name}"
        return self.location(zone_, name)

    def data_locations(self, zone_: str | Zone, name: str, table=None) -> list[str]:
        """Every folder whose ``data/`` may hold the table's files: its own location and,
        with ``data_files_root``, the lake's (``jutong lake repair`` looks in both)."""
        own = (table.location() if table is not None else self.location(zone_, name)).rstrip("/")
        out = [own]
        if self.settings.data_files_root.strip():
            other = self.data_location(zone_, name)
            if other != own:
                out.append(other)
        return out

    def drop_table(self, zone_: str | Zone, name: str) -> None:
        """Drop a table and delete its folder (used only for a table this run created)."""
        table = self.table(zone_, name)
        locations = self.data_locations(zone_, name, table)
        self.catalog.drop_table(table_id(zone_, name))
        for location in locations:
            fs, path = self.filesystem(location)
            with contextlib.suppress(FileNotFoundError, OSError):
                fs.delete_dir(path)

    def ensure_table(
        self,
        zone_: str | Zone,
        name: str,
        schema: pa.Schema,
        *,
        partition_by: Iterable[str] = (),
        properties: dict[str, str] | None = None,
        location: str | None = None,
    ):
        """Load the table, creating it (with identity partitions) when it does not exist."""
        from pyiceberg.exceptions import TableAlreadyExistsError

        self.ensure_namespace(zone_)
        ident = table_id(zone_, name)
        if self.catalog.table_exists(ident):
            return self._evolve(ident, schema)
        # Columns are optional in the table: files whose writer marked a column required
        # (Spark does for non-null expressions) still fit, and later batches may hold nulls.
        schema = pa.schema([f.with_nullable(True) for f in schema])
        try:
            table = self.catalog.create_table(
                ident,
                schema=schema,
                properties={"jutong.zone": zone(zone_).value, **(properties or {})},
                location=location,
            )
        except TableAlreadyExistsError:  # another writer created it first
            return self._evolve(ident, schema)
        parts = list(partition_by)
        if parts:
            with table.update_spec() as spec:
                for col in parts:
                    spec.add_identity(col)
            table = self.catalog.load_table(ident)
        # An empty first snapshot, so that every later write can go through a branch
        # (Iceberg only lets a table without snapshots be written on main).
        table.append(schema.empty_table(), snapshot_properties={"jutong.operation": "create"})
        return self.catalog.load_table(ident)

    def _evolve(self, ident: str, schema: pa.Schema):
        table = self.catalog.load_table(ident)
        missing = [f.name for f in schema if f.name not in table.schema().column_names]
        if missing:
            with table.update_schema() as upd:
                upd.union_by_name(schema)
            table = self.catalog.load_table(ident)
        return table

    # ---- files -----------------------------------------------------------------------
    def filesystem(self, location: str) -> tuple[pafs.FileSystem, str]:
        """A pyarrow filesystem and path for a table location (file://, s3://, hdfs://), on
        this lake's object store (``filesystem_for``)."""
        return filesystem_for(self.settings, location)

    def new_data_path(self, table, partition: str, suffix: str = ".parquet") -> str:
        """A fresh data-file URI under the table's data folder (``data_location``), named
        with this run's token (``jutong lake repair`` removes it if the run dies before
        publishing it)."""
        if self.settings.data_files_root.strip():
            ident = table.name()  # (…, zone, name)
            loc = self.data_location(ident[-2], ident[-1])
        else:
            loc = table.location().rstrip("/")
        return f"{loc}/data/{partition}/{current_run()}_{uuid.uuid4().hex[:12]}{suffix}"

    @staticmethod
    def new_data_folder(location: str, partition: str) -> str:
        """A fresh folder for one write's files (Spark writes a folder), named like
        ``new_data_path``."""
        return f"{location.rstrip('/')}/data/{partition}/{current_run()}_{uuid.uuid4().hex[:8]}"

    def delete_files(self, uris: Iterable[str]) -> None:
        for uri in uris:
            fs, path = self.filesystem(uri)
            with contextlib.suppress(FileNotFoundError, OSError):
                fs.delete_file(path)

    # ---- write-audit-publish (jutong.lake.publish) -------------------------------------
    def publish_files(
        self,
        table,
        files: list[str],
        *,
        properties: dict[str, str],
        audit: Callable[[object, int], None],
        replace: bool = False,
        skip_if: Callable[[object], bool] | None = None,
    ) -> int:
        """Publish ``files`` to ``table`` by write-audit-publish; see
        ``jutong.lake.publish.publish_files``."""
        from jutong.lake.publish import publish_files

        return publish_files(
            self,
            table,
            files,
            properties=properties,
            audit=audit,
            replace=replace,
            skip_if=skip_if,
        )

    def unit(self, name: str, tables: list[str]):
        """A ``PublishUnit``: the tables ``tables`` (``zone.name``) published together (see
        ``jutong.lake.publish``)."""
        from jutong.lake.publish import PublishUnit

        return PublishUnit(self, name, tables)

    snapshot_with_property = staticmethod(history.snapshot_with_property)


def filesystem_for(settings: Settings, location: str) -> tuple[pafs.FileSystem, str]:
    """A pyarrow filesystem and path for ``location`` (a path, file://, s3://, hdfs://).

    ``s3://`` goes to the settings' object store (``s3_endpoint``, ``s3_region``; the keys from
    ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` of the environment), not to AWS: pyarrow's
    own ``from_uri`` knows no endpoint and would ask ``<bucket>.s3.amazonaws.com``."""
    if "://" not in location:
        location = Path(location).absolute().as_uri()
    parsed = urlparse(location)
    if parsed.scheme in ("s3", "s3a") and settings.s3_endpoint:
        endpoint = urlparse(settings.s3_endpoint)
        fs = pafs.S3FileSystem(
            endpoint_override=endpoint.netloc or settings.s3_endpoint,
            scheme=endpoint.scheme or "https",
            region=settings.s3_region or "us-east-1",
            access_key=os.environ.get("AWS_ACCESS_KEY_ID") or None,
            secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        )
        return fs, f"{parsed.netloc}{parsed.path}"
    return pafs.FileSystem.from_uri(location)

