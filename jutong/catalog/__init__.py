"""The resource catalog: model, loader and validation."""

from jutong.catalog.loader import Catalog, CatalogError, load_catalog
from jutong.catalog.model import CatalogEntry, DataItem

__all__ = ["Catalog", "CatalogEntry", "CatalogError", "DataItem", "load_catalog"]
