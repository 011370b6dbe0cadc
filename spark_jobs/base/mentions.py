"""Mentions: who each staging row refers to, in one shape per entity kind.

The catalog says, per dataset, which persons and organisations a row mentions
(``base.mentions``: a household register row mentions one person; a marriage row a husband
and a wife; an enterprise row the enterprise and its legal representative) and which golden
fields each mention can give. ``mention_frame`` turns a staging table into rows of one
shape — provenance, the key (a valid resident ID / credit code, or why there is none),
the golden-field values, and the features probabilistic matching compares — so that every
later step (exact match, Splink, survivorship, the ledger) works on one DataFrame.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jutong.catalog.loader import Catalog
from jutong.catalog.model import (
    ORG_FIELDS,
    PERSON_FIELDS,
    CatalogEntry,
    EntityKind,
    Mention,
)

# Golden fields that are not text; every other golden field is a string.
FIELD_TYPES = {
    "birth_date": "date",
    "established_on": "date",
    "registered_capital": "decimal(20,4)",
}
# Address fields carry the county the address lies in (``<field>_division``).
ADDRESS_FIELDS = ("domicile_address", "residence_address", "registered_address")

# An invalid 18-character ID whose first 17 characters are a placeholder carries no evidence.
_PLACEHOLDER_17 = r"^(.)\1{16}$|^(12345678901234567|01234567890123456|98765432109876543)$"
_USCC_CHARS = "0-9A-HJ-NPQRTUW-Y"

PROVENANCE = (
    "mention_id",
    "dataset",
    "department",
    "batch_id",
    "row_number",
    "role",
    "source_file",
    "loaded_at",
    "duplicate_of",
)
KEY_COLUMNS = ("key", "key_status", "key_raw", "id17", "legacy_kind", "legacy_code")
FEATURES = ("m_name", "m_birth", "m_sex", "m_division", "m_mobile", "m_rep")


def kind_fields(kind: EntityKind) -> tuple[str, ...]:
    return PERSON_FIELDS if kind is EntityKind.person else ORG_FIELDS


def mention_columns(kind: EntityKind) -> list[str]:
    fields = kind_fields(kind)
    divisions = [f"{f}_division" for f in ADDRESS_FIELDS if f in fields]
    return [*PROVENANCE, *KEY_COLUMNS, *fields, *divisions, *FEATURES, "auth_fields"]


def _typed(c: Column, field: str) -> Column:
    t = FIELD_TYPES.get(field, "string")
    return c.cast(t)


def _null(field: str) -> Column:
    return F.lit(None).cast(FIELD_TYPES.get(field, "string"))


def _mapped(c: Column, mapping: dict[str, str | None]) -> Column:
    """Delivered value -> golden value; values not in the map are kept."""
    out = None
    for delivered, golden in mapping.items():
        value = F.lit(golden).cast("string")
        out = F.when(c == delivered, value) if out is None else out.when(c == delivered, value)
    return c if out is None else out.otherwise(c)


def mention_frame(
    df: DataFrame, entry: CatalogEntry, mention: Mention, authoritative: set[str]
) -> DataFrame:
    """One mention of ``entry`` as rows of the kind's mention shape (pure transform)."""
    kind = mention.kind
    key = mention.key
    cols = set(df.columns)
    rows = df
    for item, value in mention.when.items():
        rows = rows.filter(F.col(item) == F.lit(value))

    norm = F.col(key)
    valid = F.coalesce(F.col(f"{key}_valid"), F.lit(False))
    kind_col = F.col(f"{key}_kind")
    raw = F.coalesce(F.col(f"{key}_raw"), norm)
    present = F.coalesce(F.trim(raw), F.lit("")) != ""
    if kind is EntityKind.person:
        key_value = F.when(valid & (kind_col == "resident_id"), norm)
        shaped = norm.rlike(r"^[0-9]{17}[0-9X]$") & ~F.substring(norm, 1, 17).rlike(_PLACEHOLDER_17)
        legacy_kind = F.lit(None).cast("string")
        legacy_code = F.lit(None).cast("string")
    else:
        key_value = F.when(valid & (kind_col == "uscc"), norm)
        shaped = norm.rlike(f"^[{_USCC_CHARS}]{{18}}$") & ~F.substring(norm, 1, 17).rlike(
            _PLACEHOLDER_17
        )
        is_legacy = valid & kind_col.isin("legacy_orgcode", "legacy_regno")
        legacy_kind = F.when(is_legacy, kind_col)
        legacy_code = F.when(is_legacy, norm)
    # the first 17 characters: exact evidence for a valid key, and still strong evidence
    # when only the check character is wrong
    id17 = F.when(shaped & (valid | key_value.isNull()), F.substring(norm, 1, 17))
    key_status = (
        F.when(key_value.isNotNull(), F.lit("valid"))
        .when(legacy_code.isNotNull(), F.lit("legacy"))
        .when(id17.isNotNull(), F.lit("invalid"))
        .when(present, F.lit("placeholder"))
        .otherwise(F.lit("missing"))
    )

    fields = entry.mention_fields(mention)
    values: dict[str, Column] = {}
    for f in kind_fields(kind):
        if f in fields:
            c = F.col(fields[f])
            if f in mention.values:
                c = _mapped(c.cast("string"), mention.values[f])
            values[f] = _typed(c, f)
        elif f in mention.constants:
            values[f] = _typed(F.lit(mention.constants[f]), f)
        else:
            values[f] = _null(f)
    divisions: dict[str, Column] = {}
    for f in ADDRESS_FIELDS:
        if f not in kind_fields(kind):
            continue
        item = fields.get(f)
        div = f"{item}_division" if item else None
        divisions[f"{f}_division"] = (
            F.col(div) if div in cols else F.lit(None).cast("string")
        ).cast("string")

    if kind is EntityKind.person:
        id_birth = F.coalesce(
            F.col(f"{key}_birth_date") if f"{key}_birth_date" in cols else F.lit(None),
            F.try_to_date(F.substring(id17, 7, 8), "yyyyMMdd"),
        )
        seq_digit = F.substring(id17, 17, 1).try_cast("int")
        id_sex = F.coalesce(
            F.col(f"{key}_sex") if f"{key}_sex" in cols else F.lit(None).cast("string"),
            F.when(seq_digit.isNotNull(), F.when(seq_digit % 2 == 1, "1").otherwise("2")),
        )
        features = {
            "m_name": values["name"],
            # the record's own birth date and sex; the ID's only where the ID is valid (a
            # mistyped ID's digits are compared by the identifier comparison, not twice)
            "m_birth": F.coalesce(
                values["birth_date"], F.when(key_value.isNotNull(), id_birth.cast("date"))
            ),
            "m_sex": F.coalesce(values["sex"], F.when(key_value.isNotNull(), id_sex)),
            "m_division": F.coalesce(
                divisions["domicile_address_division"],
                divisions["residence_address_division"],
            ),
            "m_mobile": values["mobile"],
            "m_rep": F.lit(None).cast("string"),
        }
    else:
        features = {
            "m_name": values["org_name"],
            "m_birth": values["established_on"],
            "m_sex": F.lit(None).cast("string"),
            "m_division": divisions["registered_address_division"],
            "m_mobile": F.lit(None).cast("string"),
            "m_rep": values["legal_rep_name"],
        }

    role = mention.role
    mention_id = F.concat_ws("|", F.lit(entry.id), "_batch_id", "_row_number", F.lit(role))
    dup_id = F.when(
        F.col("_duplicate_of").isNotNull(),
        F.concat_ws("|", F.lit(entry.id), "_batch_id", "_duplicate_of", F.lit(role)),
    )
    auth = [f for f in kind_fields(kind) if f in authoritative and f in fields]
    out = rows.select(
        mention_id.alias("mention_id"),
        F.lit(entry.id).alias("dataset"),
        F.lit(entry.department).alias("department"),
        F.col("_batch_id").alias("batch_id"),
        F.col("_row_number").cast("long").alias("row_number"),
        F.lit(role).alias("role"),
        F.col("_source_file").alias("source_file"),
        F.col("_loaded_at").alias("loaded_at"),
        dup_id.alias("duplicate_of"),
        key_value.alias("key"),
        key_status.alias("key_status"),
        F.when(present, raw).alias("key_raw"),
        id17.alias("id17"),
        legacy_kind.alias("legacy_kind"),
        legacy_code.alias("legacy_code"),
        *[c.alias(n) for n, c in values.items()],
        *[c.alias(n) for n, c in divisions.items()],
        *[c.alias(n) for n, c in features.items()],
        F.array(*[F.lit(f) for f in auth]).cast("array<string>").alias("auth_fields"),
    )
    # a row whose mention columns are all empty mentions nobody (a social-insurance row
    # of a scheme without an employer): it is not a mention
    given = [F.col(n).isNotNull() for n in fields] + [F.col("key_raw").isNotNull()]
    anything = given[0]
    for c in given[1:]:
        anything = anything | c
    out = out.filter(anything)
    return out.select(*mention_columns(kind))


def mentions_of(catalog: Catalog, kind: EntityKind) -> list[tuple[CatalogEntry, Mention]]:
    """Every (entry, mention) of ``kind`` in the catalog, in catalog order."""
    return [(e, m) for e in catalog for m in e.base.mentions if m.kind is kind]


def authoritative_fields(catalog: Catalog, entry: CatalogEntry, kind: EntityKind) -> set[str]:
    """Golden fields of the kind's base database for which ``entry`` is the source
    (一数一源, GX-Reg art. 16)."""
    out = set()
    for f in kind_fields(kind):
        src = catalog.authoritative_source(kind.base, f)
        if src is not None and src.id == entry.id:
            out.add(f)
    return out
