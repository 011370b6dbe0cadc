"""Airflow Assets naming the lake's tables, so that DAGs are scheduled on the data they need."""

from __future__ import annotations

from jutong.catalog.model import CatalogEntry
from jutong.lake import Zone


def table_asset(zone: str, table: str, **extra):
    from airflow.sdk import Asset

    return Asset(
        name=f"{zone}.{table}",
        uri=f"iceberg://jutong/{zone}/{table}",
        group=f"lake_{zone}",
        extra=extra or None,
    )


def raw_asset(entry: CatalogEntry):
    return table_asset(Zone.raw, entry.table_name, catalog_id=entry.id)
