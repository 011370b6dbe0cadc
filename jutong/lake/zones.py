"""The lake's zones and table identifiers: the one place their names are written.

Zones are Iceberg namespaces. Data flows one way (docs/architecture.md): raw → staging → base → theme →
share/release; ``quarantine`` holds rows the quality gate refused, ``meta`` the lake's own
bookkeeping tables.
"""

from __future__ import annotations

from enum import StrEnum

import pyarrow as pa


class Zone(StrEnum):
    raw = "raw"
    staging = "staging"
    quarantine = "quarantine"
    base = "base"
    theme = "theme"
    share = "share"  # deliveries to requesting departments (share.<request>)
    meta = "meta"


ZONES = tuple(z.value for z in Zone)

# Columns every raw and staging row carries: where it came from (docs/architecture.md,
# "traceable"), with their types in the raw zone.
PROVENANCE_FIELDS = (
    pa.field("_department", pa.string()),
    pa.field("_dataset", pa.string()),
    pa.field("_batch_id", pa.string()),
    pa.field("_row_number", pa.int64()),
    pa.field("_source_file", pa.string()),
    pa.field("_loaded_at", pa.timestamp("us", tz="UTC")),
)
PROVENANCE = tuple(f.name for f in PROVENANCE_FIELDS)

# The snapshot summary property that names the batch a snapshot published.
BATCH_PROPERTY = "jutong.batch_id"


def zone(value: str | Zone) -> Zone:
    """The zone named ``value``; a clear error for an unknown one."""
    try:
        return Zone(value)
    except ValueError:
        raise ValueError(f"unknown lake zone '{value}' (zones: {', '.join(ZONES)})") from None


def table_id(zone_: str | Zone, name: str) -> str:
    """``<zone>.<name>``, the Iceberg identifier of a lake table."""
    return f"{zone(zone_).value}.{name}"
