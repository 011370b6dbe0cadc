"""What the lake holds per dataset: files received, batches, rows, quarantined files."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from jutong.catalog import Catalog
from jutong.ingest.core import RAW_ZONE, manifests
from jutong.ingest.landing import landing_folder
from jutong.lake import Lake
from jutong.settings import Settings


@dataclass
class DatasetStatus:
    dataset: str
    title: str
    files: int  # every delivery seen: batches + redeliveries + quarantined
    batches: int
    redeliveries: int
    rows: int  # rows in the raw Iceberg table
    manifest_rows: int  # rows the manifests recorded (must equal rows)
    quarantined: int
    waiting: int  # files still in landing
    last_quarantine_reason: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def dataset_status(
    settings: Settings, catalog: Catalog, lake: Lake | None = None
) -> list[DatasetStatus]:
    lake = lake or Lake(settings)
    out = []
    for e in catalog:
        ms = manifests(settings, e)
        rows = 0
        if lake.table_exists(RAW_ZONE, e.table_name):
            snap = lake.table(RAW_ZONE, e.table_name).current_snapshot()
            if snap is not None and snap.summary is not None:
                rows = int(snap.summary.additional_properties.get("total-records", 0))
        qdir = settings.quarantine_dir / e.department / e.dataset
        reasons = (
            sorted(qdir.glob("*.reason.json"), key=lambda p: p.stat().st_mtime)
            if qdir.is_dir()
            else []
        )
        last = json.loads(reasons[-1].read_text(encoding="utf-8")) if reasons else None
        land = landing_folder(settings, e)
        waiting = (
            sum(1 for p in land.iterdir() if p.is_file() and not p.name.startswith("."))
            if land.is_dir()
            else 0
        )
        redeliveries = sum(len(m.redeliveries) for m in ms)
        out.append(
            DatasetStatus(
                dataset=e.id,
                title=e.title,
                files=len(ms) + redeliveries + len(reasons),
                batches=len(ms),
                redeliveries=redeliveries,
                rows=rows,
                manifest_rows=sum(m.rows for m in ms),
                quarantined=len(reasons),
                waiting=waiting,
                last_quarantine_reason=(f"{last['file']}: {last['reason']}" if last else None),
            )
        )
    return out
