"""Has anything a build reads changed since its output was built? — no Asset storms.

An Asset-scheduled DAG run whose inputs are exactly those its current output was built from
has nothing to do: its task skips (``AirflowSkipException``), and a skipped task emits no
Asset event, so nothing downstream runs either (docs/stack.md, "No Asset storms"). A run
that found something new builds and, after it published, records the fingerprint of the
inputs it read on its output tables (the table property ``jutong.built_from``).

The fingerprint covers every input the build reads: the current snapshot id of each input
table, the catalog files (mappings, matching thresholds, masking policies), and for the
entity bases the clerical-review decisions applied on the next build. It is taken *before*
the build reads anything: an input that changes during the build gives a different
fingerprint next time, so the next run builds again (never the reverse).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from jutong.lake import Lake, Zone
from jutong.settings import Settings

PROPERTY = "jutong.built_from"


def input_snapshots(lake: Lake, tables: Iterable[tuple[str | Zone, str]]) -> dict[str, int | None]:
    """``zone.table`` -> its current snapshot id (None: no table or no snapshot yet)."""
    out: dict[str, int | None] = {}
    for zone_, name in tables:
        table = lake.table_or_none(zone_, name)
        snap = table.current_snapshot() if table is not None else None
        key = f"{Zone(zone_).value}.{name}"
        out[key] = snap.snapshot_id if snap is not None else None
    return out


def catalog_digest(catalog_dir: Path) -> str:
    """SHA-256 over the catalog folder's YAML files (names and contents)."""
    h = hashlib.sha256()
    for path in sorted(Path(catalog_dir).rglob("*.yaml")):
        h.update(str(path.relative_to(catalog_dir)).encode("utf-8") + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(
    settings: Settings,
    lake: Lake,
    tables: Iterable[tuple[str | Zone, str]],
    *,
    extra: dict | None = None,
) -> str:
    """One SHA-256 of everything the build reads (see the module docstring)."""
    doc = {
        "tables": input_snapshots(lake, tables),
        "catalog": catalog_digest(settings.catalog_dir),
        "extra": extra or {},
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def built_from(lake: Lake, outputs: Iterable[tuple[str | Zone, str]]) -> set[str | None]:
    """The fingerprints the outputs record (None for an output missing or not yet marked)."""
    seen: set[str | None] = set()
    for zone_, name in outputs:
        table = lake.table_or_none(zone_, name)
        if table is None or table.current_snapshot() is None:
            seen.add(None)
        else:
            seen.add(table.properties.get(PROPERTY))
    return seen


def is_current(lake: Lake, outputs: Iterable[tuple[str | Zone, str]], fp: str) -> bool:
    """True when every output exists and was built from exactly ``fp``."""
    outputs = list(outputs)
    return bool(outputs) and built_from(lake, outputs) == {fp}


def mark_built(lake: Lake, outputs: Iterable[tuple[str | Zone, str]], fp: str) -> None:
    """Record ``fp`` on each output table (a metadata change, no new snapshot)."""
    for zone_, name in outputs:
        table = lake.table_or_none(zone_, name)
        if table is None:
            continue
        with table.transaction() as tx:
            tx.set_properties({PROPERTY: fp})
