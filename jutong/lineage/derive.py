"""All edges, from the department's extract column to the open-data release column (可溯,
GX-Dispatch art. 42; LZ-Rules art. 25): the catalog's items and mentions for the Spark part,
dbt's compiled SQL read by sqlglot for the themes, the release definitions for releases, and
the lake's deliveries for shares."""

from __future__ import annotations

import json
from pathlib import Path

from jutong.catalog.loader import Catalog, load_catalog
from jutong.catalog.releases import load_definitions
from jutong.lineage.catalog_edges import catalog_edges
from jutong.lineage.dbt_edges import AS_OF, compile_manifest, complete, dbt_edges
from jutong.lineage.model import Edge
from jutong.lineage.release_edges import release_edges
from jutong.settings import Settings
from jutong.themes.project import project_dir


def derive_edges(
    catalog: Catalog,
    catalog_dir: Path,
    project: Path,
    manifest: dict | None = None,
    as_of: str = AS_OF,
) -> list[Edge]:
    """Every lineage edge, sorted, without duplicates. ``manifest``: dbt's compiled manifest
    (default: ``dbt compile`` of ``project`` now) and the ``as_of`` it was compiled with."""
    edges = catalog_edges(catalog)
    if manifest is None or not complete(manifest):
        manifest, as_of = compile_manifest(project), AS_OF
    edges += dbt_edges(manifest, as_of)
    edges += release_edges(load_definitions(catalog_dir), catalog)
    return sorted(set(edges), key=Edge.sort_key)


def derive_for(settings: Settings, manifest: dict | None = None, as_of: str = AS_OF) -> list[Edge]:
    """``derive_edges`` for the catalog and dbt project of ``settings``, with the edges of
    the deliveries in its lake (``share_edges``)."""
    from jutong.lake import Lake
    from jutong.lineage.share_edges import share_edges

    catalog = load_catalog(settings.catalog_dir)
    edges = derive_edges(
        catalog, Path(settings.catalog_dir), project_dir(settings), manifest, as_of
    )
    edges += share_edges(settings, Lake(settings), catalog)
    return sorted(set(edges), key=Edge.sort_key)


def publish_lineage(
    settings: Settings, *, manifest_path: Path | None = None, as_of: str = AS_OF
) -> tuple[int, bool]:
    """Derive every edge and publish ``meta.lineage`` (``jutong lineage build``; the theme
    DAG after a build, from the manifest that build compiled: no second compile). Returns
    (edges, whether a new snapshot was published)."""
    from jutong.lake import Lake
    from jutong.lineage.store import write_lineage

    manifest = None
    if manifest_path is not None and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return write_lineage(Lake(settings), derive_for(settings, manifest, as_of))
