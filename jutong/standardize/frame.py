"""A batch of raw rows → its standardized rows, with Arrow compute (the standardize job's
transform without Spark: ``spark_jobs.standardize`` calls it once per Arrow batch).

``standardize_table(table, entry, as_of)`` takes the raw rows of one dataset (the items as
text, the provenance columns, and ``__first_copy``: the row number of the first row of the
batch with the same content, from the job's duplicate window) and returns, in this order:

- per item of the catalog entry: the standardized value, ``<item>_raw`` (the delivered text
  where it differs from the value's text form), and the rule's extras (``_valid``,
  ``_repairs``, ``_kind``, ``_birth_date``, ``_sex`` of identifiers, ``_kind`` of phones,
  ``_name`` of division codes, ``_division`` of addresses);
- the other input columns as they are (the provenance);
- ``_reasons`` (``item:code``; per item in catalog order, ``missing`` first), ``_warnings``,
  ``_duplicate_of``, ``_valid``, ``_as_of``.

The columns, types, nulls and values are those of the former Spark expression form (Spark SQL
semantics where it used them: ``trim`` removes spaces only, ``\\s`` is Java's
``[ \\t\\n\\x0B\\f\\r]``, ``try_cast`` to ``long`` and ``decimal(20,4)`` parse what Spark
parses; ``tests/standardize/test_frame.py``, ``tests/spark_jobs/test_standardize_arrow.py``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.catalog.model import CatalogEntry, DataItem, EntityKind, StandardizeRule
from jutong.identifiers._columns import as_string_array
from jutong.identifiers.resident_id import check_resident_ids
from jutong.identifiers.uscc import check_usccs
from jutong.standardize._vector import tag_code_lists
from jutong.standardize.addresses import address_division_codes
from jutong.standardize.dates import standardize_dates
from jutong.standardize.divisions import lookup_division_codes
from jutong.standardize.names import standardize_names
from jutong.standardize.phones import standardize_phones
from jutong.standardize.sex import standardize_sexes

FIRST_COPY = "__first_copy"  # the job's duplicate window: first row number with this content
IDENTIFIER_RULES = (StandardizeRule.resident_id, StandardizeRule.uscc, StandardizeRule.party_id)
DECIMAL = pa.decimal128(20, 4)
_STR = pa.string()
_LIST = pa.list_(pa.field("element", _STR))
_NULL_STR = pa.scalar(None, _STR)

# Java's \s (Spark's regexp_replace): RE2's \s lacks \x0B
_JAVA_SPACES = r"[ \t\n\x0B\f\r]+"
# Java's `$` (Spark's rlike) also matches before a final line terminator
_JAVA_END = r"(?:\r\n|[\n\r\x{85}\x{2028}\x{2029}])?$"
_RID_SHAPE = r"^(?:[0-9]{17}[0-9X]|[0-9]{15})" + _JAVA_END


def item_fields(item: DataItem) -> list[pa.Field]:
    """The output columns of one item, in order, with their types and nullability."""
    name, rule = item.name, item.standardize_rule
    value_type = {
        StandardizeRule.date: pa.date32(),
        StandardizeRule.integer: pa.int64(),
        StandardizeRule.decimal: DECIMAL,
    }.get(rule, _STR)
    fields = [pa.field(name, value_type), pa.field(f"{name}_raw", _STR)]
    if rule in IDENTIFIER_RULES:
        fields += [
            pa.field(f"{name}_valid", pa.bool_()),
            pa.field(f"{name}_repairs", _LIST, nullable=False),
            pa.field(f"{name}_kind", _STR, nullable=rule is not StandardizeRule.resident_id),
        ]
        if rule is not StandardizeRule.uscc:
            fields += [pa.field(f"{name}_birth_date", pa.date32()), pa.field(f"{name}_sex", _STR)]
    elif rule is StandardizeRule.phone:
        fields.append(pa.field(f"{name}_kind", _STR))
    elif rule is StandardizeRule.division:
        fields.append(pa.field(f"{name}_name", _STR))
    elif rule is StandardizeRule.address:
        fields.append(pa.field(f"{name}_division", _STR))
    return fields


TRAILER_FIELDS = (
    pa.field("_reasons", pa.list_(pa.field("element", _STR, nullable=False)), nullable=False),
    pa.field("_warnings", _LIST, nullable=False),
    pa.field("_duplicate_of", pa.int64()),
    pa.field("_valid", pa.bool_(), nullable=False),
    pa.field("_as_of", pa.date32(), nullable=False),
)


def output_schema(entry: CatalogEntry, passthrough: Sequence[pa.Field]) -> pa.Schema:
    """The schema of ``standardize_table``'s result: the items' columns, ``passthrough`` (the
    input's other columns, i.e. the provenance), then the reasons, flags and ``_as_of``."""
    fields = [f for item in entry.items for f in item_fields(item)]
    return pa.schema([*fields, *passthrough, *TRAILER_FIELDS])


def passthrough_fields(entry: CatalogEntry, schema: pa.Schema) -> list[pa.Field]:
    """The input columns kept as they are: neither an item nor ``__first_copy``."""
    items = {i.name for i in entry.items}
    return [f for f in schema if f.name not in items and f.name != FIRST_COPY]


# ---- Spark SQL semantics ---------------------------------------------------------------------


def spark_trim(arr: pa.Array) -> pa.Array:
    """Spark's ``trim``: leading and trailing spaces (U+0020) only."""
    return pc.utf8_trim(arr, characters=" ")


def blank_to_null(arr: pa.Array) -> pa.Array:
    """Trimmed (spaces), an empty result null: the job's reading of a text cell."""
    t = spark_trim(arr)
    return pc.if_else(pc.equal(t, ""), _NULL_STR, t)


# Spark's string → long (try_cast): bytes <= 0x20 and 0x7F trimmed, ASCII digits, a sign;
# no fraction, no exponent; out of range → null
_LONG_TRIM = "".join(chr(c) for c in range(0x21)) + "\x7f"
_LONG = r"^[+-]?[0-9]+$"
_LONG_SHORT = r"^[+-]?0*[0-9]{1,18}$"  # certainly in range


def try_cast_long(text: pa.Array) -> pa.Array:
    """Spark's ``try_cast(text as long)``, by Arrow compute (values of 19 or more significant
    digits checked against the range one by one)."""
    text = pc.utf8_trim(text.cast(_STR), characters=_LONG_TRIM)
    ok = pc.match_substring_regex(text, _LONG)
    short = pc.match_substring_regex(text, _LONG_SHORT).fill_null(False)
    out = pc.cast(
        pc.replace_substring_regex(pc.if_else(short, text, _NULL_STR), r"^\+", ""), pa.int64()
    )
    long_ = pc.and_(ok, pc.invert(short)).fill_null(False)
    if pc.any(long_).as_py():
        rest = text.filter(long_)
        out = _scatter(
            long_, pa.array([_long_or_none(v) for v in rest.to_pylist()], pa.int64()), out
        )
    return out


def _scatter(mask: pa.Array, values: pa.Array, out: pa.Array) -> pa.Array:
    """``out`` with the rows of ``mask`` replaced by ``values`` (one per true row, in order)."""
    m = mask.to_numpy(zero_copy_only=False)
    position = np.maximum(np.cumsum(m) - 1, 0)
    return pc.if_else(mask, values.take(pa.array(position)), out)


def _long_or_none(s: str) -> int | None:
    v = int(s)
    return v if -(2**63) <= v < 2**63 else None


# Spark's string → decimal(20,4) (try_cast): Java's String.trim (chars <= U+0020), then Java's
# BigDecimal grammar (sign, digits with a point, exponent; any Unicode decimal digit), rounded
# HALF_UP to 4 places; more than 16 integral digits → null
_DECIMAL_CLEAN = r"^[+-]?[0-9]{1,16}(?:\.[0-9]{1,4})?$"  # Arrow's cast gives the same value
_JAVA_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DEC_CONTEXT = decimal.Context(prec=100, Emax=999_999_999, Emin=-999_999_999)
_DEC_STEP = decimal.Decimal("0.0001")
_DEC_LIMIT = decimal.Decimal(10) ** 16


def java_decimal(s: str | None) -> decimal.Decimal | None:
    """One value as Spark's ``try_cast(s as decimal(20,4))`` reads it."""
    if s is None:
        return None
    s = s.strip("".join(chr(c) for c in range(0x21)))
    if not _JAVA_DECIMAL.fullmatch(s):
        return None
    try:
        d = decimal.Decimal(s, context=_DEC_CONTEXT)
        if d.adjusted() >= 17:
            return None
        q = d.quantize(_DEC_STEP, rounding=decimal.ROUND_HALF_UP, context=_DEC_CONTEXT)
    except (decimal.InvalidOperation, ValueError):
        return None
    return q if abs(q) < _DEC_LIMIT else None


def try_cast_decimal(text: pa.Array) -> pa.Array:
    """Spark's ``try_cast(text as decimal(20,4))``: the plain shapes by Arrow's cast, the others
    (exponents, more than 4 decimals, whitespace, other digits …) one distinct value at a time."""
    text = text.cast(_STR)
    clean = pc.match_substring_regex(text, _DECIMAL_CLEAN).fill_null(False)
    out = pc.cast(pc.if_else(clean, text, _NULL_STR), DECIMAL)
    rest = pc.and_(pc.is_valid(text), pc.invert(clean))
    if pc.any(rest).as_py():
        enc = pc.dictionary_encode(text.filter(rest))
        parsed = pa.array([java_decimal(v) for v in enc.dictionary.to_pylist()], DECIMAL)
        out = _scatter(rest, parsed.take(enc.indices), out)
    return out


# ---- the items -------------------------------------------------------------------------------


class _Item:
    """One item's columns: value, its text form, reasons (string codes or lists, in order),
    warnings, extras."""

    def __init__(self, value, text, reasons=(), warnings=(), extra=None):
        self.value, self.text = value, text
        self.reasons, self.warnings = list(reasons), list(warnings)
        self.extra = extra or {}


def _tag(name: str, reason: pa.Array, cond: pa.Array | None = None) -> pa.Array:
    """``name:reason`` where ``cond`` (Spark's ``when``: null is false), else null."""
    if cond is not None:
        reason = pc.if_else(cond.fill_null(False), reason, _NULL_STR)
    return pc.binary_join_element_wise(f"{name}:", reason.cast(_STR), "")


def _rule_failed(s: pa.StructArray) -> pa.Array:
    """``~valid & reason != 'empty'`` (Kleene logic, as Spark)."""
    return pc.and_kleene(pc.invert(s.field("valid")), pc.not_equal(s.field("reason"), "empty"))


def _declared_person(entry: CatalogEntry, item: str, table: pa.Table) -> pa.Array | None:
    """True / False where the row's own identifier type says the item holds a resident ID /
    an organisation's identifier (first matching mention); null elsewhere."""
    n = table.num_rows
    declared = None
    decided = pa.array(np.zeros(n, bool))
    for when, kind in entry.declared_kinds(item):
        cond = pa.array(np.ones(n, bool))
        for col, value in when.items():
            column = as_string_array(table.column(col)).cast(_STR)
            cond = pc.and_kleene(cond, pc.equal(column, pa.scalar(value, _STR)))
        hit = pc.and_(cond.fill_null(False), pc.invert(decided))
        person = pa.scalar(kind is EntityKind.person)
        base = declared if declared is not None else pa.nulls(n, pa.bool_())
        declared = pc.if_else(hit, person, base)
        decided = pc.or_(decided, hit)
    return declared


def _identifier(item: DataItem, raw: pa.Array, as_of: dt.date, declared) -> _Item:
    name, rule, n = item.name, item.standardize_rule, len(raw)
    rid = check_resident_ids(raw, as_of).to_arrow() if rule is not StandardizeRule.uscc else None
    usc = check_usccs(raw).to_arrow() if rule is not StandardizeRule.resident_id else None
    if rule is StandardizeRule.resident_id:
        use_rid = pa.array(np.ones(n, bool))
    elif rule is StandardizeRule.uscc:
        use_rid = pa.array(np.zeros(n, bool))
    else:  # party_id: whichever rule accepts the value; neither: judged by its shape
        shape = pc.match_substring_regex(rid.field("normalized"), _RID_SHAPE)
        use_rid = pc.or_kleene(
            rid.field("valid"), pc.and_kleene(pc.invert(usc.field("valid")), shape)
        )
        if declared is not None:
            use_rid = pc.coalesce(declared, use_rid)
    use_rid = use_rid.fill_null(False)

    def pick(field: str) -> pa.Array:
        if rid is None:
            return usc.field(field)
        if usc is None:
            return rid.field(field)
        return pc.if_else(use_rid, rid.field(field), usc.field(field))

    def tagged(field: str, drop: str | None) -> pa.Array:
        return tag_code_lists(pick(field), f"{name}:", drop=drop)

    normalized = pick("normalized").cast(_STR)
    if rid is None:
        kind = usc.field("kind").cast(_STR)
    elif usc is None:
        kind = pa.array(np.full(n, "resident_id", object), _STR)
    else:
        kind = pc.if_else(use_rid, pa.scalar("resident_id"), usc.field("kind").cast(_STR))
    extra = {
        f"{name}_valid": pick("valid"),
        f"{name}_repairs": _empty_for_null(pick("repairs")),
        f"{name}_kind": kind,
    }
    if rule is not StandardizeRule.uscc:
        extra[f"{name}_birth_date"] = pc.if_else(
            use_rid, rid.field("birth_date"), pa.scalar(None, pa.date32())
        )
        extra[f"{name}_sex"] = pc.if_else(use_rid, rid.field("sex").cast(_STR), _NULL_STR)
    return _Item(
        normalized,
        normalized,
        [tagged("reasons", "empty")],
        [tagged("warnings", None)],
        extra,
    )


def _empty_for_null(lists: pa.Array) -> pa.Array:
    """A list column with null lists as empty lists (``coalesce(x, array())``)."""
    lists = lists.cast(_LIST)
    if lists.null_count == 0:
        return lists
    filled = pc.if_else(pc.is_null(lists), pa.scalar([], _LIST), lists)
    return filled.cast(_LIST)


def _item(item: DataItem, table: pa.Table, as_of: dt.date, entry: CatalogEntry) -> _Item:
    name, rule = item.name, item.standardize_rule
    raw = as_string_array(table.column(name)).cast(_STR)
    if rule in IDENTIFIER_RULES:
        declared = (
            _declared_person(entry, name, table) if rule is StandardizeRule.party_id else None
        )
        return _identifier(item, raw, as_of, declared)
    if rule is StandardizeRule.person_name:
        s = standardize_names(raw)
        cond = pc.and_kleene(pc.is_valid(raw), _rule_failed(s))
        norm = s.field("normalized").cast(_STR)
        return _Item(norm, norm, [_tag(name, s.field("reason"), cond)])
    if rule is StandardizeRule.phone:
        s = standardize_phones(raw)
        norm = s.field("normalized").cast(_STR)
        return _Item(
            norm,
            norm,
            [_tag(name, s.field("reason"), _rule_failed(s))],
            extra={f"{name}_kind": s.field("kind").cast(_STR)},
        )
    if rule is StandardizeRule.sex:
        s = standardize_sexes(raw)
        code = s.field("code").cast(_STR)
        return _Item(code, code, [_tag(name, s.field("reason"), _rule_failed(s))])
    if rule is StandardizeRule.date:
        s = standardize_dates(raw)
        iso = s.field("iso").cast(_STR)
        return _Item(iso.cast(pa.date32()), iso, [_tag(name, s.field("reason"), _rule_failed(s))])
    if rule is StandardizeRule.division:
        s = lookup_division_codes(blank_to_null(raw))
        code = s.field("code").cast(_STR)
        abolished = pc.equal(s.field("status"), "abolished")
        warning = pc.if_else(abolished.fill_null(False), f"{name}:abolished_division", _NULL_STR)
        return _Item(
            code,
            code,
            [_tag(name, s.field("reason"), _rule_failed(s))],
            [warning],
            extra={f"{name}_name": s.field("full_name").cast(_STR)},
        )
    if rule is StandardizeRule.address:
        value = pc.replace_substring_regex(blank_to_null(raw), _JAVA_SPACES, "")
        division = address_division_codes(value).cast(_STR)
        return _Item(value, value, extra={f"{name}_division": division})
    if rule in (StandardizeRule.integer, StandardizeRule.decimal):
        text = blank_to_null(raw)
        integer = rule is StandardizeRule.integer
        value = try_cast_long(text) if integer else try_cast_decimal(text)
        bad = pc.and_(pc.is_valid(text), pc.is_null(value))
        reason = pc.if_else(bad, f"not_{rule.value}", _NULL_STR)
        return _Item(value, text, [_tag(name, reason)])
    value = blank_to_null(raw)
    return _Item(value, value)


def concat_code_lists(parts: Sequence[pa.Array], n: int) -> pa.ListArray:
    """Per row, the codes of ``parts`` in order: each part a ``list<string>`` column (a null
    list adds nothing) or a ``string`` column (one code, or none where null)."""
    values, parents = [], []
    for p in parts:
        if isinstance(p, pa.ChunkedArray):
            p = p.combine_chunks()
        if pa.types.is_list(p.type) or pa.types.is_large_list(p.type):
            values.append(pc.list_flatten(p).cast(_STR))
            parents.append(pc.list_parent_indices(p).to_numpy(zero_copy_only=False))
        else:
            valid = pc.is_valid(p)
            values.append(p.filter(valid).cast(_STR))
            parents.append(np.flatnonzero(valid.to_numpy(zero_copy_only=False)))
    parent = np.concatenate(parents).astype(np.int64) if parents else np.zeros(0, np.int64)
    flat = pa.concat_arrays(values) if values else pa.array([], _STR)
    order = np.argsort(parent, kind="stable")
    counts = np.bincount(parent, minlength=n) if len(parent) else np.zeros(n, np.int64)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), flat.take(pa.array(order)))


def standardize_table(table: pa.Table, entry: CatalogEntry, as_of: dt.date) -> pa.Table:
    """The raw rows of a batch → standardized, typed rows with reasons (see the module)."""
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    table = table.combine_chunks()
    n = table.num_rows
    columns: list[pa.Array] = []
    reasons: list[pa.Array] = []
    warnings: list[pa.Array] = []
    for item in entry.items:
        ic = _item(item, table, as_of, entry)
        raw = as_string_array(table.column(item.name)).cast(_STR)
        differs = pc.and_(
            pc.is_valid(raw), pc.or_kleene(pc.is_null(ic.text), pc.not_equal(ic.text, raw))
        )
        columns += [ic.value, pc.if_else(differs.fill_null(False), raw, _NULL_STR)]
        columns += list(ic.extra.values())
        if item.required:
            blank = pc.or_(pc.is_null(raw), pc.equal(spark_trim(raw), "")).fill_null(True)
            reasons.append(pc.if_else(blank, f"{item.name}:missing", _NULL_STR))
        reasons += ic.reasons
        warnings += ic.warnings
    passthrough = passthrough_fields(entry, table.schema)
    columns += [table.column(f.name) for f in passthrough]
    reason_lists = concat_code_lists(reasons, n)
    if FIRST_COPY in table.column_names:
        first = table.column(FIRST_COPY).combine_chunks().cast(pa.int64())
        rows = table.column("_row_number").combine_chunks().cast(pa.int64())
        duplicate_of = pc.if_else(
            pc.not_equal(first, rows).fill_null(False), first, pa.scalar(None, pa.int64())
        )
    else:
        duplicate_of = pa.nulls(n, pa.int64())
    columns += [
        reason_lists,
        concat_code_lists(warnings, n),
        duplicate_of,
        pc.equal(pc.list_value_length(reason_lists), 0),
        pa.array(np.full(n, as_of, dtype="datetime64[D]"), pa.date32()),
    ]
    schema = output_schema(entry, passthrough)
    arrays = [
        (c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c).cast(f.type)
        for c, f in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)
