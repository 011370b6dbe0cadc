"""The six catalog datasets the synthetic departments deliver, read straight from the YAML."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

DATASETS = (
    "gongan.huji",
    "minzheng.hunyin",
    "renshe.shebao",
    "shichang.qiye",
    "ziranziyuan.zongdi",
    "shenpi.xuke",
)
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "jsonl": "jsonl"}


@dataclass(frozen=True)
class Item:
    name: str
    source_column: str
    type: str
    required: bool
    check_type: bool
    allowed_values: tuple[str, ...] | None


@dataclass(frozen=True)
class DatasetSpec:
    id: str
    department: str
    dataset: str
    format: str
    encoding: str
    delimiter: str
    sheet: str | None
    items: tuple[Item, ...]

    @property
    def columns(self) -> list[str]:
        return [i.source_column for i in self.items]

    @property
    def date_columns(self) -> list[str]:
        return [i.source_column for i in self.items if i.type == "date"]

    @property
    def optional_columns(self) -> list[str]:
        return [i.source_column for i in self.items if not i.required]

    def column(self, name: str) -> str:
        """Source column of the item called ``name``."""
        for i in self.items:
            if i.name == name:
                return i.source_column
        raise KeyError(f"{self.id} has no item {name!r}")

    def allowed(self, name: str) -> tuple[str, ...]:
        for i in self.items:
            if i.name == name and i.allowed_values:
                return i.allowed_values
        raise KeyError(f"{self.id} item {name!r} has no allowed_values")

    def relative_path(self, as_of: dt.date) -> str:
        ext = EXTENSIONS[self.format]
        return f"{self.department}/{self.dataset}/{self.dataset}_{as_of:%Y%m%d}.{ext}"


def default_catalog_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "catalog"


def load_specs(catalog_dir: Path | None = None) -> dict[str, DatasetSpec]:
    root = Path(catalog_dir) if catalog_dir is not None else default_catalog_dir()
    out: dict[str, DatasetSpec] = {}
    for ds_id in DATASETS:
        department, dataset = ds_id.split(".")
        path = root / department / f"{dataset}.yaml"
        if not path.is_file():
            raise FileNotFoundError(f"catalog entry for {ds_id} not found: {path}")
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if doc.get("id") != ds_id:
            raise ValueError(f"{path}: id is {doc.get('id')!r}, expected {ds_id!r}")
        extract = doc.get("extract") or {}
        fmt = extract.get("format")
        if fmt not in EXTENSIONS:
            raise ValueError(f"{path}: unsupported extract format {fmt!r}")
        items = tuple(
            Item(
                name=it["name"],
                source_column=it["source_column"],
                type=it.get("type", "string"),
                required=bool(it.get("required", False)),
                check_type=bool(it.get("check_type", False)),
                allowed_values=tuple(it["allowed_values"]) if it.get("allowed_values") else None,
            )
            for it in doc["items"]
        )
        out[ds_id] = DatasetSpec(
            id=ds_id,
            department=doc.get("department", department),
            dataset=dataset,
            format=fmt,
            encoding=extract.get("encoding", "utf-8"),
            delimiter=extract.get("delimiter", ","),
            sheet=extract.get("sheet"),
            items=items,
        )
    return out
