"""What the staging zone holds per dataset: rows, valid rows, and per identifier item the
counts of valid, repaired and invalid values (read from the staging snapshots' summaries, which
the standardize job writes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from jutong.catalog import Catalog
from jutong.lake import Lake
from jutong.settings import Settings

STAGING_ZONE = "staging"


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
        if lake.table_exists(STAGING_ZONE, e.table_name):
            table = lake.table(STAGING_ZONE, e.table_name)
            by_id = {s.snapshot_id: s for s in table.snapshots()}
            snap = table.current_snapshot()
            while snap is not None:  # main's history only
                props = snap.summary.additional_properties if snap.summary else {}
                if "jutong.batch_id" in props:
                    st.batches += 1
                    st.rows += int(props.get("jutong.rows", 0))
                    st.valid_rows += int(props.get("jutong.valid_rows", 0))
                    for key, v in props.items():
                        if key.startswith("jutong.id."):
                            item, what = key.removeprefix("jutong.id.").rsplit(".", 1)
                            counts = st.identifiers.setdefault(item, {})
                            counts[what] = counts.get(what, 0) + int(v)
                snap = by_id.get(snap.parent_snapshot_id) if snap.parent_snapshot_id else None
        out.append(st)
    return out
