"""Policies of base-table columns: each column maps to its catalog item through the item's
``golden_field`` (the authoritative source, 一数一源, GX-Reg art. 16); platform keys and
lineage columns are kept for a share and dropped for the public."""

from __future__ import annotations

import re
from collections.abc import Iterable

from jutong.catalog import Catalog, CatalogEntry
from jutong.catalog.model import DataItem
from masking.policies.catalog_items import check_override, policy_for_item
from masking.policies.model import Action, Audience, ColumnPolicy, PolicyError

# Base-table columns whose name differs from the catalog's golden field.
BASE_ALIASES: dict[tuple[str, str], str] = {("population", "resident_id"): "id_number"}
# Platform surrogate keys and lineage/meta columns of base tables (not catalog items).
SURROGATE_KEYS = frozenset({"person_id", "org_id"})
META = re.compile(r"^(_.*|.+_source)$")


def item_for_column(
    catalog: Catalog, base: str, column: str
) -> tuple[CatalogEntry, DataItem] | None:
    """The catalog item a base-table column comes from, through ``golden_field``.

    The authoritative source (一数一源, GX-Reg art. 16) first, else any entry feeding ``base``."""
    golden = BASE_ALIASES.get((base, column), column)
    entry = catalog.authoritative_source(base, golden)
    candidates = [entry] if entry else []
    candidates += [e for e in catalog if e.base.feeds.value == base and e is not entry]
    for e in candidates:
        for it in e.items:
            if it.golden_field == golden:
                return e, it
    return None


def policies_for_table(
    catalog: Catalog,
    base: str,
    columns: Iterable[str],
    audience: Audience | str,
    overrides: dict[str, ColumnPolicy] | None = None,
) -> list[ColumnPolicy]:
    """One policy per column of a base table; a column without one is a ``PolicyError``."""
    audience = Audience(audience)
    overrides = overrides or {}
    out: list[ColumnPolicy] = []
    for col in columns:
        if col in overrides:
            out.append(check_override(overrides[col], audience))
            continue
        found = item_for_column(catalog, base, col)
        if found:
            entry, item = found
            out.append(policy_for_item(item, audience, entry=entry, column=col))
        elif col in SURROGATE_KEYS:
            action = Action.keep if audience is Audience.share else Action.drop
            out.append(ColumnPolicy(col, action, reason="platform key", source="base table key"))
        elif META.match(col):
            action = Action.keep if audience is Audience.share else Action.drop
            out.append(ColumnPolicy(col, action, reason="lineage / meta", source="base table"))
        else:
            raise PolicyError(
                f"base.{base}: column '{col}' maps to no catalog item (golden_field) and has "
                "no explicit policy in the release definition"
            )
    return out
