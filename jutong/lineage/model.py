"""Column lineage as edges: ``target <- source`` with the transform of one hop.

A column is named ``<zone>.<table>.<column>``:

| zone | what | example |
|---|---|---|
| ``extract`` | the column of the department's file (header as delivered) | ``extract.gongan__huji.公民身份号码`` |
| ``raw`` | the raw zone (every item as text, as delivered) | ``raw.gongan__huji.id_number`` |
| ``staging`` | standardized values | ``staging.gongan__huji.id_number`` |
| ``base`` | golden records of the base databases | ``base.population.resident_id`` |
| ``dbt`` | dbt's staging and intermediate views (not published) | ``dbt.stg_base__persons.person_name`` |
| ``theme`` | theme marts | ``theme.pop_registered_by_county_sex_age.sex_code`` |
| ``release`` | columns of open-data releases | ``release.qiye_registrations.legal_rep_name`` |
| ``share`` | deliveries to requesting departments | ``share.sr_000001.name`` |

``<table>.*`` stands for the rows of a table (what a ``count(*)`` counts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

ROWS = "*"  # the "column" a count of rows reads


class Hop(StrEnum):
    """The step of the data path an edge belongs to, with the article it implements."""

    ingest = "ingest"  # extract -> raw
    standardize = "standardize"  # raw -> staging
    base = "base"  # staging -> base (entity resolution, survivorship)
    dbt = "dbt"  # base/staging -> dbt views -> theme marts
    release = "release"  # base/theme -> open-data release
    share = "share"  # staging -> delivery to a requesting department

    @property
    def article(self) -> str:
        return {
            # the delivered file is kept unchanged and every row carries its provenance
            "ingest": "GX-Dispatch art. 42; LZ-Rules art. 25",
            # standardization and the quality gate (规范性、完整性、准确性…)
            "standardize": "GX-Reg art. 24; LZ-Rules art. 24",
            # one authoritative source per item (一数一源) into the base databases
            "base": "GX-Reg art. 16, 23; LZ-Rules art. 15",
            # theme databases built on the base databases
            "dbt": "GX-Reg art. 23",
            # desensitized, anonymized open data
            "release": "GX-Reg art. 25; GX-Open art. 19; PIPL art. 73",
            # purpose-bound delivery of the approved items, masked for sharing
            "share": "GX-Reg art. 19–22, 38; GX-Dispatch art. 29",
        }[self.value]

    @property
    def label(self) -> str:
        return {
            "ingest": "采集入湖 ingest",
            "standardize": "标准化 standardize",
            "base": "基础库 base build",
            "dbt": "主题库 dbt",
            "release": "开放发布 release",
            "share": "共享交付 share delivery",
        }[self.value]


@dataclass(frozen=True)
class Edge:
    """``target`` takes its values from ``source`` (``None``: from no column — a constant
    such as the build day) by ``transform`` (a short kind: ``copied``, ``renamed``,
    ``standardized``, ``survivorship``, ``aggregated``, ``masked`` …) with ``detail``."""

    target: str
    source: str | None
    hop: str
    transform: str
    detail: str = ""
    article: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def sort_key(self) -> tuple[str, ...]:
        return (self.target, self.source or "", self.hop, self.transform, self.detail)


def column_name(zone: str, table: str, column: str) -> str:
    return f"{zone}.{table}.{column}"


def split_name(name: str) -> tuple[str, str, str]:
    """``(zone, table, column)`` of ``zone.table.column`` (the column may hold dots only if
    the name has more than three parts: the first two are zone and table)."""
    parts = name.split(".", 2)
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"'{name}' is not a column name: <zone>.<table>.<column>")
    return parts[0], parts[1], parts[2]


def edge(target: str, source: str | None, hop: Hop, transform: str, detail: str = "") -> Edge:
    return Edge(target, source, hop.value, transform, detail, hop.article)
