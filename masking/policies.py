"""Masking policies: what happens to each column before data leaves the platform.

A column's policy follows from its catalog data item (PII class × sensitivity × the item's
``masking`` rule) and the **audience**:

* ``share`` — to another department (GX-Reg art. 19–22, 38; SX-Reg art. 12–13): purpose-bound
  and recorded, so display masks are enough. The catalog's ``masking`` rule applies where the
  item has one; otherwise sensitivity 2 is kept, 3 gets the display mask of its PII class, 4
  (identifiers) gets a keyed pseudonym.
* ``open`` — to the public (GX-Reg art. 25; GX-Open art. 19; SX-Reg art. 15; PIPL art. 73:
  masked or pseudonymized data is still personal information, so open data is anonymized):
  direct identifiers (ID, mobile, landline, e-mail, card, passport, plate) are dropped, never
  shown masked; person names are dropped except public-register names of sensitivity 2 (a
  legal representative, shown as surname + ``*``); quasi-identifiers are generalized (birth
  date → 5-year band, address → county; sex and ethnicity kept) and then held to k-anonymity
  by ``masking.anonymity``; non-personal items of sensitivity ≥ 3 are not opened.

Columns holding persons *and* organisations (``holder_id``/``holder_name`` typed by
``holder_id_type``: 居民身份证 | 统一社会信用代码) are masked row by row: a person's ID and name
are masked (share) or removed (open), an organisation's credit code and name are public
register data and stay.

A column of a base table maps to its catalog item through the item's ``golden_field`` (the
authoritative source, 一数一源, GX-Reg art. 16), or through an explicit release definition.
An ad-hoc file's columns map by header (item name, source column or label) or by type
inference from their values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum

import pyarrow as pa
import pyarrow.compute as pc

from jutong.catalog import Catalog, CatalogEntry
from jutong.catalog.model import Action, DataItem, MaskingRule, PiiClass, StandardizeRule
from masking import columns as C


class Audience(StrEnum):
    share = "share"  # another department (共享)
    open = "open"  # the public (开放)


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
    "address": C.mask_address,
}

# Direct identifiers: never opened, not even masked (DOMAIN.md § Desensitization).
DIRECT_IDENTIFIERS = frozenset(
    {
        PiiClass.resident_id,
        PiiClass.mobile,
        PiiClass.landline,
        PiiClass.email,
        PiiClass.bank_card,
        PiiClass.passport,
        PiiClass.vehicle_plate,
    }
)
# Quasi-identifiers: generalized and held to k-anonymity in open person-level releases.
QUASI_IDENTIFIERS = frozenset(
    {PiiClass.birth_date, PiiClass.sex, PiiClass.ethnicity, PiiClass.address}
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

# Base-table columns whose name differs from the catalog's golden field.
BASE_ALIASES: dict[tuple[str, str], str] = {("population", "resident_id"): "id_number"}
# Platform surrogate keys and lineage/meta columns of base tables (not catalog items).
SURROGATE_KEYS = frozenset({"person_id", "org_id"})
META = re.compile(r"^(_.*|.+_source)$")


class PolicyError(ValueError):
    """A column has no usable policy; the message names the column and why."""


@dataclass(frozen=True)
class ColumnPolicy:
    column: str
    action: Action
    mask: str | None = None  # for Action.mask: a key of MASKS
    reason: str = ""
    pii: str = "none"
    sensitivity: int | None = None
    source: str = ""  # catalog item 'entry.item', 'inferred', 'release definition', ...
    label: str | None = None
    quasi_identifier: bool = False
    party_id_column: str | None = None  # mixed person/organisation column: row by row
    party_type_column: str | None = None

    def describe(self) -> str:
        what = f"{self.action.value}" + (f":{self.mask}" if self.mask else "")
        party = " (persons only)" if self.party_id_column else ""
        return f"{self.column}: {what}{party}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["action"] = self.action.value
        return {k: v for k, v in d.items() if v not in (None, "", False)}


# ---- from a catalog item ----------------------------------------------------------------
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


# ---- columns of base tables ---------------------------------------------------------------------
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


# ---- ad-hoc files: by header or by type inference ----------------------------------------------
_HEADER_HINTS: tuple[tuple[str, PiiClass], ...] = (
    (r"身份证|证件号|公民身份号码|id_?number|resident_?id|sfzh", PiiClass.resident_id),
    (r"银行卡|卡号|bank_?card|card_?no", PiiClass.bank_card),
    (r"手机|移动电话|mobile|cell", PiiClass.mobile),
    (r"邮箱|e-?mail", PiiClass.email),
    (r"护照|passport", PiiClass.passport),
    (r"车牌|plate", PiiClass.vehicle_plate),
    (r"出生|birth", PiiClass.birth_date),
    (r"地址|住址|住所|address|addr", PiiClass.address),
    (r"^(姓名|名字|联系人|name|xm|person_name)$", PiiClass.person_name),
    (r"电话|phone|tel|lxdh", PiiClass.mobile),
    (r"性别|^sex$|^gender$", PiiClass.sex),
    (r"民族|ethnicity", PiiClass.ethnicity),
)


def _sample(arr: pa.Array, n: int = 2000) -> list[str]:
    arr = C.as_strings(arr).drop_null()
    arr = pc.utf8_trim_whitespace(arr)
    arr = arr.filter(pc.greater(pc.utf8_length(arr), 0))
    return arr.slice(0, n).to_pylist()


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def infer_pii(name: str, values: pa.Array, as_of: dt.date | None = None) -> PiiClass | None:
    """The PII class of an unknown column, from its values first, then its header.

    Values decide when at least half of a sample matches a checked shape (resident ID with
    its check digit, mobile, bank card with Luhn, e-mail); the header decides otherwise."""
    from jutong.identifiers import is_valid_resident_id

    sample = _sample(values)
    as_of = as_of or dt.date.today()
    if sample:
        compact = [re.sub(r"[\s\-]", "", s) for s in sample]
        half = len(sample) / 2

        def share(test: Callable[[str], bool]) -> bool:
            return sum(1 for s in compact if test(s)) >= half

        if share(lambda s: is_valid_resident_id(s, as_of)):
            return PiiClass.resident_id
        if share(lambda s: re.fullmatch(r"(?:\+?86)?1[3-9][0-9]{9}", s) is not None):
            return PiiClass.mobile
        if share(lambda s: re.fullmatch(r"[0-9]{16,19}", s) is not None and _luhn(s)):
            return PiiClass.bank_card
        if share(lambda s: re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", s) is not None):
            return PiiClass.email
    for pattern, pii in _HEADER_HINTS:
        if re.search(pattern, name, re.IGNORECASE):
            return pii
    return None


def _inferred_item(name: str, pii: PiiClass) -> DataItem:
    sens = {
        PiiClass.resident_id: 4,
        PiiClass.bank_card: 4,
        PiiClass.passport: 4,
        PiiClass.sex: 2,
        PiiClass.ethnicity: 3,
    }.get(pii, 3)
    # share: the display mask of the class (a pseudonym needs a key and an explicit purpose)
    masking = {
        PiiClass.resident_id: MaskingRule.id_mask,
        PiiClass.person_name: MaskingRule.name_mask,
        PiiClass.mobile: MaskingRule.mobile_mask,
        PiiClass.bank_card: MaskingRule.bank_card_mask,
        PiiClass.address: MaskingRule.address_to_county,
        PiiClass.birth_date: MaskingRule.birth_year,
    }.get(pii)
    return DataItem(
        masking=masking,
        name=re.sub(r"[^a-z0-9_]", "_", name.lower()).strip("_") or "column",
        label=name,
        type="date" if pii is PiiClass.birth_date else "string",
        required=False,
        pii=pii,
        sensitivity=sens,
        identifier="resident_id" if pii is PiiClass.resident_id else "none",
    )


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
        pol = policy_for_item(_inferred_item(col, pii), audience, column=col)
        out.append(replace(pol, source="inferred"))
    return out


# ---- applying policies ---------------------------------------------------------------------------
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
