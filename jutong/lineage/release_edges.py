"""Edges of the open-data releases (``catalog/releases/*.yaml``), derived from their
definitions:

* an **aggregate** release: each column from its source column (``derive``: division code or
  name, sex label, age band …), the count column from the source's count (``aggregate.weight``,
  summed) or its rows, small cells suppressed (``aggregate.threshold``; GX-Open art. 19);
* a **records** release: each column from its source column with the masking action the open
  audience gives it — the very policy ``masking.release`` applies (``masking.policies``:
  the catalog item through ``golden_field``, or the definition's explicit policy). A dropped
  column is not released, so it has no edge.
"""

from __future__ import annotations

from jutong.catalog.loader import Catalog
from jutong.catalog.releases import ReleaseDefinition
from jutong.lineage.model import ROWS, Edge, Hop, edge

DERIVE_DETAIL = {
    "division_code": "county code (GB/T 2260)",
    "division_name": "county name from the division list",
    "sex_label": "sex code as its label (GB/T 2261.1)",
    "age_band": "five-year age band on the release day",
    "birth_5y_band": "five-year birth band",
    "birth_year": "birth year",
}


def _aggregate_edges(d: ReleaseDefinition) -> list[Edge]:
    assert d.aggregate is not None
    src = f"{d.source.zone}.{d.source.table}"
    target = f"release.{d.id}"
    dims = ", ".join(d.aggregate.dimensions)
    out = []
    for c in d.columns:
        detail = DERIVE_DETAIL.get(c.derive or "", "")
        if c.name in d.aggregate.dimensions:
            detail = "; ".join(x for x in (detail, "a dimension of the counts") if x)
        out.append(
            edge(
                f"{target}.{c.name}",
                f"{src}.{c.source_column}",
                Hop.release,
                "derived" if c.derive else ("copied" if c.name == c.source_column else "renamed"),
                detail,
            )
        )
    weight = d.aggregate.weight
    counted = f"{src}.{weight}" if weight else f"{src}.{ROWS}"
    how = f"sum of {weight}" if weight else "count of rows"
    out.append(
        edge(
            f"{target}.{d.aggregate.count_column}",
            counted,
            Hop.release,
            "aggregated",
            f"{how} per ({dims}); cells below {d.aggregate.threshold} and cells that would "
            "let them be recomputed suppressed",
        )
    )
    out.append(
        edge(
            f"{target}.suppressed",
            counted,
            Hop.release,
            "derived",
            f"whether the cell was suppressed (below {d.aggregate.threshold} or recomputable)",
        )
    )
    return out


def _records_edges(d: ReleaseDefinition, catalog: Catalog) -> list[Edge]:
    # the policy of each released column is decided in one place, masking.policies (pure:
    # no engine); lineage reports it rather than restating it
    from masking.policies.base_tables import item_for_column
    from masking.policies.catalog_items import check_override, policy_for_item
    from masking.policies.model import Action, Audience, ColumnPolicy

    src = f"{d.source.zone}.{d.source.table}"
    out = []
    for c in d.columns:
        found = item_for_column(catalog, d.source.table, c.source_column)
        if c.policy is not None:
            pol = check_override(
                ColumnPolicy(
                    column=c.name,
                    action=c.policy,
                    mask=c.mask,
                    reason=c.reason or "",
                    pii=found[1].pii.value if found else "none",
                    source="release definition",
                ),
                Audience.open,
            )
        elif found is None:
            continue  # masking.release refuses such a definition; nothing is released
        else:
            entry, item = found
            pol = policy_for_item(item, Audience.open, entry=entry, column=c.name)
        if pol.action is Action.drop:
            continue
        kept = pol.action is Action.keep and not pol.mask
        action = pol.action.value + (f" ({pol.mask})" if pol.mask else "")
        out.append(
            edge(
                f"release.{d.id}.{c.name}",
                f"{src}.{c.source_column}",
                Hop.release,
                "copied" if kept else "masked",
                f"open policy {action}: {pol.reason}" if pol.reason else f"open policy {action}",
            )
        )
    return out


def release_edges(defs: dict[str, ReleaseDefinition], catalog: Catalog) -> list[Edge]:
    out: list[Edge] = []
    for d in defs.values():
        out += _aggregate_edges(d) if d.kind == "aggregate" else _records_edges(d, catalog)
    return out
