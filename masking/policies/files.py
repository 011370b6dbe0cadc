"""Policies of an ad-hoc file (``jutong mask``): named free-text columns, headers that name a
catalog item, type inference for the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import pyarrow as pa

from jutong.catalog import Catalog, CatalogEntry
from jutong.catalog.model import DataItem
from masking.policies.catalog_items import policy_for_item
from masking.policies.inference import infer_pii, inferred_item
from masking.policies.model import Action, Audience, ColumnPolicy, PolicyError


def catalog_item_by_header(
    catalog: Catalog | None, header: str
) -> tuple[CatalogEntry, DataItem] | None:
    if catalog is None:
        return None
    h = header.strip()
    for e in catalog:
        for it in e.items:
            if h in (it.name, it.column, it.label):
                return e, it
    return None


def policies_for_file(
    table: pa.Table,
    audience: Audience | str,
    *,
    catalog: Catalog | None = None,
    free_text: Sequence[str] = (),
    as_of: dt.date | None = None,
) -> list[ColumnPolicy]:
    """Policies for an ad-hoc file: named free-text columns, catalog headers, type inference.

    A string column that is none of these is checked by the residual scan later
    (``masking.mask_cli``)."""
    audience = Audience(audience)
    missing = [c for c in free_text if c not in table.column_names]
    if missing:
        raise PolicyError(
            f"--free-text: no column {', '.join(repr(c) for c in missing)} "
            f"(columns: {', '.join(table.column_names)})"
        )
    out: list[ColumnPolicy] = []
    for col in table.column_names:
        if col in free_text:
            out.append(
                ColumnPolicy(
                    col,
                    Action.redact_text,
                    reason="named free-text column: Presidio redaction",
                    pii="free_text",
                    source="--free-text",
                )
            )
            continue
        found = catalog_item_by_header(catalog, col)
        if found:
            entry, item = found
            out.append(policy_for_item(item, audience, entry=entry, column=col))
            continue
        pii = infer_pii(col, table.column(col), as_of)
        if pii is None:
            out.append(
                ColumnPolicy(
                    col, Action.keep, reason="no personal data recognised", source="inferred"
                )
            )
            continue
        pol = policy_for_item(inferred_item(col, pii), audience, column=col)
        out.append(replace(pol, source="inferred"))
    return out
