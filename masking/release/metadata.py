"""The DCAT-style description of a release version, with GX-Open art. 16's fields.

开放目录应当包括：数据领域、数据摘要、数据项、数据格式、开放类型、开放条件、更新频率、数据提供单位
(GX-Open art. 16): ``metadata.json`` of every version carries them under ``gx_open_art16``.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from jutong.catalog import Catalog, CatalogEntry
from jutong.catalog.releases import ReleaseDefinition
from jutong.text.formulas import RULE as FORMULA_RULE
from masking.policies import ColumnPolicy

CYCLE_LABELS = {
    "realtime": "实时",
    "daily": "每日",
    "weekly": "每周",
    "monthly": "每月",
    "quarterly": "每季度",
    "yearly": "每年",
    "on_change": "变更时",
}
DCAT_FREQ = {
    "realtime": "http://purl.org/cld/freq/continuous",
    "daily": "http://purl.org/cld/freq/daily",
    "weekly": "http://purl.org/cld/freq/weekly",
    "monthly": "http://purl.org/cld/freq/monthly",
    "quarterly": "http://purl.org/cld/freq/quarterly",
    "yearly": "http://purl.org/cld/freq/annual",
    "on_change": "http://purl.org/cld/freq/irregular",
}


def dataset_metadata(
    d: ReleaseDefinition,
    entry: CatalogEntry,
    catalog: Catalog,
    table: pa.Table,
    labels: dict[str, str],
    policies: dict[str, ColumnPolicy],
    version: int,
    issued: dt.datetime,
    files: dict[str, tuple[str, int]],
) -> dict:
    """DCAT-style dataset description carrying GX-Open art. 16's fields."""
    open_type = d.open_type or entry.open.type
    conditions = d.open_conditions or entry.open.conditions
    cycle = (d.update_cycle or entry.update_cycle).value
    provider = catalog.department_name(entry.department)
    items = []
    for f in table.schema:
        pol = policies.get(f.name)
        items.append(
            {
                "name": f.name,
                "label": labels.get(f.name, f.name),
                "type": str(f.type),
                "desensitization": (
                    pol.action.value + (f":{pol.mask}" if pol.mask else "") if pol else "aggregate"
                ),
            }
        )
    formats = {"data.csv": "text/csv", "data.parquet": "application/vnd.apache.parquet"}
    distributions = [
        {
            "@type": "dcat:Distribution",
            "dct:title": name,
            "dcat:downloadURL": name,
            "dcat:mediaType": formats[name],
            "dct:format": "CSV" if name.endswith(".csv") else "Parquet",
            "dcat:byteSize": size,
            "spdx:checksum": {"spdx:algorithm": "sha256", "spdx:checksumValue": digest},
            **(
                {"cnt:characterEncoding": "UTF-8", "jutong:formulaCells": FORMULA_RULE}
                if name.endswith(".csv")
                else {}
            ),
        }
        for name, (digest, size) in files.items()
    ]
    summary = d.summary or entry.summary
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "spdx": "http://spdx.org/rdf/terms#",
            "cnt": "http://www.w3.org/2011/content#",
            "jutong": "https://jutong.example.org/ns#",
        },
        "@type": "dcat:Dataset",
        "dct:identifier": d.id,
        "dct:title": d.title,
        "dct:alternative": d.title_en,
        "dct:description": summary,
        "dcat:theme": entry.domain,
        "dct:publisher": provider,
        "dct:accrualPeriodicity": DCAT_FREQ[cycle],
        "dct:issued": issued.isoformat(timespec="seconds") + "Z",
        "dcat:version": f"v{version}",
        "dct:source": f"{d.source.zone}.{d.source.table}",
        "jutong:catalogEntry": entry.id,
        "jutong:rows": table.num_rows,
        "dcat:distribution": distributions,
        # 开放目录应当包括：数据领域、数据摘要、数据项、数据格式、开放类型、开放条件、更新频率、
        # 数据提供单位 (GX-Open art. 16)
        "gx_open_art16": {
            "domain": entry.domain,
            "summary": summary,
            "data_items": items,
            "format": ["CSV (UTF-8)", "Parquet"],
            "csv_formula_cells": FORMULA_RULE,
            "open_type": open_type.value,
            "open_type_label": open_type.label,
            "open_conditions": conditions,
            "update_frequency": cycle,
            "update_frequency_label": CYCLE_LABELS[cycle],
            "provider": provider,
            "provider_id": entry.department,
        },
    }
