"""The lake layer: zones, table ids, provenance columns, reads of published history, and
write-audit-publish — the one place lake I/O is written (Spark reaches it through
``spark_jobs.lake``).

| module | concern |
|---|---|
| ``zones`` | ``Zone``, ``table_id``, ``PROVENANCE``, ``BATCH_PROPERTY`` |
| ``catalog`` | ``Lake``: the Iceberg catalog, tables, files |
| ``history`` | main's ancestry: batches done, batch files and row counts |
| ``publish`` | write-audit-publish of one table or a unit of tables |
| ``repair`` | settle dead runs' branches and files (``jutong lake repair``) |
| ``runs`` | run tokens: which process wrote a branch or a file, and is it alive |
| ``failpoints`` | named crash points for recovery tests |
"""

from jutong.lake.catalog import Lake
from jutong.lake.errors import (
    AlreadyPublishedError,
    AuditError,
    CommitStateUnknownError,
    ConcurrentPublishError,
    LakeError,
)
from jutong.lake.zones import (
    BATCH_PROPERTY,
    PROVENANCE,
    PROVENANCE_FIELDS,
    ZONES,
    Zone,
    table_id,
)

__all__ = [
    "BATCH_PROPERTY",
    "PROVENANCE",
    "PROVENANCE_FIELDS",
    "ZONES",
    "AlreadyPublishedError",
    "AuditError",
    "CommitStateUnknownError",
    "ConcurrentPublishError",
    "Lake",
    "LakeError",
    "Zone",
    "table_id",
]
