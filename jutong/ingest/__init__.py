"""Ingestion of department extracts into the lake's raw zone."""

from jutong.ingest.core import (
    IngestResult,
    Manifest,
    discover,
    ingest_file,
    manifests,
    raw_schema,
)
from jutong.ingest.readers import ContractError

__all__ = [
    "ContractError",
    "IngestResult",
    "Manifest",
    "discover",
    "ingest_file",
    "manifests",
    "raw_schema",
]
