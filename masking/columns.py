"""Vectorized column masks on Arrow arrays (GX-Reg art. 25; SX-Reg art. 15; PIPL art. 73).

Structured columns are masked as whole columns with Arrow compute kernels (C++), never value
by value through Presidio; Presidio is for free text only (``masking.analyzer``). Each display
mask here gives the same output as the scalar reference in ``masking.formats`` (tested on
samples); the formats are:

=================  ==========================================  =========================
mask               rule                                        example
=================  ==========================================  =========================
resident ID        first 1 + last 1                            ``4****************X``
mobile             first 3 + last 4                            ``138****5678``
bank card          last 4                                      ``************1234``
person name        surname + ``*`` per given-name character;   ``黄**``, ``欧阳*``
                   compound surnames (复姓) kept whole
address            cut after the county (区县) level               ``广西壮族自治区柳州市柳江区``
=================  ==========================================  =========================

Keyed pseudonyms are HMAC-SHA256 with a secret key per purpose (``masking.keys``): equal
within one purpose, unrelated across purposes; never an unsalted hash. Generalizations: birth
date → year, 5-year band or age band; address → county; division code → city or province.
Nulls stay null everywhere.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.text.layout import compact_array
from jutong.text.phones import MOBILE_PATTERN

STAR = "*"
PERSON_ID_TYPES = ("居民身份证", "身份证", "resident_id", "1")


# ---- helpers --------------------------------------------------------------------------
def as_array(values: object) -> pa.Array:
    """A single Arrow array from an Array, ChunkedArray, list or NumPy array."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if isinstance(values, pa.Array):
        return values
    return pa.array(values)


def as_strings(values: object) -> pa.Array:
    arr = as_array(values)
    if pa.types.is_large_string(arr.type) or pa.types.is_string(arr.type):
        return arr.cast(pa.string())
    if pa.types.is_dictionary(arr.type):
        return arr.cast(pa.string())
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    return pc.cast(arr, pa.string())


def _stars(n: pa.Array) -> pa.Array:
    """A string of ``n`` stars per row (n >= 0)."""
    n = pc.max_element_wise(n, pa.scalar(0, n.type), skip_nulls=False)
    return pc.binary_repeat(pa.scalar(STAR), n)


def _join(*parts: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def keep_ends(values: object, head: int, tail: int) -> pa.Array:
    """Keep the first ``head`` and last ``tail`` characters, a star for each one between.

    A value no longer than ``head + tail`` becomes all stars (nothing of it is shown)."""
    arr = as_strings(values)
    n = pc.utf8_length(arr)
    first = pc.utf8_slice_codeunits(arr, 0, head)
    last = pc.utf8_slice_codeunits(arr, -tail) if tail else pc.utf8_slice_codeunits(arr, 0, 0)
    middle = _stars(pc.subtract(n, head + tail))
    shown = _join(first, middle, last)
    return pc.if_else(pc.greater(n, head + tail), shown, _stars(n))


def _fixed(arr: pa.Array, text: str) -> pa.Array:
    return pc.if_else(pc.is_valid(arr), pa.scalar(text), pa.scalar(None, pa.string()))


# ---- display masks (same output as masking.formats) ---------------------------------------
def mask_resident_id(values: object) -> pa.Array:
    """Resident ID (GB 11643-1999): first 1 + last 1 character (``4****************X``)."""
    return keep_ends(pc.utf8_upper(compact_array(as_strings(values))), 1, 1)


def mask_mobile(values: object) -> pa.Array:
    """Mobile number: first 3 + last 4 digits (``138****5678``; ``+86 `` kept); a landline in
    a phone column (starting with ``0``, not ``00``) gets the landline mask."""
    from masking.formats import LANDLINE_START

    raw = as_strings(values)
    v = compact_array(raw)
    landline = pc.match_substring_regex(v, LANDLINE_START)
    v = pc.replace_substring_regex(v, r"^\+", "")
    parts = pc.extract_regex(v, rf"^(?:86|0086)(?P<n>{MOBILE_PATTERN})$")
    number = pc.struct_field(parts, "n")
    intl = pc.is_valid(number)
    national = pc.if_else(intl, number, v)
    n = pc.utf8_length(national)
    shown = keep_ends(national, 3, 4)
    shown = pc.if_else(pc.less(n, 8), _stars(n), shown)
    shown = pc.if_else(intl, _join(pa.scalar("+86 "), shown), shown)
    return pc.if_else(pc.fill_null(landline, False), mask_landline(raw), shown)


def mask_landline(values: object) -> pa.Array:
    """Landline: area code + ``-`` + stars + last 2 digits (``0771-*****34``)."""
    v = pc.replace_substring_regex(compact_array(as_strings(values)), r"[^0-9]", "")
    n = pc.utf8_length(v)
    cut = pc.if_else(  # jutong.text.phones.area_code_length
        pc.match_substring_regex(v, r"^.[12]"), pa.scalar(3, n.type), pa.scalar(4, n.type)
    )
    area3 = pc.utf8_slice_codeunits(v, 0, 3)
    area4 = pc.utf8_slice_codeunits(v, 0, 4)
    area = pc.if_else(pc.equal(cut, 3), area3, area4)
    local_len = pc.subtract(n, cut)
    shown = _join(
        area, pa.scalar("-"), _stars(pc.subtract(local_len, 2)), pc.utf8_slice_codeunits(v, -2)
    )
    ok = pc.and_(pc.greater_equal(n, 9), pc.starts_with(v, "0"))
    return pc.if_else(ok, shown, _stars(n))


def mask_bank_card(values: object) -> pa.Array:
    """Bank card number: last 4 digits (``***************1234``)."""
    return keep_ends(compact_array(as_strings(values)), 0, 4)


def mask_uscc(values: object) -> pa.Array:
    """Credit code (GB 32100-2015), where it must be masked: first 2 + last 1."""
    return keep_ends(pc.utf8_upper(compact_array(as_strings(values))), 2, 1)


#: Registration authority 9 (market regulation), category 2: an individual business
#: (个体工商户, GB 32100-2015): its credit code identifies a natural person.
INDIVIDUAL_BUSINESS_PREFIX = "92"


def is_individual_business(values: object) -> pa.Array:
    """Boolean per row: a credit code of an individual business (``92…``, 18 characters;
    layout and case ignored); null stays null."""
    v = pc.utf8_upper(compact_array(as_strings(values)))
    return pc.and_(pc.starts_with(v, INDIVIDUAL_BUSINESS_PREFIX), pc.equal(pc.utf8_length(v), 18))


def mask_individual_business(values: object) -> pa.Array:
    """Credit codes of individual businesses masked (first 2 + last 1), other codes kept."""
    arr = as_strings(values)
    return pc.if_else(pc.fill_null(is_individual_business(arr), False), mask_uscc(arr), arr)


def mask_email(values: object) -> pa.Array:
    """E-mail: first character of the local part + ``***``, the domain kept."""
    arr = pc.utf8_trim_whitespace(as_strings(values))
    parts = pc.extract_regex(arr, r"^(?P<local>.+)@(?P<domain>[^@]*)$")
    local = pc.struct_field(parts, "local")
    masked = _join(
        pc.utf8_slice_codeunits(local, 0, 1), pa.scalar("***@"), pc.struct_field(parts, "domain")
    )
    return pc.if_else(pc.is_valid(parts), masked, _stars(pc.utf8_length(arr)))


def mask_passport(values: object) -> pa.Array:
    """Passport number: first 1 + last 2."""
    return keep_ends(pc.utf8_upper(compact_array(as_strings(values))), 1, 2)


def mask_plate(values: object) -> pa.Array:
    """Vehicle plate: first 2 + last 1 (``桂A***5``)."""
    v = pc.replace_substring_regex(compact_array(as_strings(values)), r"[·•・.\- ]", "")
    return keep_ends(v, 2, 1)


@cache
def compound_surnames() -> tuple[str, ...]:
    from masking.recognizers.person_name import COMPOUNDS

    return tuple(COMPOUNDS)


def mask_name(values: object) -> pa.Array:
    """Person name: surname kept, a star per other character (``黄**``); compound surnames
    (欧阳, 司马, …) whole; one character → ``*``; a minority name with ``·`` → first + ``*``."""
    arr = pc.replace_substring_regex(as_strings(values), r"\s+", "")
    n = pc.utf8_length(arr)
    first2 = pc.utf8_slice_codeunits(arr, 0, 2)
    compound = pc.and_(pc.is_in(first2, value_set=pa.array(compound_surnames())), pc.greater(n, 2))
    surname = pc.if_else(compound, first2, pc.utf8_slice_codeunits(arr, 0, 1))
    keep = pc.if_else(compound, pa.scalar(2, n.type), pa.scalar(1, n.type))
    out = _join(surname, _stars(pc.subtract(n, keep)))
    out = pc.if_else(pc.equal(n, 1), _fixed(arr, "*"), out)
    dotted = pc.match_substring_regex(arr, "[·•・.．]")
    out = pc.if_else(dotted, _join(pc.utf8_slice_codeunits(arr, 0, 1), pa.scalar("*")), out)
    return pc.if_else(pc.equal(n, 0), arr, out)


@cache
def division_alternations() -> dict[str, str]:
    """RE2 alternations of the division names of ``recognizers.address.division_levels``
    per level, in its order (longest first; RE2 keeps the first alternative that matches)."""
    from masking.recognizers.address import division_levels, division_names

    levels = division_levels()
    return {
        level: "|".join(re.escape(x) for x in division_names() if levels[x] == level)
        for level in ("province", "city", "county")
    }


def division_prefix_pattern(level: str) -> str:
    """RE2 pattern capturing ``head``: the address's leading division names down to ``level``
    (province and city optional before a county; province optional before a city)."""
    alt = division_alternations()
    p, c, x = alt["province"], alt["city"], alt["county"]
    body = {
        "county": rf"(?:{p})?(?:{c})?(?:{x})",
        "city": rf"(?:{p})?(?:{c})",
        "province": rf"(?:{p})",
    }[level]
    return rf"^(?P<head>{body})"


@cache
def _division_names_by_length() -> dict[str, list[tuple[int, pa.Array]]]:
    """Per level: (length, names of that length), longest first."""
    from masking.recognizers.address import division_levels

    out: dict[str, dict[int, list[str]]] = {"province": {}, "city": {}, "county": {}}
    for name, level in division_levels().items():
        out[level].setdefault(len(name), []).append(name)
    return {
        level: [(n, pa.array(sorted(names))) for n, names in sorted(by_len.items(), reverse=True)]
        for level, by_len in out.items()
    }


def _take_level(arr: pa.Array, pos: np.ndarray, level: str) -> np.ndarray:
    """Length of the longest ``level`` division name starting at ``pos`` (0 if none)."""
    got = np.zeros(len(arr), dtype=np.int64)
    for start in np.unique(pos):
        rows = np.flatnonzero(pos == start)
        sub = arr if len(rows) == len(arr) else arr.take(pa.array(rows))
        sub = pc.utf8_slice_codeunits(sub, int(start), int(start) + 16) if start else sub
        mine = np.zeros(len(rows), dtype=np.int64)
        for n, names in _division_names_by_length()[level]:
            hit = pc.fill_null(
                pc.is_in(pc.utf8_slice_codeunits(sub, 0, n), value_set=names), False
            ).to_numpy(zero_copy_only=False)
            mine[(mine == 0) & hit] = n
        got[rows] = mine
    return got


def mask_address(values: object) -> pa.Array:
    """Address cut after its county (区/县/县级市): ``广西壮族自治区柳州市柳江区``; ``***``
    when no division is recognised.

    The usual address (province? city? county, known names, longest name first at each level:
    what ``masking.formats`` finds) is cut by set look-ups on prefixes of each name length; the
    rare others (an unlisted county after a known city, …) go through
    ``masking.formats.mask_address`` itself."""
    from masking.formats import mask_address as scalar

    arr = pc.utf8_trim_whitespace(as_strings(values))
    pos = np.zeros(len(arr), dtype=np.int64)
    for level in ("province", "city"):
        pos += _take_level(arr, pos, level)
    county = _take_level(arr, pos, "county")
    end = pos + county
    found = (county > 0) & pc.is_valid(arr).to_numpy(zero_copy_only=False)
    head = pa.nulls(len(arr), pa.string())
    if found.any():
        rows = np.flatnonzero(found)
        sub = arr.take(pa.array(rows))
        ends = end[rows]
        pieces = []
        for e in np.unique(ends):
            idx = np.flatnonzero(ends == e)
            pieces.append((idx, pc.utf8_slice_codeunits(sub.take(pa.array(idx)), 0, int(e))))
        order = np.concatenate([i for i, _ in pieces])
        cut = pa.concat_arrays([p for _, p in pieces]).take(pa.array(np.argsort(order)))
        mask = found.copy()
        head = pc.replace_with_mask(head, pa.array(mask), cut)
    rest = np.flatnonzero(~found & pc.is_valid(arr).to_numpy(zero_copy_only=False))
    if not len(rest):
        return head
    fixed = pa.array([scalar(v) for v in arr.take(pa.array(rest)).to_pylist()], pa.string())
    mask = np.zeros(len(arr), dtype=bool)
    mask[rest] = True
    return pc.replace_with_mask(head, pa.array(mask), fixed)


address_to_county = mask_address


# ---- keyed pseudonyms ----------------------------------------------------------------------
def pseudonymize(values: object, key: bytes, *, length: int = 20, prefix: str = "") -> pa.Array:
    """Keyed pseudonym: the first ``length`` hex digits of HMAC-SHA256(key, value).

    The same value gives the same token under the same key (one purpose) and an unrelated
    token under another key. Values are trimmed first (and IDs upper-cased by the caller if
    wanted). HMAC runs once per distinct value; nulls stay null."""
    if not isinstance(key, bytes | bytearray) or len(key) < 16:
        raise ValueError("pseudonymize needs a secret key of at least 16 bytes (masking.keys)")
    if not 8 <= length <= 64:
        raise ValueError("pseudonym length must be between 8 and 64 hex digits")
    arr = pc.utf8_trim_whitespace(as_strings(values))
    encoded = pc.dictionary_encode(arr)
    digest = hmac.digest
    tokens = [
        prefix + digest(key, v.encode("utf-8"), "sha256").hex()[:length]
        for v in encoded.dictionary.to_pylist()
    ]
    return pa.array(tokens, pa.string()).take(encoded.indices)


# ---- generalization --------------------------------------------------------------------------
def as_dates(values: object) -> pa.Array:
    """A date32 array from dates, timestamps or strings: ``YYYY-MM-DD`` (a time after it is
    ignored), ``YYYYMMDD``, ``YYYY/M/D``, ``YYYY.M.D``, ``YYYY年M月D日``; null otherwise."""
    arr = as_array(values)
    if pa.types.is_date32(arr.type):
        return arr
    if pa.types.is_date64(arr.type) or pa.types.is_timestamp(arr.type):
        return pc.cast(arr, pa.date32())
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        s = pc.utf8_trim_whitespace(arr.cast(pa.string()))
        s = pc.replace_substring_regex(s, r"^([0-9]{4})([0-9]{2})([0-9]{2})$", r"\1-\2-\3")
        s = pc.replace_substring_regex(
            s,
            r"^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})(?:日|[ T].*)?$",
            r"\1-\2-\3",
        )
        ok = pc.match_substring_regex(s, r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$")
        s = pc.if_else(ok, s, pa.scalar(None, pa.string()))
        return pc.cast(pc.strptime(s, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())
    raise TypeError(f"cannot read dates from a column of type {arr.type}")


def birth_year(values: object) -> pa.Array:
    """Birth date → year (int)."""
    return pc.cast(pc.year(as_dates(values)), pa.int32())


def _band_labels(lo: pa.Array, width: int) -> pa.Array:
    lo_s = pc.cast(lo, pa.string())
    hi_s = pc.cast(pc.add(lo, width - 1), pa.string())
    return _join(lo_s, pa.scalar("-"), hi_s)


def birth_5y_band(values: object, width: int = 5) -> pa.Array:
    """Birth date → birth-year band (``1985-1989``)."""
    y = pc.cast(pc.year(as_dates(values)), pa.int64())
    lo = pc.multiply(pc.floor(pc.divide(pc.cast(y, pa.float64()), width)).cast(pa.int64()), width)
    return _band_labels(lo, width)


def ages(values: object, as_of: dt.date) -> pa.Array:
    """Completed years of age on ``as_of`` (int32; null when the date is null or later)."""
    d = as_dates(values)
    y = pc.year(d).to_numpy(zero_copy_only=False)
    m = pc.month(d).to_numpy(zero_copy_only=False)
    dd = pc.day(d).to_numpy(zero_copy_only=False)
    valid = pc.is_valid(d).to_numpy(zero_copy_only=False)
    y = np.where(valid, y, 0).astype(np.int64)
    m = np.where(valid, m, 1).astype(np.int64)
    dd = np.where(valid, dd, 1).astype(np.int64)
    before = (m > as_of.month) | ((m == as_of.month) & (dd > as_of.day))
    age = as_of.year - y - before.astype(np.int64)
    ok = valid & (age >= 0)
    return pa.array(age.astype(np.int32), pa.int32(), mask=~ok)


def age_band(values: object, as_of: dt.date, *, width: int = 5, top: int = 85) -> pa.Array:
    """Birth date → age band on ``as_of``: ``0-4``, ``5-9``, …, ``85+``."""
    a = ages(values, as_of).cast(pa.int64())
    lo = pc.multiply(pc.divide(a, width), width)
    labels = _band_labels(lo, width)
    return pc.if_else(pc.greater_equal(a, top), pa.scalar(f"{top}+"), labels)


def division_level(values: object, level: str) -> pa.Array:
    """A 6-digit division code generalized to its ``county`` (as is), ``city`` or ``province``."""
    arr = as_strings(values)
    if level == "county":
        return arr
    keep = {"city": 4, "province": 2}[level]
    return _join(pc.utf8_slice_codeunits(arr, 0, keep), pa.scalar("0" * (6 - keep)))


def suppress(values: object) -> pa.Array:
    """Every value removed (a null column of the same type)."""
    arr = as_array(values)
    return pa.nulls(len(arr), arr.type)


# ---- mixed holder columns (persons and organisations) ---------------------------------------
def person_rows(ids: object, id_types: object | None = None) -> pa.Array:
    """Boolean per row: does the holder look like a natural person?

    By the type column (居民身份证 = person, 统一社会信用代码 = organisation) where it is set,
    otherwise by the value: an 18-character resident-ID shape (17 digits + digit/X) or 15
    digits; a credit code of an individual business (``92…``) is a person's too. Unknown is
    treated as a person (fail closed)."""
    arr = compact_array(as_strings(ids))
    individual = pc.fill_null(is_individual_business(arr), False)
    shape = pc.match_substring_regex(pc.utf8_upper(arr), r"^(?:[0-9]{17}[0-9X]|[0-9]{15})$")
    if id_types is None:
        is_org = pc.match_substring_regex(
            pc.utf8_upper(arr), r"^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$"
        )
        person = pc.fill_null(pc.or_kleene(shape, pc.invert(is_org)), True)
        return pc.or_(person, individual)
    t = pc.utf8_trim_whitespace(as_strings(id_types))
    person = pc.is_in(t, value_set=pa.array(PERSON_ID_TYPES))
    org = pc.is_in(t, value_set=pa.array(("统一社会信用代码", "营业执照", "组织机构代码", "uscc")))
    by_type = pc.if_else(person, True, pc.if_else(org, False, pa.scalar(None, pa.bool_())))
    return pc.or_(pc.fill_null(pc.coalesce(by_type, shape), True), individual)


def where_person(mask: pa.Array, masked: pa.Array, original: object) -> pa.Array:
    """Per row: the masked value for persons, the original for organisations."""
    orig = as_array(original)
    if masked.type != orig.type:
        orig = pc.cast(orig, masked.type)
    return pc.if_else(mask, masked, orig)
