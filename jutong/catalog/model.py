"""The resource catalog (政务数据资源目录) as a typed model.

One YAML file per department dataset, ``catalog/<department>/<dataset>.yaml``
(SX-Reg art. 8; LZ-Rules art. 13: classification, format, update cycle, share attribute,
share method, data items and provider). Unknown fields are refused, so a misspelt key is an
error rather than a silently ignored setting.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class UpdateCycle(StrEnum):
    realtime = "realtime"
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"
    yearly = "yearly"
    on_change = "on_change"

    @property
    def max_age_days(self) -> int | None:
        """How old the newest batch may be before the data is stale (timeliness)."""
        return {
            "realtime": 1,
            "daily": 2,
            "weekly": 8,
            "monthly": 35,
            "quarterly": 95,
            "yearly": 370,
            "on_change": None,
        }[self.value]


class ExtractFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    jsonl = "jsonl"


class ItemType(StrEnum):
    string = "string"
    integer = "integer"
    decimal = "decimal"
    date = "date"
    datetime = "datetime"
    boolean = "boolean"
    geometry_wkt = "geometry_wkt"


class IdentifierRole(StrEnum):
    resident_id = "resident_id"
    uscc = "uscc"
    none = "none"


class PiiClass(StrEnum):
    none = "none"
    person_name = "person_name"
    resident_id = "resident_id"
    mobile = "mobile"
    landline = "landline"
    address = "address"
    birth_date = "birth_date"
    sex = "sex"
    ethnicity = "ethnicity"
    email = "email"
    bank_card = "bank_card"
    passport = "passport"
    vehicle_plate = "vehicle_plate"
    free_text = "free_text"


class MaskingRule(StrEnum):
    """Column masking rules; their formats are defined by the masking package (GX-Reg art. 25)."""

    keep = "keep"
    id_mask = "id_mask"  # first 1 + last 1
    name_mask = "name_mask"  # surname + *
    mobile_mask = "mobile_mask"  # first 3 + last 4
    bank_card_mask = "bank_card_mask"  # last 4
    address_to_county = "address_to_county"
    birth_year = "birth_year"
    birth_5y_band = "birth_5y_band"
    pseudonym = "pseudonym"  # keyed HMAC-SHA256, key per purpose
    suppress = "suppress"


class Action(StrEnum):
    """What a masking policy does to a column (``masking.policies``; explicit column policies of
    release definitions, ``jutong.catalog.releases``)."""

    keep = "keep"
    drop = "drop"  # the column is not released (suppression of the whole item)
    mask = "mask"  # display mask, see ``masking.policies.MASKS``
    pseudonym = "pseudonym"  # keyed HMAC-SHA256 (masking.keys), key per purpose
    birth_year = "birth_year"
    birth_5y_band = "birth_5y_band"
    age_band = "age_band"  # 5-year age band on the release date
    address_to_county = "address_to_county"
    division_to_city = "division_to_city"
    redact_text = "redact_text"  # free text through the Presidio analyzer (masking.analyzer)


def check_explicit_policy(
    name: str, policy: Action | None, mask: str | None, reason: str | None
) -> None:
    """An explicit column policy (release definitions, the share list) states its reason, and
    a display mask names which one."""
    if policy is not None and not reason:
        raise ValueError(f"'{name}': an explicit policy needs a reason")
    if policy is Action.mask and not mask:
        raise ValueError(f"'{name}': policy mask needs 'mask'")


class StandardizeRule(StrEnum):
    """How the standardize job treats an item (default derived from identifier, pii and type)."""

    resident_id = "resident_id"  # GB 11643-1999
    uscc = "uscc"  # GB 32100-2015 (legacy registration numbers and organisation codes recognised)
    party_id = "party_id"  # a resident ID or a credit code, whichever the value is
    person_name = "person_name"
    phone = "phone"
    sex = "sex"  # GB/T 2261.1
    date = "date"
    division = "division"  # GB/T 2260 code, historical codes kept
    address = "address"
    integer = "integer"
    decimal = "decimal"
    text = "text"  # trimmed; empty -> null


class ShareType(StrEnum):
    """GX-Reg art. 19; LZ-Rules art. 22."""

    unconditional = "unconditional"  # 无条件共享
    conditional = "conditional"  # 有条件共享
    none = "none"  # 不予共享

    @property
    def label(self) -> str:
        return {"unconditional": "无条件共享", "conditional": "有条件共享", "none": "不予共享"}[
            self.value
        ]


class OpenType(StrEnum):
    """GX-Reg art. 25; GX-Open art. 16."""

    unconditional = "unconditional"  # 无条件开放
    conditional = "conditional"  # 有条件开放 / 依申请开放
    none = "none"  # 不予开放

    @property
    def label(self) -> str:
        return {"unconditional": "无条件开放", "conditional": "有条件开放", "none": "不予开放"}[
            self.value
        ]


class BaseDatabase(StrEnum):
    """GX-Reg art. 23; SX-Reg art. 9; LZ-Rules art. 15."""

    population = "population"  # 人口
    legal_entity = "legal_entity"  # 法人
    spatial = "spatial"  # 自然资源和空间地理
    e_license = "e_license"  # 电子证照
    none = "none"

    @property
    def label(self) -> str:
        """The Chinese name users know it by."""
        return {
            "population": "人口基础库",
            "legal_entity": "法人基础库",
            "spatial": "自然资源和空间地理基础库",
            "e_license": "电子证照基础库",
            "none": "",
        }[self.value]

    @property
    def label_en(self) -> str:
        return {
            "population": "population",
            "legal_entity": "legal entity",
            "spatial": "spatial",
            "e_license": "electronic licences",
            "none": "",
        }[self.value]

    @property
    def upstream(self) -> tuple[BaseDatabase, ...]:
        """The base databases this one links to, built before it."""
        if self in (BaseDatabase.spatial, BaseDatabase.e_license):
            return ENTITY_BASES
        return ()

    @property
    def entity_kind(self) -> EntityKind | None:
        """The kind of entity resolved into this base, for the two entity bases."""
        return {"population": EntityKind.person, "legal_entity": EntityKind.org}.get(self.value)

    @property
    def dag_id(self) -> str:
        """The Airflow DAG that builds it: ``build__<base>``."""
        if self is BaseDatabase.none:
            raise ValueError("'none' is not a base database that is built")
        return f"build__{self.value}"


# The base databases resolved from mentions of persons and organisations (one authoritative
# source per golden field); spatial and e_license link their records to these.
ENTITY_BASES: tuple[BaseDatabase, ...] = (BaseDatabase.population, BaseDatabase.legal_entity)
# Every base database, in build order (each after its upstream).
BASES: tuple[BaseDatabase, ...] = (
    BaseDatabase.legal_entity,
    BaseDatabase.population,
    BaseDatabase.spatial,
    BaseDatabase.e_license,
)


def release_dag_id(release_id: str) -> str:
    """The Airflow DAG that builds an open-data release: ``release__<id>``."""
    return f"release__{release_id}"


class DataItem(_Strict):
    name: str
    label: str = Field(min_length=1)
    source_column: str | None = None
    type: ItemType
    required: bool
    identifier: IdentifierRole = IdentifierRole.none
    pii: PiiClass
    sensitivity: Annotated[int, Field(ge=1, le=4)]  # 1 public … 4 highly sensitive
    masking: MaskingRule | None = None
    allowed_values: list[str] | None = None
    check_type: bool = False  # type is fixed: ingestion refuses values that do not parse
    golden_field: str | None = None
    rule: StandardizeRule | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not IDENT.match(v):
            raise ValueError(f"'{v}' is not a valid item name (lower-case letters, digits, _)")
        return v

    @property
    def column(self) -> str:
        """The column header in the department's extract."""
        return self.source_column or self.name

    @property
    def standardize_rule(self) -> StandardizeRule:
        if self.rule is not None:
            return self.rule
        if self.identifier is IdentifierRole.resident_id:
            return StandardizeRule.resident_id
        if self.identifier is IdentifierRole.uscc:
            return StandardizeRule.uscc
        by_pii = {
            PiiClass.person_name: StandardizeRule.person_name,
            PiiClass.mobile: StandardizeRule.phone,
            PiiClass.landline: StandardizeRule.phone,
            PiiClass.sex: StandardizeRule.sex,
            PiiClass.birth_date: StandardizeRule.date,
            PiiClass.address: StandardizeRule.address,
        }
        if self.pii in by_pii:
            return by_pii[self.pii]
        by_type = {
            ItemType.date: StandardizeRule.date,
            ItemType.datetime: StandardizeRule.date,
            ItemType.integer: StandardizeRule.integer,
            ItemType.decimal: StandardizeRule.decimal,
        }
        return by_type.get(self.type, StandardizeRule.text)

    @model_validator(mode="after")
    def _consistent(self) -> DataItem:
        if self.identifier is IdentifierRole.resident_id and self.pii is not PiiClass.resident_id:
            raise ValueError("an item with identifier resident_id must have pii resident_id")
        if self.check_type and self.type not in (
            ItemType.integer,
            ItemType.decimal,
            ItemType.boolean,
        ):
            raise ValueError("check_type applies to integer, decimal and boolean items only")
        if self.pii is not PiiClass.none and self.sensitivity < 2:
            raise ValueError("personal information (pii other than none) needs sensitivity >= 2")
        return self


class Extract(_Strict):
    format: ExtractFormat
    encoding: str = "utf-8"
    delimiter: str = ","
    sheet: str | None = None  # xlsx: the sheet to read (default: the first)
    # xlsx: further sheets of the same columns, ingested too (the sheet is in each row's
    # _source_file); any other sheet holding data is refused
    sheets: list[str] = Field(default_factory=list)
    file_pattern: str = "*"
    # the largest value a CSV field may hold, in characters (large real parcel geometries
    # run to megabytes of WKT; the csv module's own limit of 131,072 is never the one used)
    field_size_limit: Annotated[int, Field(gt=0)] = 16 * 1024 * 1024

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v: str) -> str:
        import codecs

        try:
            return codecs.lookup(v).name
        except LookupError:
            raise ValueError(f"unknown encoding '{v}'") from None

    @model_validator(mode="after")
    def _consistent(self) -> Extract:
        if self.format is ExtractFormat.csv and len(self.delimiter) != 1:
            raise ValueError("delimiter must be one character")
        if self.sheets and self.format is not ExtractFormat.xlsx:
            raise ValueError("sheets applies to xlsx extracts only")
        if self.sheet is not None and self.sheet in self.sheets:
            raise ValueError(f"sheet '{self.sheet}' is also listed in sheets")
        if self.format is not ExtractFormat.csv and self.encoding not in ("utf-8",):
            raise ValueError(f"{self.format.value} extracts are UTF-8; encoding applies to csv")
        return self


class Share(_Strict):
    type: ShareType
    legal_basis: str | None = None
    method: str = "api"  # api | file | database

    @model_validator(mode="after")
    def _basis(self) -> Share:
        # LZ-Rules art. 22: conditional and not-shared entries must state their legal basis.
        if self.type is not ShareType.unconditional and not self.legal_basis:
            raise ValueError(
                f"share type '{self.type.value}' needs a legal_basis (LZ-Rules art. 22)"
            )
        return self


class Open(_Strict):
    type: OpenType
    conditions: str | None = None
    # Open person-level releases: the quasi-identifier items (besides those the PII class
    # implies: birth date, sex, ethnicity, address) and the k of k-anonymity (PIPL art. 73).
    quasi_identifiers: list[str] = Field(default_factory=list)
    k: int = Field(default=5, ge=2)

    @model_validator(mode="after")
    def _conditions(self) -> Open:
        if self.type is OpenType.conditional and not self.conditions:
            raise ValueError("open type 'conditional' needs its conditions (GX-Open art. 16)")
        return self


class EntityKind(StrEnum):
    """What a mention in a row refers to: a person (population) or an organisation."""

    person = "person"
    org = "org"

    @property
    def base(self) -> str:
        """The base database this kind is resolved into (its table name)."""
        db = BaseDatabase.population if self is EntityKind.person else BaseDatabase.legal_entity
        return db.value


# Golden fields of the person and organisation base databases (the key excluded).
PERSON_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "domicile_address",
    "residence_address",
    "mobile",
    "marital_status",
)
ORG_FIELDS = (
    "registration_no",
    "org_name",
    "org_type",
    "legal_rep_name",
    "registered_address",
    "registered_capital",
    "established_on",
    "status",
)
KEY_FIELDS = ("id_number", "uscc")


class Mention(_Strict):
    """A person or organisation a row refers to, and the golden fields that row can give
    it. A row may mention several (a marriage: husband and wife; an enterprise: itself and
    its legal representative). Entity resolution (the base-database build) links every
    mention to one golden record."""

    role: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: EntityKind
    key: str  # the identifier item (resident ID or credit code)
    # only rows with these item values carry this mention (holder columns typed per row)
    when: dict[str, str] = Field(default_factory=dict)
    # golden field -> item; empty = the items' golden_field (for the database the entry feeds)
    fields: dict[str, str] = Field(default_factory=dict)
    # golden field -> value implied by the role (a husband is male: "1", GB/T 2261.1)
    constants: dict[str, str] = Field(default_factory=dict)
    # golden field -> {delivered value: golden value}; a value mapped to null gives nothing
    values: dict[str, dict[str, str | None]] = Field(default_factory=dict)

    @property
    def allowed_fields(self) -> tuple[str, ...]:
        return PERSON_FIELDS if self.kind is EntityKind.person else ORG_FIELDS


class Base(_Strict):
    feeds: BaseDatabase
    authoritative_for: list[str] = Field(default_factory=list)  # 一数一源, GX-Reg art. 16
    mentions: list[Mention] = Field(default_factory=list)


class QualitySpec(_Strict):
    """Quality-gate thresholds of a dataset (GX-Reg art. 18, 24; LZ-Rules art. 24, 34).

    Rates are shares of the batch's rows. A batch that breaks one is blocked: nothing of it
    reaches staging and a correction ticket goes to the providing department."""

    # invalid or missing values of an identifier item (resident ID, credit code)
    max_invalid_id_rate: Annotated[float, Field(ge=0, le=1)] = 0.02
    # rows failing a row-level expectation (quarantined); more than this blocks the batch
    max_failed_row_rate: Annotated[float, Field(ge=0, le=1)] = 0.05
    # birth date / sex disagreeing with the resident ID
    max_inconsistent_rate: Annotated[float, Field(ge=0, le=1)] = 0.02
    # items that identify a row: unique within a batch (exact copies excepted)
    unique_key: list[str] = Field(default_factory=list)
    # days a batch may be old (default: the update cycle's max_age_days); None = never stale
    freshness_days: Annotated[int, Field(ge=0)] | None = None
    # whether a stale batch is blocked (default: reported only, as timeliness)
    block_stale: bool = False
    # a rate counts as broken only when more rows than this fail (tiny batches: 1 missing ID
    # in 37 rows is 2.7 %, not a systematic fault)
    grace_rows: Annotated[int, Field(ge=0)] = 2


class CatalogEntry(_Strict):
    id: str
    title: str = Field(min_length=1)
    title_en: str | None = None
    department: str
    source_system: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    domain: str = Field(min_length=1)
    update_cycle: UpdateCycle
    extract: Extract
    items: list[DataItem] = Field(min_length=1)
    share: Share
    open: Open
    base: Base
    ingest_schedule: str = "@hourly"  # how often the landing folder is polled
    quality: QualitySpec = QualitySpec()

    @property
    def dataset(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def table_name(self) -> str:
        """Iceberg table name within a zone namespace, e.g. ``gongan__huji``."""
        return f"{self.department}__{self.dataset}"

    @property
    def kind(self) -> str:
        """What a share request against this entry reads: the department's dataset (its
        staging table), as opposed to the bureau's base and theme resources
        (``jutong.catalog.shared``)."""
        return "dataset"

    @property
    def source_table(self) -> str:
        """The lake table a share delivery of this entry reads."""
        return f"staging.{self.table_name}"

    @property
    def dag_id(self) -> str:
        """The ingestion DAG: ``ingest__<department>__<dataset>``."""
        return f"ingest__{self.department}__{self.dataset}"

    @property
    def standardize_dag_id(self) -> str:
        """The standardize DAG: ``standardize__<department>__<dataset>``."""
        return f"standardize__{self.department}__{self.dataset}"

    def item(self, name: str) -> DataItem:
        for it in self.items:
            if it.name == name:
                return it
        raise KeyError(f"{self.id}: no data item '{name}'")

    @model_validator(mode="after")
    def _consistent(self) -> CatalogEntry:
        m = re.fullmatch(r"([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)", self.id)
        if not m:
            raise ValueError(f"id: '{self.id}' must be '<department>.<dataset>' in lower case")
        if m.group(1) != self.department:
            raise ValueError(
                f"id: '{self.id}' does not start with its department '{self.department}'"
            )
        names = [i.name for i in self.items]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"items: duplicate item names: {', '.join(dup)}")
        cols = [i.column for i in self.items]
        dup = sorted({c for c in cols if cols.count(c) > 1})
        if dup:
            raise ValueError(f"items: duplicate source columns: {', '.join(dup)}")
        golden = {i.golden_field for i in self.items if i.golden_field}
        missing = [f for f in self.base.authoritative_for if f not in golden]
        if missing:
            raise ValueError(
                "base.authoritative_for: names fields no item maps to (golden_field): "
                + ", ".join(missing)
            )
        if self.base.authoritative_for and self.base.feeds is BaseDatabase.none:
            raise ValueError("base.feeds: authoritative_for needs a base database")
        self._check_mentions()
        return self

    def _check_mentions(self) -> None:
        names = {i.name for i in self.items}
        roles = [(m.role, m.kind) for m in self.base.mentions]
        dup = sorted({f"{r} ({k})" for r, k in roles if roles.count((r, k)) > 1})
        if dup:
            raise ValueError(f"base.mentions: duplicate roles: {', '.join(dup)}")
        for n, m in enumerate(self.base.mentions):
            where = f"base.mentions[{n}] (role '{m.role}')"
            key = self.item(m.key) if m.key in names else None
            if key is None:
                raise ValueError(f"{where}: key '{m.key}' is not a data item")
            if key.standardize_rule.value not in ("resident_id", "uscc", "party_id"):
                raise ValueError(f"{where}: key '{m.key}' is not an identifier item")
            for item in [*m.when, *m.fields.values()]:
                if item not in names:
                    raise ValueError(f"{where}: '{item}' is not a data item")
            for f in [*m.fields, *m.constants, *m.values]:
                if f not in m.allowed_fields:
                    raise ValueError(
                        f"{where}: '{f}' is not a golden field of {m.kind.base} "
                        f"({', '.join(m.allowed_fields)})"
                    )

    def declared_kinds(self, item: str) -> list[tuple[dict[str, str], EntityKind]]:
        """The identifier kinds a row declares for ``item``: (row condition, kind) of each
        mention keyed by ``item`` with a ``when:`` (a holder column typed per row by its
        证件类型). A row matching a condition holds that kind of identifier, whatever its
        digits look like (a 15-digit registration number is never a resident ID)."""
        return [(m.when, m.kind) for m in self.base.mentions if m.key == item and m.when]

    def mention_fields(self, mention: Mention) -> dict[str, str]:
        """Golden field -> item for one mention (explicit, or the items' golden_field when
        the mention is of the kind of database this entry feeds)."""
        if mention.fields:
            return dict(mention.fields)
        if self.base.feeds.value != mention.kind.base:
            return {}
        return {
            i.golden_field: i.name
            for i in self.items
            if i.golden_field in mention.allowed_fields and i.name != mention.key
        }
