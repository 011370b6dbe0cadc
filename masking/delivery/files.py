"""A delivery's files: ``<lake>/share/<request>/v<N>/`` with ``data.csv`` (formula cells
written as text), ``data.parquet``, ``manifest.json`` and ``SHA256SUMS``; written to a
temporary folder and renamed into place, so a reader never sees half a delivery."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from jutong.settings import Settings
from masking.release.package import sha256, write_csv

LAKE_FOLDER = "share"


def delivery_root(settings: Settings, ref: str) -> Path:
    return Path(settings.lake_root) / LAKE_FOLDER / ref


def write_delivery(
    settings: Settings, ref: str, version: int, table: pa.Table, manifest: dict
) -> tuple[Path, str]:
    """Write version ``version`` of ``ref``; returns its folder and the CSV's SHA-256."""
    root = delivery_root(settings, ref)
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"v{version}"
    if final.exists():
        raise FileExistsError(f"{final}: exists; a delivery version is never overwritten")
    tmp = root / f".build-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        manifest["formula_cells_neutralized"] = write_csv(table, tmp / "data.csv")
        pq.write_table(table, tmp / "data.parquet")
        sums = {name: sha256(tmp / name) for name in ("data.csv", "data.parquet")}
        manifest["files"] = sums
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
        sums["manifest.json"] = sha256(tmp / "manifest.json")
        (tmp / "SHA256SUMS").write_text(
            "".join(f"{digest}  {name}\n" for name, digest in sums.items()), encoding="utf-8"
        )
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final, sums["data.csv"]
