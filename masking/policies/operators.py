"""Applying policies: one column's action (display masks, pseudonyms, generalizations,
free-text redaction), and a whole table, person rows of mixed holder columns only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from masking import columns as C
from masking.policies.model import Action, ColumnPolicy, PolicyError

MASKS: dict[str, Callable[[object], pa.Array]] = {
    "resident_id": C.mask_resident_id,
    "person_name": C.mask_name,
    "mobile": C.mask_mobile,
    "landline": C.mask_landline,
    "bank_card": C.mask_bank_card,
    "email": C.mask_email,
    "passport": C.mask_passport,
    "vehicle_plate": C.mask_plate,
    "uscc": C.mask_uscc,
    "uscc_individual": C.mask_individual_business,
    "address": C.mask_address,
}


@dataclass
class MaskingResult:
    table: pa.Table
    policies: list[ColumnPolicy]
    changed: dict[str, int] = field(default_factory=dict)  # column -> rows changed
    dropped: list[str] = field(default_factory=list)
    key_fingerprint: str | None = None

    def report(self) -> list[dict]:
        out = []
        for p in self.policies:
            d = p.to_dict()
            if p.column in self.changed:
                d["rows_changed"] = self.changed[p.column]
            out.append(d)
        return out


def _changed(before: pa.Array, after: pa.Array) -> int:
    if before.type != after.type:
        return int(pc.sum(pc.is_valid(before)).as_py() or 0)
    diff = pc.fill_null(pc.not_equal(before, after), True)
    both_null = pc.and_(pc.is_null(before), pc.is_null(after))
    return int(pc.sum(pc.and_not(diff, both_null)).as_py() or 0)


def apply_action(
    policy: ColumnPolicy,
    values: pa.Array,
    *,
    key: bytes | None = None,
    as_of: dt.date | None = None,
    redact: Callable[[list[str]], list[str]] | None = None,
) -> pa.Array:
    """The masked column for one policy (the row-by-row holder logic is in ``apply_policies``)."""
    a = policy.action
    if a is Action.keep:
        return values
    if a is Action.mask:
        if policy.mask not in MASKS:
            raise PolicyError(f"column '{policy.column}': unknown mask '{policy.mask}'")
        return MASKS[policy.mask](values)
    if a is Action.pseudonym:
        if key is None:
            raise PolicyError(
                f"column '{policy.column}': a keyed pseudonym needs the purpose's key "
                "(masking.keys)"
            )
        return C.pseudonymize(values, key)
    if a is Action.birth_year:
        return C.birth_year(values)
    if a is Action.birth_5y_band:
        return C.birth_5y_band(values)
    if a is Action.age_band:
        return C.age_band(values, as_of or dt.date.today())
    if a is Action.address_to_county:
        return C.mask_address(values)
    if a is Action.division_to_city:
        return C.division_level(values, "city")
    if a is Action.redact_text:
        return redact_column(values, redact)
    raise PolicyError(f"column '{policy.column}': action '{a.value}' cannot be applied here")


def redact_column(
    values: object, redact: Callable[[list[str]], list[str]] | None = None
) -> pa.Array:
    """Free text through the analyzer, once per distinct non-empty value."""
    if redact is None:
        from masking.analyzer import redact_many as redact
    arr = C.as_strings(values)
    encoded = pc.dictionary_encode(arr)
    texts = encoded.dictionary.to_pylist()
    return pa.array(redact(texts), pa.string()).take(encoded.indices)


def apply_policies(
    table: pa.Table,
    policies: Sequence[ColumnPolicy],
    *,
    key: bytes | None = None,
    as_of: dt.date | None = None,
    redact: Callable[[list[str]], list[str]] | None = None,
) -> MaskingResult:
    """Mask ``table`` column by column; dropped columns are removed."""
    from masking.keys import key_fingerprint

    by_col = {p.column: p for p in policies}
    missing = [c for c in table.column_names if c not in by_col]
    if missing:
        raise PolicyError(f"no policy for column(s): {', '.join(missing)}")
    persons: dict[tuple[str, str | None], pa.Array] = {}
    names, arrays = [], []
    changed: dict[str, int] = {}
    dropped: list[str] = []
    for col in table.column_names:
        p = by_col[col]
        values = C.as_array(table.column(col))
        if p.action is Action.drop and not p.party_id_column:
            dropped.append(col)
            continue
        if p.party_id_column and p.party_id_column in table.column_names:
            pk = (p.party_id_column, p.party_type_column)
            if pk not in persons:
                types = (
                    table.column(p.party_type_column)
                    if p.party_type_column and p.party_type_column in table.column_names
                    else None
                )
                persons[pk] = C.person_rows(table.column(p.party_id_column), types)
            if p.action is Action.drop:
                masked = C.suppress(C.as_strings(values))
            else:
                masked = apply_action(p, values, key=key, as_of=as_of, redact=redact)
            out = C.where_person(persons[pk], masked, values)
        else:
            out = apply_action(p, values, key=key, as_of=as_of, redact=redact)
        changed[col] = _changed(values, out)
        names.append(col)
        arrays.append(out)
    return MaskingResult(
        table=pa.table(arrays, names=names),
        policies=list(policies),
        changed=changed,
        dropped=dropped,
        key_fingerprint=key_fingerprint(key) if key else None,
    )
