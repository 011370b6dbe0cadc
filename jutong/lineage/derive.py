"""All edges, from the department's extract column to the open-data release column (可溯,
GX-Dispatch art. 42; LZ-Rules art. 25): the catalog's items and mentions for the Spark part,
dbt's compiled SQL read by sqlglot for the themes, the release definitions for releases."""

from __future__ import annotations

from pathlib import Path

from jutong.catalog.loader import Catalog, load_catalog
from jutong.catalog.releases import load_definitions
from jutong.lineage.catalog_edges import catalog_edges
from jutong.lineage.dbt_edges import compile_manifest, dbt_edges
from jutong.lineage.model import Edge
from jutong.lineage.release_edges import release_edges
from jutong.settings import Settings
from jutong.themes.project import project_dir


def derive_edges(
    catalog: Catalog, catalog_dir: Path, project: Path, manifest: dict | None = None
) -> list[Edge]:
    """Every lineage edge, sorted, without duplicates. ``manifest``: dbt's compiled manifest
    (default: ``dbt compile`` of ``project`` now)."""
    edges = catalog_edges(catalog)
    edges += dbt_edges(manifest if manifest is not None else compile_manifest(project))
    edges += release_edges(load_definitions(catalog_dir), catalog)
    return sorted(set(edges), key=Edge.sort_key)


def derive_for(settings: Settings) -> list[Edge]:
    """``derive_edges`` for the catalog and dbt project of ``settings``."""
    return derive_edges(
        load_catalog(settings.catalog_dir), Path(settings.catalog_dir), project_dir(settings)
    )
