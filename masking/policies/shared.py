"""Share policies of the bureau's base and theme resources (``catalog/shared/``).

- a **base** table's column: the share policy of the catalog item it comes from through
  ``golden_field`` (``masking.policies.base_tables``: the authoritative source first, 一数一源
  GX-Reg art. 16);
- a **theme** mart's column: its ``meta`` in the dbt project's YAML — a column that reaches no
  personal information by lineage (``meta.pii: none``) is kept; one that the mart has already
  generalized states it (``meta.masking_basis``: "already a county code") and is kept as the
  mart built it; any other is masked by its ``meta.masking`` (``pseudonym``: keyed with the
  request's own key, so two requesters cannot join on tokens);
- an explicit ``policy`` of the share list's item (with its ``reason``) overrides both.

A column with no usable policy is a ``PolicyError`` naming it: nothing is delivered.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jutong.catalog import Catalog
from jutong.catalog.model import Action
from jutong.catalog.shared import SharedResource
from masking.policies.base_tables import item_for_column, policies_for_table
from masking.policies.model import Audience, ColumnPolicy, PolicyError


def mart_columns(project: Path, mart: str) -> dict[str, dict]:
    """The column declarations of one mart of the dbt project (its YAML), by name."""
    from jutong.themes.policies import mart_columns as all_columns

    return {c["name"]: c for m, c in all_columns(project) if m == mart}


def mart_policy(mart: str, decl: dict) -> ColumnPolicy:
    """The share policy of one mart column from its ``meta`` (see the module doc)."""
    name = decl["name"]
    meta = decl.get("meta") or {}
    pii = str(meta.get("pii") or "")
    where = f"theme.{mart}.{name}"
    if not pii:
        raise PolicyError(f"{where}: no meta.pii (its PII class from lineage)")
    if pii == "none":
        return ColumnPolicy(
            name,
            Action.keep,
            reason="no personal information by lineage",
            pii="none",
            source=f"{where} meta",
        )
    action = meta.get("masking")
    if action is None:
        raise PolicyError(f"{where}: reaches PII ({pii}) but has no masking policy (meta.masking)")
    try:
        action = Action(action)
    except ValueError:
        raise PolicyError(f"{where}: unknown masking action '{action}'") from None
    basis = meta.get("masking_basis")
    if basis:  # the mart built the column masked already: it is shared as built
        return ColumnPolicy(
            name,
            Action.keep,
            reason=f"{action.value} in the mart: {basis}",
            pii=pii,
            source=f"{where} meta",
        )
    if action is Action.keep:
        raise PolicyError(f"{where}: keeps PII ({pii}) without a stated basis (meta.masking_basis)")
    if action is Action.mask and not meta.get("mask"):
        raise PolicyError(f"{where}: masking 'mask' needs meta.mask (which display mask)")
    return ColumnPolicy(
        name,
        action,
        mask=meta.get("mask"),
        reason="mart meta.masking",
        pii=pii,
        source=f"{where} meta",
    )


def _override(resource: SharedResource, name: str, pii: str) -> ColumnPolicy | None:
    item = resource.item(name)
    if item.policy is None:
        return None
    return ColumnPolicy(
        name,
        item.policy,
        mask=item.mask,
        reason=item.reason or "",
        pii=pii,
        sensitivity=item.sensitivity,
        source=f"{resource.id} (share list)",
        label=item.label,
    )


def _base_pii(catalog: Catalog, resource: SharedResource, column: str) -> str:
    found = item_for_column(catalog, resource.base.value, column)
    if found:
        return found[1].pii.value
    # a person's stable id stands for one resident ID (jutong.themes.sources.PERSON_ID_PII)
    return "resident_id" if column == "person_id" else "none"


def policies_for_resource(
    catalog: Catalog,
    resource: SharedResource,
    items: Iterable[str],
    *,
    project: Path,
) -> list[ColumnPolicy]:
    """One share policy per requested item of ``resource`` (see the module doc)."""
    items = list(items)
    unknown = [i for i in items if i not in {it.name for it in resource.items}]
    if unknown:
        raise PolicyError(f"{resource.id}: not on the share list: {', '.join(unknown)}")
    if resource.base is not None:
        overrides = {}
        for name in items:
            pol = _override(resource, name, _base_pii(catalog, resource, name))
            if pol is not None:
                overrides[name] = pol
        return policies_for_table(
            catalog, resource.base.value, items, Audience.share, overrides=overrides
        )
    declared = mart_columns(project, resource.table_name)
    if not declared:
        raise PolicyError(f"{resource.id}: '{resource.table_name}' is not a mart of {project}")
    out = []
    for name in items:
        if name not in declared:
            raise PolicyError(
                f"{resource.id}: item '{name}' is not a column of the mart (columns: "
                f"{', '.join(declared)})"
            )
        pii = str((declared[name].get("meta") or {}).get("pii") or "none")
        out.append(
            _override(resource, name, pii) or mart_policy(resource.table_name, declared[name])
        )
    return out


def resource_problems(catalog: Catalog, project: Path) -> list[str]:
    """Every shared resource whose items do not all have a share policy, one line each."""
    problems = []
    for rid in sorted(catalog.shared):
        res = catalog.shared[rid]
        for it in res.items:
            try:
                policies_for_resource(catalog, res, [it.name], project=project)
            except PolicyError as exc:
                problems.append(f"{catalog.files.get(rid, rid)}: items: {it.name}: {exc}")
    return problems
