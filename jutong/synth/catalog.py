"""The six catalog datasets the synthetic departments deliver: the generator's view of the
validated resource catalog (``jutong.catalog``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from jutong.catalog import load_catalog

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
    """The six datasets' specs from the catalog (validated by ``jutong.catalog``)."""
    root = Path(catalog_dir) if catalog_dir is not None else default_catalog_dir()
    catalog = load_catalog(root)
    out: dict[str, DatasetSpec] = {}
    for ds_id in DATASETS:
        if ds_id not in catalog.entries:
            raise FileNotFoundError(f"catalog {root} has no entry {ds_id}")
        entry = catalog.get(ds_id)
        items = tuple(
            Item(
                name=it.name,
                source_column=it.column,
                type=it.type.value,
                required=it.required,
                check_type=it.check_type,
                allowed_values=tuple(it.allowed_values) if it.allowed_values else None,
            )
            for it in entry.items
        )
        out[ds_id] = DatasetSpec(
            id=ds_id,
            department=entry.department,
            dataset=entry.dataset,
            format=entry.extract.format.value,
            encoding=entry.extract.encoding,
            delimiter=entry.extract.delimiter,
            sheet=entry.extract.sheet,
            items=items,
        )
    return out
