"""A release version on disk: ``<lake_root>/releases/<id>/v<N>/``.

``data.csv`` (UTF-8; formula cells neutralized, ``jutong.text.formulas``), ``data.parquet``, ``metadata.json`` (``masking.release.metadata``),
``report.json`` (masking, anonymity, residual scan) and ``SHA256SUMS``. The version is written
into a temporary folder and renamed into place only when everything is written, so a failed
build leaves nothing visible; then it is recorded (``jutong.governance.releases``). The same
data as the current served version gives no new version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from jutong.catalog import Catalog, CatalogEntry
from jutong.catalog.releases import ReleaseDefinition
from jutong.governance import releases as G
from jutong.governance.db import utcnow
from jutong.settings import Settings
from masking.policies import ColumnPolicy
from masking.release.metadata import dataset_metadata

LAKE_FOLDER = "releases"  # <lake_root>/releases/<id>/v<N>/


@dataclass
class ReleaseResult:
    release_id: str
    version: int
    path: Path
    rows: int
    status: str
    unchanged: bool = False
    report: dict = field(default_factory=dict)

    def summary(self) -> str:
        note = " (unchanged, no new version)" if self.unchanged else ""
        return (
            f"{self.release_id} v{self.version}: {self.rows} rows, {self.status}, {self.path}{note}"
        )


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_csv(table: pa.Table, path: Path) -> int:
    """``data.csv``: formula cells neutralized (``jutong.text.formulas``); returns how many."""
    import pyarrow.csv as pacsv

    from jutong.text.formulas import neutralize_table

    out, neutralized = neutralize_table(table)
    for i, f in enumerate(table.schema):
        if pa.types.is_decimal(f.type):  # plain digits, no exponent
            out = out.set_column(i, f.name, pc.cast(table.column(i), pa.string()))
    pacsv.write_csv(out, path, pacsv.WriteOptions(include_header=True))
    return neutralized


def release_root(settings: Settings, release_id: str) -> Path:
    return Path(settings.lake_root) / LAKE_FOLDER / release_id


def next_version(root: Path, settings: Settings, release_id: str) -> int:
    on_disk = [int(p.name[1:]) for p in root.glob("v*") if re.fullmatch(r"v[0-9]+", p.name)]
    in_db = [v["version"] for v in G.versions(settings, release_id)]
    return max([0, *on_disk, *in_db]) + 1


def publish_version(
    settings: Settings,
    d: ReleaseDefinition,
    entry: CatalogEntry,
    catalog: Catalog,
    out: pa.Table,
    labels: dict[str, str],
    policies: dict[str, ColumnPolicy],
    report: dict,
    *,
    previous: G.Status | None,
    as_of: dt.date,
    actor: str | None,
) -> ReleaseResult:
    """Write the version folder atomically and record it; unchanged data gives no version."""
    root = release_root(settings, d.id)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".build-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        csv_path = tmp / "data.csv"
        report["formula_cells_neutralized"] = write_csv(out, csv_path)
        import pyarrow.parquet as pq

        pq.write_table(out, tmp / "data.parquet")
        data_sha = sha256(csv_path)
        served = [v for v in G.versions(settings, d.id) if not v["withdrawn"]]
        if served and served[-1]["data_sha256"] == data_sha and previous is G.Status.published:
            shutil.rmtree(tmp)
            last = served[-1]
            return ReleaseResult(
                d.id,
                last["version"],
                Path(last["path"]),
                last["rows"],
                previous.value,
                True,
                report,
            )
        version = next_version(root, settings, d.id)
        issued = utcnow()
        files = {
            name: (sha256(tmp / name), (tmp / name).stat().st_size)
            for name in ("data.csv", "data.parquet")
        }
        meta = dataset_metadata(d, entry, catalog, out, labels, policies, version, issued, files)
        report["version"] = version
        report["built_at"] = issued.isoformat(timespec="seconds") + "Z"
        report["rows"] = out.num_rows
        (tmp / "metadata.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        (tmp / "report.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
        names = ["data.csv", "data.parquet", "metadata.json", "report.json"]
        (tmp / "SHA256SUMS").write_text(
            "".join(f"{sha256(tmp / n)}  {n}\n" for n in names), encoding="utf-8"
        )
        final = root / f"v{version}"
        os.rename(tmp, final)  # atomic on one filesystem: the version appears complete
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    G.record_build(
        settings,
        d.id,
        version=version,
        path=final,
        rows=out.num_rows,
        data_sha256=data_sha,
        built_at=issued,
        actor=actor,
        as_of=as_of,
        previous=previous,
    )
    return ReleaseResult(
        d.id, version, final, out.num_rows, G.Status.published.value, False, report
    )
