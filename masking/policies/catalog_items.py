"""The policy of a catalog data item for an audience (share | open), and the check that an
explicit policy never opens a direct identifier."""

from __future__ import annotations

from dataclasses import replace

from jutong.catalog import CatalogEntry
from jutong.catalog.model import DataItem, MaskingRule, PiiClass, StandardizeRule
from masking.policies.model import (
    DIRECT_IDENTIFIERS,
    QUASI_IDENTIFIERS,
    Action,
    Audience,
    ColumnPolicy,
    PolicyError,
)

_RULE_ACTION: dict[MaskingRule, tuple[Action, str | None]] = {
    MaskingRule.keep: (Action.keep, None),
    MaskingRule.id_mask: (Action.mask, "resident_id"),
    MaskingRule.name_mask: (Action.mask, "person_name"),
    MaskingRule.mobile_mask: (Action.mask, "mobile"),
    MaskingRule.bank_card_mask: (Action.mask, "bank_card"),
    MaskingRule.address_to_county: (Action.address_to_county, None),
    MaskingRule.birth_year: (Action.birth_year, None),
    MaskingRule.birth_5y_band: (Action.birth_5y_band, None),
    MaskingRule.pseudonym: (Action.pseudonym, None),
    MaskingRule.suppress: (Action.drop, None),
}

_PII_DISPLAY: dict[PiiClass, tuple[Action, str | None]] = {
    PiiClass.resident_id: (Action.mask, "resident_id"),
    PiiClass.person_name: (Action.mask, "person_name"),
    PiiClass.mobile: (Action.mask, "mobile"),
    PiiClass.landline: (Action.mask, "landline"),
    PiiClass.bank_card: (Action.mask, "bank_card"),
    PiiClass.email: (Action.mask, "email"),
    PiiClass.passport: (Action.mask, "passport"),
    PiiClass.vehicle_plate: (Action.mask, "vehicle_plate"),
    PiiClass.address: (Action.address_to_county, None),
    PiiClass.birth_date: (Action.birth_year, None),
    PiiClass.sex: (Action.keep, None),
    PiiClass.ethnicity: (Action.keep, None),
    PiiClass.free_text: (Action.redact_text, None),
}


_HELD = (StandardizeRule.resident_id, StandardizeRule.uscc, StandardizeRule.party_id)


def _party_columns(entry: CatalogEntry | None, item: DataItem) -> tuple[str | None, str | None]:
    """(id column, type column) when ``item`` belongs to a person-or-organisation holder."""
    if entry is None:
        return None, None
    names = {i.name for i in entry.items}
    for it in entry.items:
        if it.standardize_rule is not StandardizeRule.party_id:
            continue
        prefix = it.name[:-3] if it.name.endswith("_id") else it.name
        type_col = f"{it.name}_type" if f"{it.name}_type" in names else None
        if item.name == it.name or item.name == f"{prefix}_name":
            return it.name, type_col
    return None, None


def policy_for_item(
    item: DataItem,
    audience: Audience | str,
    *,
    entry: CatalogEntry | None = None,
    column: str | None = None,
) -> ColumnPolicy:
    """The policy of one catalog data item for ``audience``."""
    audience = Audience(audience)
    pii = item.pii
    sens = item.sensitivity
    base = ColumnPolicy(
        column=column or item.name,
        action=Action.keep,
        pii=pii.value,
        sensitivity=sens,
        source=f"{entry.id}.{item.name}" if entry else item.name,
        label=item.label,
        quasi_identifier=audience is Audience.open and pii in QUASI_IDENTIFIERS,
    )
    rule = item.standardize_rule
    if rule in _HELD:
        base = replace(base, holds=rule.value)
    party_id, party_type = _party_columns(entry, item)
    if party_id:
        base = replace(base, party_id_column=party_id, party_type_column=party_type)

    if item.masking is MaskingRule.suppress:
        return replace(base, action=Action.drop, reason="catalog masking rule: suppress")

    if audience is Audience.share:
        if item.masking is not None:
            action, mask = _RULE_ACTION[item.masking]
            return replace(base, action=action, mask=mask, reason="catalog masking rule")
        if pii is PiiClass.free_text:
            return replace(base, action=Action.redact_text, reason="free text: Presidio redaction")
        if pii is PiiClass.none or sens <= 2:
            return replace(base, reason=f"sensitivity {sens}: shared as is (GX-Reg art. 38)")
        if sens >= 4 and pii is PiiClass.resident_id:
            return replace(
                base, action=Action.pseudonym, reason="sensitivity 4 identifier: keyed pseudonym"
            )
        action, mask = _PII_DISPLAY[pii]
        why = "display mask" if action is not Action.keep else "no display mask for this class"
        return replace(base, action=action, mask=mask, reason=f"sensitivity {sens}: {why}")

    # open (GX-Reg art. 25; GX-Open art. 19; SX-Reg art. 15; PIPL art. 73)
    if pii is PiiClass.none and rule is StandardizeRule.uscc and sens <= 2:
        return replace(
            base,
            action=Action.mask,
            mask="uscc_individual",
            reason=(
                "credit codes of individual businesses (92…) identify a person: masked; "
                "other organisations' codes are public register data"
            ),
        )
    if pii is PiiClass.none:
        if sens <= 2:
            return replace(base, reason="not personal information")
        return replace(base, action=Action.drop, reason=f"sensitivity {sens}: not opened")
    if pii in DIRECT_IDENTIFIERS:
        return replace(
            base,
            action=Action.drop,
            reason="direct identifier: never opened, not even masked (PIPL art. 73)",
        )
    if pii is PiiClass.person_name:
        if sens <= 2:
            return replace(
                base,
                action=Action.mask,
                mask="person_name",
                reason="public-register name (sensitivity 2): surname + *",
            )
        return replace(base, action=Action.drop, reason="person name: not opened")
    if pii is PiiClass.birth_date:
        return replace(base, action=Action.birth_5y_band, reason="quasi-identifier: 5-year band")
    if pii is PiiClass.address:
        return replace(
            base, action=Action.address_to_county, reason="quasi-identifier: cut to the county"
        )
    if pii in (PiiClass.sex, PiiClass.ethnicity):
        return replace(base, reason="quasi-identifier: kept, held to k-anonymity")
    if pii is PiiClass.free_text:
        return replace(base, action=Action.redact_text, reason="free text: Presidio redaction")
    return replace(base, action=Action.drop, reason=f"pii {pii.value}: not opened")


def check_override(policy: ColumnPolicy, audience: Audience | str) -> ColumnPolicy:
    """Refuse an explicit policy that would open a direct identifier (PIPL art. 73)."""
    if Audience(audience) is not Audience.open:
        return policy
    if policy.pii in {p.value for p in DIRECT_IDENTIFIERS} and policy.action not in (
        Action.drop,
        Action.pseudonym,
    ):
        if policy.party_id_column and policy.action is Action.keep:
            raise PolicyError(
                f"column '{policy.column}': persons' identifiers cannot be opened "
                f"(policy '{policy.action.value}')"
            )
        if not policy.party_id_column:
            raise PolicyError(
                f"column '{policy.column}' holds a direct identifier ({policy.pii}); an open "
                f"release may only drop or pseudonymize it, not '{policy.action.value}' "
                "(PIPL art. 73; GX-Reg art. 25)"
            )
    return policy
