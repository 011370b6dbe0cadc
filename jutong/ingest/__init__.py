"""Ingestion of department extracts into the lake's raw zone."""

from jutong.ingest.core import (
    IngestResult,
    Manifest,
    ingest_file,
    manifests,
    raw_schema,
)
from jutong.ingest.landing import FileChangedError, LandingError, discover
from jutong.ingest.readers import ContractError

__all__ = [
    "ContractError",
    "FileChangedError",
    "IngestResult",
    "LandingError",
    "Manifest",
    "discover",
    "ingest_file",
    "manifests",
    "raw_schema",
]
