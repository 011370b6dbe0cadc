"""Person-level releases: the open policy of every column, then the k-anonymity gate.

Policies come from each column's catalog item (``masking.policies``) unless the definition
gives an explicit one with its reason; quasi-identifiers come from the definition, else from
the catalog entry's ``open.quasi_identifiers`` and the policies (GX-Reg art. 25; SX-Reg art. 15).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from jutong.catalog import Catalog, CatalogEntry
from jutong.catalog.releases import ReleaseDefinition
from jutong.governance.releases import ReleaseRefused
from jutong.settings import Settings
from masking.anonymity import AnonymityError, QuasiIdentifier, k_anonymize
from masking.policies import (
    Action,
    Audience,
    ColumnPolicy,
    PolicyError,
    apply_policies,
    check_override,
    item_for_column,
    policy_for_item,
)
from masking.policies.model import QI_KIND_OF_ACTION


def _column_policies(
    d: ReleaseDefinition, catalog: Catalog, entry: CatalogEntry
) -> list[ColumnPolicy]:
    base = d.source.table
    out: list[ColumnPolicy] = []
    for col in d.columns:
        found = item_for_column(catalog, base, col.source_column)
        if col.policy is not None:
            pii = found[1].pii.value if found else "none"
            pol = ColumnPolicy(
                column=col.name,
                action=col.policy,
                mask=col.mask,
                reason=col.reason or "",
                pii=pii,
                sensitivity=found[1].sensitivity if found else None,
                source="release definition",
                label=col.label or (found[1].label if found else None),
            )
            out.append(check_override(pol, Audience.open))
            continue
        if not found:
            raise PolicyError(
                f"release '{d.id}': column '{col.source_column}' of {d.source.zone}.{base} maps "
                "to no catalog item (golden_field); give it an explicit policy and reason"
            )
        e, item = found
        pol = policy_for_item(item, Audience.open, entry=e, column=col.name)
        if col.label:
            pol = replace(pol, label=col.label)
        out.append(pol)
    return out


def _quasi_identifiers(
    d: ReleaseDefinition, entry: CatalogEntry, policies: list[ColumnPolicy], kept: list[str]
) -> list[QuasiIdentifier]:
    if d.quasi_identifiers is not None:
        return [QuasiIdentifier(q.column, q.kind, q.max_level) for q in d.quasi_identifiers]
    declared = set(entry.open.quasi_identifiers)
    out = []
    for p in policies:
        if p.column not in kept:
            continue
        item_name = p.source.rsplit(".", 1)[-1]
        if p.quasi_identifier or item_name in declared:
            out.append(QuasiIdentifier(p.column, QI_KIND_OF_ACTION.get(p.action, "category")))
    return out


def drop_individual_businesses(
    table: pa.Table, policies: list[ColumnPolicy]
) -> tuple[pa.Table, dict | None]:
    """Rows whose own credit code is that of an individual business (个体工商户, ``92…``) are
    not opened: the record is about a natural person (its name, address and code identify
    the operator). Returns the table and the report section (None when no column holds credit
    codes)."""
    from masking import columns as C

    cols = [
        p.column
        for p in policies
        if p.mask == "uscc_individual" and p.holds == "uscc" and p.column in table.column_names
    ]
    if not cols:
        return table, None
    hit = pa.array([False] * table.num_rows, pa.bool_())
    for c in cols:
        hit = pc.or_(hit, pc.fill_null(C.is_individual_business(table.column(c)), False))
    n = int(pc.sum(hit).as_py() or 0)
    section = {
        "columns": cols,
        "rows_dropped": n,
        "reason": "individual businesses (92…) are personal data (PIPL art. 73): not opened",
    }
    return (table.filter(pc.invert(hit)) if n else table), section


def mask_records(
    settings: Settings,
    d: ReleaseDefinition,
    catalog: Catalog,
    entry: CatalogEntry,
    source: pa.Table,
    as_of: dt.date,
    report: dict,
) -> tuple[pa.Table, dict[str, str], dict[str, ColumnPolicy]]:
    """The masked, k-anonymous table, the column labels and the policy of each column;
    ``report`` gets the masking and anonymity sections. Refused: ``ReleaseRefused``."""
    policies = _column_policies(d, catalog, entry)
    pol_by_col = {p.column: p for p in policies}
    renamed = pa.table({c.name: source.column(c.source_column) for c in d.columns})
    renamed, individual = drop_individual_businesses(renamed, policies)
    key = None
    if any(p.action is Action.pseudonym for p in policies):
        from masking.keys import load_key

        key = load_key(settings, d.purpose)
    masked = apply_policies(renamed, policies, key=key, as_of=as_of)
    report["masking"] = {
        "audience": "open",
        **({"individual_businesses": individual} if individual else {}),
        "columns": masked.report(),
        "dropped": masked.dropped,
        "pseudonym_key": (
            {"purpose": d.purpose, "fingerprint": masked.key_fingerprint} if key else None
        ),
    }
    qis = _quasi_identifiers(d, entry, policies, masked.table.column_names)
    k = d.k or entry.open.k
    try:
        out, krep = k_anonymize(masked.table, qis, k, max_suppressed=d.max_suppressed)
    except AnonymityError as exc:
        raise ReleaseRefused(
            f"release '{d.id}' refused by the anonymity gate: {exc}",
            {**report, "anonymity": exc.report},
        ) from None
    report["anonymity"] = {"method": "k-anonymity", **krep.to_dict()}
    labels = {c.name: pol_by_col[c.name].label or c.name for c in d.columns}
    return out, labels, pol_by_col
