"""What the staging zone holds per dataset: rows, valid rows, and per identifier item the
counts of valid, repaired and invalid values (read from the staging snapshots' summaries, which
the standardize job writes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from jutong.catalog import Catalog
from jutong.lake import BATCH_PROPERTY, Lake, Zone
from jutong.lake.history import main_properties
from jutong.settings import Settings


@dataclass
class StagingStatus:
    dataset: str
    batches: int = 0
    rows: int = 0
    valid_rows: int = 0
    identifiers: dict[str, dict[str, int]] = field(default_factory=dict)


def staging_status(
    settings: Settings, catalog: Catalog, lake: Lake | None = None
) -> list[StagingStatus]:
    lake = lake or Lake(settings)
    out = []
    for e in catalog:
        st = StagingStatus(e.id)
        table = lake.table_or_none(Zone.staging, e.table_name)
        for props in main_properties(table) if table is not None else []:  # main's history only
            if BATCH_PROPERTY in props:
                st.batches += 1
                st.rows += int(props.get("jutong.rows", 0))
                st.valid_rows += int(props.get("jutong.valid_rows", 0))
                for key, v in props.items():
                    if key.startswith("jutong.id."):
                        item, what = key.removeprefix("jutong.id.").rsplit(".", 1)
                        counts = st.identifiers.setdefault(item, {})
                        counts[what] = counts.get(what, 0) + int(v)
        out.append(st)
    return out
