"""Edges of the deliveries to requesting departments (``share.<request>``, GX-Reg art. 19–22,
38; GX-Dispatch art. 29): each delivered table names its request (table property
``jutong.request``); the request names the catalog entry and the approved items
(governance database), and each item is masked by the share policy ``masking.policies``
gives it (``masking.delivery`` applies the very same). Derived from what was delivered: a
request never delivered has no table and no edge."""

from __future__ import annotations

from jutong.catalog.loader import Catalog
from jutong.lake import Lake, Zone
from jutong.lineage.model import ROWS, Edge, Hop, edge
from jutong.settings import Settings


def share_edges(settings: Settings, lake: Lake, catalog: Catalog) -> list[Edge]:
    # the policy of each delivered column is decided in one place, masking.policies (pure:
    # no engine); lineage reports it rather than restating it
    from jutong.governance.cases.model import CaseError
    from jutong.governance.cases.queries import get_case
    from jutong.themes.project import project_dir
    from masking.policies.catalog_items import policy_for_item
    from masking.policies.model import Action, PolicyError
    from masking.policies.shared import policies_for_resource

    out: list[Edge] = []
    for name in lake.tables(Zone.share):
        table = lake.table(Zone.share, name)
        ref = table.properties.get("jutong.request")
        if not ref:
            continue
        try:
            case = get_case(settings, ref)
            entry = catalog.shareable(case.resource)
        except (CaseError, KeyError):
            continue  # a table whose request or entry is gone: nothing to say about it
        items = {it.name for it in entry.items}
        who = f"{case.ref} for {case.requester}"
        src = entry.source_table
        out.append(
            edge(
                f"share.{name}.{ROWS}",
                f"{src}.{ROWS}",
                Hop.share,
                "filtered" if entry.kind == "dataset" else "copied",
                f"{who}: the rows of batches whose quality gate passed"
                if entry.kind == "dataset"
                else f"{who}: every row of the bureau's {entry.kind} table",
            )
        )
        delivered = [c for c in table.schema().column_names if c in items]
        if entry.kind == "dataset":
            policies = [policy_for_item(entry.item(c), "share", entry=entry) for c in delivered]
        else:
            try:
                policies = policies_for_resource(
                    catalog, entry, delivered, project=project_dir(settings)
                )
            except PolicyError:
                continue  # delivery refuses such a resource: it was not delivered like this
        for col, pol in zip(delivered, policies, strict=True):
            action = pol.action.value + (f" ({pol.mask})" if pol.mask else "")
            kept = pol.action is Action.keep and not pol.mask
            out.append(
                edge(
                    f"share.{name}.{col}",
                    f"{src}.{col}",
                    Hop.share,
                    "copied" if kept else "masked",
                    f"{who}: share policy {action}: {pol.reason}",
                )
            )
    return out
