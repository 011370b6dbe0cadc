"""Resident ID numbers (公民身份号码), GB 11643-1999.

Structure (GB 11643-1999 §4): 6-digit address code (the GB/T 2260 division where the person
was first registered) + 8-digit birth date ``YYYYMMDD`` + 3-digit sequence (odd = male) +
check character, ISO 7064 MOD 11-2 over the first 17 digits (``checkdigits.resident_id_check``).
Legacy 15-digit numbers (``yymmdd`` birth, no check character) are upgraded by inserting ``19``
and computing the check character.

Decisions for this platform (docs/rules.md § Identifiers):

- The address code is the one in force at registration, so a county code that is unknown to
  today's division list, or abolished, is a **warning**; only the 2-digit province code is a
  hard check. (python-stdnum's ``cn.ric.is_valid`` rejects such IDs: that is why this rule
  exists rather than a call to it.)
- The birth date must be a real Gregorian date, not after ``as_of`` (passed in by the caller,
  never read from the clock here) and not before 1880-01-01.
- Every rejection carries a reason code, every repair a repair code (codes below, stable).

Two forms of one rule:

- ``check_resident_id(value, as_of)``: one value, plain Python, the readable reference;
- ``check_resident_ids(values, as_of)``: a whole column. Rows of 18 bytes are checked on a
  uint8 matrix viewed from the Arrow buffer (copied in runs around other rows), in cache-sized
  blocks; the other rows (and 18-byte rows that are not 17 digits and a digit or ``X``) are
  cleaned together by ``normalize_resident_ids``, the column form of ``normalize_resident_id``
  (NumPy over their characters, ``_clean``), and their 18-character results checked on the
  matrix as well. No Python code runs per row. Only the validity and the bit masks are
  computed eagerly; the normalized column and the fields derived from it on first use.

The property tests assert that both forms give the same answer for every input.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.identifiers import _clean as K
from jutong.identifiers import _columns as C
from jutong.identifiers.checkdigits import RID_CHECK_CHARS, RID_WEIGHTS, resident_id_check
from jutong.reference import load_divisions, province_codes
from jutong.text.cells import (
    as_text,
    clean_code,
    is_placeholder_text,
    strip_all,
)
from jutong.text.width import to_halfwidth

# ---- codes (stable: stored in quality reports and tickets) -------------------------------
REASONS = (
    "empty",  # no value (null, blank)
    "placeholder",  # a "no value" marker: 无, /, NULL, all one digit, 123456789012345678 ...
    "bad_chars",  # characters other than digits and a final X
    "bad_length",  # not 18 characters (nor 15 digits, which are upgraded)
    "bad_province",  # first two digits are not a GB/T 2260 province code
    "bad_birth_date",  # digits 7-14 are not a real calendar date
    "future_birth_date",  # birth date after the as_of date
    "birth_before_1880",  # birth date before 1880-01-01
    "bad_check",  # check character differs from ISO 7064 MOD 11-2
)
WARNINGS = (
    "unknown_county",  # address code not in the division list (the ID stays valid)
    "abolished_county",  # address code abolished since (legitimate: code at registration)
)
REPAIRS = (
    "fullwidth",  # full-width digits/letters/spaces converted
    "whitespace",  # spaces (incl. U+3000) removed
    "punctuation",  # hyphens, dashes, quotes removed
    "lower_x",  # check character x -> X
    "upgraded_15",  # 15-digit legacy number upgraded to 18 (GB 11643-1999 §5)
)

(
    R_EMPTY,
    R_PLACEHOLDER,
    R_BAD_CHARS,
    R_BAD_LENGTH,
    R_BAD_PROVINCE,
    R_BAD_BIRTH_DATE,
    R_FUTURE_BIRTH_DATE,
    R_BIRTH_BEFORE_1880,
    R_BAD_CHECK,
) = (1 << i for i in range(len(REASONS)))
W_UNKNOWN_COUNTY, W_ABOLISHED_COUNTY = (1 << i for i in range(len(WARNINGS)))
F_FULLWIDTH, F_WHITESPACE, F_PUNCTUATION, F_LOWER_X, F_UPGRADED_15 = (
    1 << i for i in range(len(REPAIRS))
)

# Birth dates before this are taken as typing errors (oldest registered persons were born later).
EARLIEST_BIRTH = 18800101
# Well-known dummy numbers typed where the real one was not at hand.
PLACEHOLDER_NUMBERS = frozenset(
    {
        "123456789012345678",
        "012345678901234567",
        "123456789123456789",
        "987654321098765432",
        "123456789012345",
        "12345678901234567X",
    }
)
ID_CHARS = frozenset("0123456789X")


# ---- scalar form (the readable reference) -----------------------------------------------


@dataclass(frozen=True)
class ResidentIdResult:
    """Outcome of the rule for one value."""

    normalized: str | None
    valid: bool
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    repairs: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    sex: str | None = None  # GB/T 2261.1 code: "1" male, "2" female
    province: str | None = None  # GB/T 2260 province code, e.g. "450000"


def as_of_number(as_of: dt.date | str) -> int:
    """``as_of`` as the integer YYYYMMDD (accepts a date, datetime or ISO string)."""
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of.strip()[:10])
    if not isinstance(as_of, dt.date):
        raise TypeError(f"as_of must be a date or an ISO date string, got {as_of!r}")
    return as_of.year * 10000 + as_of.month * 100 + as_of.day


def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    """Days of a month in the proleptic Gregorian calendar (any year, including 0)."""
    if month == 2:
        return 29 if is_leap_year(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def is_placeholder_code(code: str) -> bool:
    """A cleaned code made of one repeated character, or a well-known dummy number."""
    return (code[:1] * len(code) == code) or code in PLACEHOLDER_NUMBERS


_SIMPLE_ID = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")


def normalize_resident_id(value: object) -> tuple[str | None, int, int]:
    """Clean one value: ``(normalized, repair bits, terminal reason bits)``.

    A non-zero reason means the value was rejected before the structural checks (empty,
    placeholder, characters or length); otherwise ``normalized`` is 18 characters, 17 digits
    and a digit or ``X``."""
    text = value if type(value) is str else as_text(value)
    if text is None:
        return None, 0, R_EMPTY
    repairs = 0
    if _SIMPLE_ID.fullmatch(text):
        code = text
    else:
        half = to_halfwidth(text)
        trimmed = strip_all(half)
        if not trimmed:
            return None, 0, R_EMPTY
        if is_placeholder_text(trimmed):
            return None, 0, R_PLACEHOLDER
        code, repairs = clean_code(half, F_FULLWIDTH, F_WHITESPACE, F_PUNCTUATION)
        if half != text:
            repairs |= F_FULLWIDTH
        if "x" in code:
            code = code.replace("x", "X")
            repairs |= F_LOWER_X
    if is_placeholder_code(code):
        return None, repairs, R_PLACEHOLDER
    if len(code) == 15 and code.isascii() and code.isdigit():
        code = upgrade_15(code)
        repairs |= F_UPGRADED_15
    if not ID_CHARS.issuperset(code):
        return code, repairs, R_BAD_CHARS
    if len(code) != 18:
        return code, repairs, R_BAD_LENGTH
    if "X" in code[:17]:
        return code, repairs, R_BAD_CHARS
    return code, repairs, 0


def upgrade_15(legacy15: str) -> str:
    """GB 11643-1999 §5: insert the century 19 and append the MOD 11-2 check character."""
    body = legacy15[:6] + "19" + legacy15[6:]
    return body + resident_id_check(body)


def structural_checks(code: str, as_of: int) -> tuple[int, int]:
    """Reasons and warnings of an 18-character ID of digits and a final digit or X."""
    if is_placeholder_code(code):
        return R_PLACEHOLDER, 0
    reasons = warnings = 0
    if code[:2] not in province_codes():
        reasons |= R_BAD_PROVINCE
    else:
        division = load_divisions().get(code[:6])
        if division is None:
            warnings |= W_UNKNOWN_COUNTY
        elif division.status == "abolished":
            warnings |= W_ABOLISHED_COUNTY
    year, month, day = int(code[6:10]), int(code[10:12]), int(code[12:14])
    ymd = int(code[6:14])
    if not (1 <= month <= 12 and 1 <= day <= days_in_month(year, month)):
        reasons |= R_BAD_BIRTH_DATE
    elif ymd < EARLIEST_BIRTH:
        reasons |= R_BIRTH_BEFORE_1880
    elif ymd > as_of:
        reasons |= R_FUTURE_BIRTH_DATE
    if resident_id_check(code[:17]) != code[17]:
        reasons |= R_BAD_CHECK
    return reasons, warnings


def outcome_bits(value: object, as_of: int) -> tuple[str | None, int, int, int]:
    """The rule for one value as ``(normalized, repair bits, reason bits, warning bits)``."""
    code, repairs, reasons = normalize_resident_id(value)
    warnings = 0
    if not reasons:
        reasons, warnings = structural_checks(code, as_of)
    if reasons & R_PLACEHOLDER:
        code = None
    return code, repairs, reasons, warnings


def check_resident_id(value: object, as_of: dt.date | str) -> ResidentIdResult:
    """Normalize and validate one resident ID number (GB 11643-1999)."""
    code, repairs, reasons, warnings = outcome_bits(value, as_of_number(as_of))
    valid = reasons == 0
    return ResidentIdResult(
        normalized=code,
        valid=valid,
        reasons=C.codes_of(REASONS, reasons),
        warnings=C.codes_of(WARNINGS, warnings),
        repairs=C.codes_of(REPAIRS, repairs),
        birth_date=dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14])) if valid else None,
        sex=("1" if int(code[16]) % 2 else "2") if valid else None,
        province=code[:2] + "0000" if valid else None,
    )


def is_valid_resident_id(value: object, as_of: dt.date | str) -> bool:
    return check_resident_id(value, as_of).valid


# ---- vectorized form --------------------------------------------------------------------

_WEIGHTS = np.array(RID_WEIGHTS, np.uint16)
_CHECK_BYTES = np.frombuffer(RID_CHECK_CHARS.encode("ascii"), np.uint8)
_PLACEHOLDER_ROWS = C.matrix_from_strings(
    sorted(p for p in PLACEHOLDER_NUMBERS if len(p) == 18), 18
)
_PLACEHOLDER_NUMBERS = pa.array(sorted(PLACEHOLDER_NUMBERS), pa.string())
_X = ord("X")
# x // 11 == (x * _DIV11) >> 16 for 0 <= x <= 910, the largest weighted sum plus check value
_DIV11 = 5958
_SHIFT = {bit: np.uint8(bit.bit_length() - 1) for bit in (R_BAD_BIRTH_DATE, R_FUTURE_BIRTH_DATE)}
_SHIFT[R_BIRTH_BEFORE_1880] = np.uint8(R_BIRTH_BEFORE_1880.bit_length() - 1)
# The placeholder test of the matrix checks looks only at rows whose 7th and 8th characters
# are not "1x"/"2x" (a birth year 1000-2999) or are equal: every placeholder is one of them.
if not all(p[6] not in "12" or p[7] == p[6] for p in PLACEHOLDER_NUMBERS if len(p) == 18):
    raise AssertionError("placeholder prefilter no longer covers PLACEHOLDER_NUMBERS")


@cache
def _address_table() -> np.ndarray:
    """uint8[1_000_000] by 6-digit address code: ``R_BAD_PROVINCE`` when the province part is
    not a GB/T 2260 province, else the warning bits of the county part (``structural_checks``)."""
    status = C.county_table()
    table = np.zeros(status.size, np.uint8)
    table[status == C.COUNTY_UNKNOWN] = W_UNKNOWN_COUNTY
    table[status == C.COUNTY_ABOLISHED] = W_ABOLISHED_COUNTY
    table[~np.repeat(C.province_table(), 10_000)] = R_BAD_PROVINCE
    table.setflags(write=False)
    return table


def _check_block(mat: np.ndarray, as_of: int) -> tuple[np.ndarray, ...]:
    """``structural_checks`` on a (k, 18) uint8 matrix of at most BLOCK_ROWS rows.

    Returns ``(wellformed, reasons, warnings, placeholder_rows)``. Rows that are not well formed
    (anything but 17 ASCII digits and a digit or ``X``) get meaningless reasons: they go through
    the cleaning of ``normalize_resident_ids`` and are checked again."""
    u8 = np.uint8
    t = np.ascontiguousarray(mat.T)  # (18, k): each position contiguous, the block in cache
    d = t - u8(48)  # digit values; other bytes wrap to > 9
    bad = np.maximum.reduce(d[:17], axis=0) > u8(9)
    is_x = t[17] == _X
    bad |= (d[17] > u8(9)) & ~is_x
    # ISO 7064 MOD 11-2 (GB 11643-1999 §7): weighted sum + check value (X = 10) = 1 (mod 11)
    total = np.einsum("i,ij->j", _WEIGHTS, d[:17]).astype(np.uint32)
    total += d[17] - is_x.view(u8) * u8(30)  # "X" - "0" = 40 -> 10
    reasons = (total != ((total * _DIV11) >> 16) * 11 + 1).astype(np.uint16) << np.uint16(8)
    # address code: the province is a hard check, the county a warning (one table look-up)
    code = (d[0] * u8(10) + d[1]).astype(np.int32) * np.int32(10_000)
    code += (d[2] * u8(10) + d[3]).astype(np.uint16) * np.uint16(100) + (d[4] * u8(10) + d[5])
    status = _address_table().take(code, mode="clip")
    warnings = status & u8(W_UNKNOWN_COUNTY | W_ABOLISHED_COUNTY)
    low = status & u8(R_BAD_PROVINCE)
    # birth date: a real Gregorian date in [1880-01-01, as_of]
    month = d[10] * u8(10) + d[11]
    day = d[12] * u8(10) + d[13]
    days = (month ^ (month >> u8(3))) & u8(1)  # 31 days: 1 3 5 7 8 10 12; 30: 4 6 9 11
    days += u8(30)
    days -= month == 2  # February: 29 here, 28 in common years below
    bad_date = (month - u8(1) > u8(11)) | (day - u8(1) >= days)
    feb29 = np.flatnonzero((month == 2) & (day == 29))
    if feb29.size:
        y = d[6:10, feb29].astype(np.int32)
        year = y[0] * 1000 + y[1] * 100 + y[2] * 10 + y[3]
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        bad_date[feb29[~leap]] = True
    year = (d[6] * u8(10) + d[7]).astype(np.uint16) * np.uint16(100) + (d[8] * u8(10) + d[9])
    ymd = year.astype(np.int32) * np.int32(10_000)
    ymd += month.astype(np.uint16) * np.uint16(100) + day
    before = (ymd < EARLIEST_BIRTH) & ~bad_date
    future = (ymd > as_of) & ~bad_date & ~before
    low |= bad_date.view(u8) << _SHIFT[R_BAD_BIRTH_DATE]
    low |= future.view(u8) << _SHIFT[R_FUTURE_BIRTH_DATE]
    low |= before.view(u8) << _SHIFT[R_BIRTH_BEFORE_1880]
    reasons |= low
    # placeholders: one repeated character, or a well-known dummy number
    placeholders = np.zeros(0, np.intp)
    # only among well-formed rows: the others are cleaned (and judged) again, once
    candidates = ((t[6] - u8(49) > u8(1)) | (t[7] == t[6])) & ~bad
    if candidates.any():
        rows = np.flatnonzero(candidates)
        sub = t[:, rows]
        hit = (sub == sub[0]).all(axis=0)
        for row in _PLACEHOLDER_ROWS:
            hit |= (sub == row[:, None]).all(axis=0)
        placeholders = rows[hit]
        reasons[placeholders] = R_PLACEHOLDER
        warnings[placeholders] = 0
    return ~bad, reasons, warnings, placeholders


def _upgrade_15_matrix(legacy: np.ndarray) -> np.ndarray:
    """``upgrade_15`` of a (k, 15) uint8 matrix of ASCII digits: (k, 18)."""
    out = np.empty((len(legacy), 18), np.uint8)
    out[:, :6] = legacy[:, :6]
    out[:, 6:8] = np.frombuffer(b"19", np.uint8)
    out[:, 8:17] = legacy[:, 6:]
    acc = np.zeros(len(out), np.uint16)
    for i, w in enumerate(_WEIGHTS):
        acc += (out[:, i] - np.uint8(48)) * w
    out[:, 17] = _CHECK_BYTES[acc % 11]
    return out


def _all_digits(mat: np.ndarray, stop: int) -> np.ndarray:
    """Per row of a uint8 matrix: are its first ``stop`` bytes ASCII digits."""
    bad = mat[:, 0] - np.uint8(48) > 9
    for i in range(1, stop):
        bad |= mat[:, i] - np.uint8(48) > 9
    return ~bad


def _same_rows(mat: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per row of a uint8 matrix: is it one byte repeated, or one of ``rows``."""
    first, last = mat[:, 0], mat[:, -1]
    candidates = ((mat[:, 1] == first) & (last == first)) | np.isin(first, rows[:, 0])
    hit = np.zeros(len(mat), bool)
    if candidates.any():
        at = np.flatnonzero(candidates)
        sub = mat[at]
        same = (sub == sub[:, :1]).all(axis=1)
        for row in rows:
            same |= (sub == row).all(axis=1)
        hit[at] = same
    return hit


def _upgrade_15(codes: pa.Array) -> pa.Array:
    """``upgrade_15`` of an array of 15-digit strings."""
    return C.matrix_to_strings(_upgrade_15_matrix(C.fixed_width_matrix(codes, 15)))


_PLACEHOLDER_15 = C.matrix_from_strings(sorted(p for p in PLACEHOLDER_NUMBERS if len(p) == 15), 15)


def _common_shapes(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows of ``arr`` in the common dirty shapes, cleaned on byte matrices instead of by
    ``normalize_resident_ids`` (same results): 15 ASCII digits; 17 ASCII digits and ``x``; the
    full-width forms of 15 digits, or of 17 digits and a digit, ``X`` or ``x``.

    Returns ``(rows, codes, repairs, placeholder)``: positions in ``arr``, their normalized
    (k, 18) codes (meaningless where ``placeholder``), repair bits, and whether the cleaned
    code is a placeholder (all one digit, or a dummy number of 15 digits)."""
    u8 = np.uint8
    lengths = np.diff(C.offsets_of(arr)) if len(arr) else np.zeros(0, np.int64)
    if arr.null_count:
        lengths = np.where(C.null_mask(arr), -1, lengths)
    rows_out, codes_out, repairs_out, placeholder_out = [], [], [], []
    for width in (15, 18, 45, 54):
        rows = np.flatnonzero(lengths == width)
        if rows.size == 0:
            continue
        mat = C.fixed_width_matrix(arr.take(pa.array(rows)), width)
        repairs = np.zeros(rows.size, u8)
        if width > 18:  # full-width: EF BC 90..99 digits, EF BC B8 "Ｘ", EF BD 98 "ｘ"
            triples = mat.reshape(rows.size, width // 3, 3)
            digit = (triples[:, :, 0] == 0xEF) & (triples[:, :, 1] == 0xBC)
            digit &= (triples[:, :, 2] >= 0x90) & (triples[:, :, 2] <= 0x99)
            last = triples[:, -1]
            big_x = (last[:, 0] == 0xEF) & (last[:, 1] == 0xBC) & (last[:, 2] == 0xB8)
            small_x = (last[:, 0] == 0xEF) & (last[:, 1] == 0xBD) & (last[:, 2] == 0x98)
            mat = triples[:, :, 2] - u8(0x90 - 48)
            if width == 54:
                ok = digit[:, :17].all(axis=1) & (digit[:, 17] | big_x | small_x)
                mat[:, 17] = np.where(big_x | small_x, _X, mat[:, 17])
                repairs |= np.where(small_x, F_LOWER_X, 0).astype(u8)
            else:
                ok = digit.all(axis=1)
            repairs |= u8(F_FULLWIDTH)
        elif width == 18:
            ok = _all_digits(mat, 17) & (mat[:, 17] == ord("x"))
            mat = mat.copy()
            mat[:, 17] = _X
            repairs |= u8(F_LOWER_X)
        else:
            ok = _all_digits(mat, 15)
        rows, mat, repairs = rows[ok], mat[ok], repairs[ok]
        placeholder = np.zeros(rows.size, bool)
        if mat.shape[1] == 15:
            placeholder = _same_rows(mat, _PLACEHOLDER_15)
            mat = _upgrade_15_matrix(mat)
            repairs[~placeholder] |= u8(F_UPGRADED_15)
        rows_out.append(rows)
        codes_out.append(mat)
        repairs_out.append(repairs)
        placeholder_out.append(placeholder)
    if not rows_out:
        return np.zeros(0, np.intp), np.zeros((0, 18), u8), np.zeros(0, u8), np.zeros(0, bool)
    return (
        np.concatenate(rows_out),
        np.concatenate(codes_out),
        np.concatenate(repairs_out),
        np.concatenate(placeholder_out),
    )


def normalize_resident_ids(values: object) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Column form of ``normalize_resident_id``: ``(normalized, repair bits, terminal reasons)``.

    NumPy over the characters of the whole column (``_clean.clean_codes``), no Python call per
    row; ``normalized`` is a string array, null where the scalar form gives None."""
    arr = C.as_string_array(values)
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    n = len(arr)
    reasons = np.zeros(n, np.uint16)
    c = K.clean_codes(arr)
    blank, placeholder = c.blank, c.placeholder.copy()
    lower_x = c.translate_ascii("x", "X")
    repairs = np.where(c.fullwidth, F_FULLWIDTH, 0).astype(np.uint8)
    repairs |= np.where(c.whitespace, F_WHITESPACE, 0).astype(np.uint8)
    repairs |= np.where(c.punctuation, F_PUNCTUATION, 0).astype(np.uint8)
    repairs |= np.where(lower_x, F_LOWER_X, 0).astype(np.uint8)
    repairs[blank | placeholder] = 0
    reasons[blank] = R_EMPTY
    live = ~(blank | placeholder)
    code = c.code()
    placeholder |= live & (c.repeated() | K.mask(pc.is_in(code, value_set=_PLACEHOLDER_NUMBERS)))
    reasons[placeholder] = R_PLACEHOLDER
    live &= ~placeholder
    digits = c.count((c.chars >= ord("0")) & (c.chars <= ord("9")))
    big_x = c.count(c.chars == _X)
    legacy = live & (c.length == 15) & (digits == 15)
    if legacy.any():
        code = pc.replace_with_mask(code, pa.array(legacy), _upgrade_15(code.filter(legacy)))
        repairs[legacy] |= F_UPGRADED_15
        live &= ~legacy
    for hit, reason in (
        (lambda: digits + big_x != c.length, R_BAD_CHARS),
        (lambda: c.length != 18, R_BAD_LENGTH),
        (lambda: big_x > (c.char_at(-1) == _X), R_BAD_CHARS),  # X before the check character
    ):
        hit = live & hit()
        reasons[hit] = reason
        live &= ~hit
    if (blank | placeholder).any():
        code = pc.if_else(pa.array(blank | placeholder), pa.scalar(None, pa.string()), code)
    return code, repairs, reasons


@dataclass
class ResidentIdColumns:
    """Outcome of the rule for a column: Arrow/NumPy arrays, one row per input row.

    Only the bit masks are computed by ``check_resident_ids``; the normalized column and the
    fields derived from it (birth date, sex, province) are built on first use."""

    source: pa.Array  # the input as an Arrow string array
    fixed_rows: np.ndarray  # rows whose normalized form may differ from the input (ascending)
    fixed_values: pa.Array  # their normalized forms (null for empty/placeholder), same order
    valid: np.ndarray  # bool
    reason_bits: np.ndarray  # uint16, bit i = REASONS[i]
    warning_bits: np.ndarray  # uint8, bit i = WARNINGS[i]
    repair_bits: np.ndarray  # uint8, bit i = REPAIRS[i]

    def __len__(self) -> int:
        return len(self.valid)

    @cached_property
    def normalized(self) -> pa.Array:
        """Normalized IDs (string; null for empty and placeholder rows), built on first use."""
        return C.replace_sorted_rows(self.source, self.fixed_rows, self.fixed_values)

    @cached_property
    def _derived(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ymd, sex_code, province_code)`` of the valid rows, from their normalized IDs."""
        n = len(self)
        ymd = np.zeros(n, np.int32)
        sex = np.zeros(n, np.uint8)
        province = np.zeros(n, np.uint8)
        rows = np.flatnonzero(self.valid)
        if rows.size:
            mat = C.fixed_width_matrix(self.normalized.filter(pa.array(self.valid)), 18)
            digits = mat - np.uint8(48)
            acc = np.zeros(rows.size, np.int32)
            for i in range(6, 14):
                acc *= 10
                acc += digits[:, i]
            ymd[rows] = acc
            province[rows] = digits[:, 0] * np.uint8(10) + digits[:, 1]
            sex[rows] = np.uint8(2) - (digits[:, 16] & np.uint8(1))
        return ymd, sex, province

    @property
    def ymd(self) -> np.ndarray:
        """int32 YYYYMMDD of valid rows, 0 elsewhere."""
        return self._derived[0]

    @property
    def sex_code(self) -> np.ndarray:
        """uint8 GB/T 2261.1 (1 male, 2 female), 0 where not valid."""
        return self._derived[1]

    @property
    def province_code(self) -> np.ndarray:
        """uint8 2-digit province, 0 where not valid."""
        return self._derived[2]

    @cached_property
    def birth_date(self) -> np.ndarray:
        """datetime64[D], NaT where the ID is not valid."""
        return ymd_to_datetime64(self.ymd)

    def reasons(self) -> list[list[str]]:
        return C.decode_bits(REASONS, self.reason_bits)

    def warnings(self) -> list[list[str]]:
        return C.decode_bits(WARNINGS, self.warning_bits)

    def repairs(self) -> list[list[str]]:
        return C.decode_bits(REPAIRS, self.repair_bits)

    def counts(self) -> dict[str, dict[str, int]]:
        """Rows per reason, warning and repair code."""
        return {
            "reasons": C.count_codes(REASONS, self.reason_bits),
            "warnings": C.count_codes(WARNINGS, self.warning_bits),
            "repairs": C.count_codes(REPAIRS, self.repair_bits),
        }

    def to_arrow(self) -> pa.StructArray:
        """Struct array: normalized, valid, reasons, warnings, repairs, birth_date, sex, province."""
        invalid = ~self.valid
        return pa.StructArray.from_arrays(
            [
                self.normalized.cast(pa.string()),
                pa.array(self.valid, pa.bool_()),
                C.arrow_code_lists(REASONS, self.reason_bits),
                C.arrow_code_lists(WARNINGS, self.warning_bits),
                C.arrow_code_lists(REPAIRS, self.repair_bits),
                C.date32_array(self.birth_date, invalid),
                C.decode_small_ints(self.sex_code, _SEX_LABELS, invalid),
                C.decode_small_ints(self.province_code, _PROVINCE_LABELS, invalid),
            ],
            names=list(STRUCT_FIELDS),
        )

    def to_pandas(self):
        """pandas DataFrame with the struct's fields as columns."""
        return C.struct_to_pandas(self.to_arrow())


_SEX_LABELS = ("0", "1", "2")
_PROVINCE_LABELS = tuple(f"{i:02d}0000" for i in range(100))


STRUCT_FIELDS = (
    "normalized",
    "valid",
    "reasons",
    "warnings",
    "repairs",
    "birth_date",
    "sex",
    "province",
)


def ymd_to_datetime64(ymd: np.ndarray) -> np.ndarray:
    """datetime64[D] from integers YYYYMMDD (0 -> NaT)."""
    ymd = np.asarray(ymd, np.int64)
    year, month, day = ymd // 10000, ymd // 100 % 100, ymd % 100
    ok = ymd > 0
    months = (np.where(ok, year, 1970) - 1970) * 12 + np.where(ok, month, 1) - 1
    out = months.astype("datetime64[M]").astype("datetime64[D]") + (np.where(ok, day, 1) - 1)
    out[~ok] = np.datetime64("NaT")
    return out


# Fewer dirty rows than this in a call go through the scalar rule (~8 us a row) rather than the
# column cleaner (~1.5 ms of set-up, then ~1 us a row): small Arrow batches (Spark's are 4096
# rows when read from Parquet) have a few dozen.
SCALAR_BELOW = 256


def _check_dirty(
    sub: pa.Array,
    rows: np.ndarray,
    as_of: int,
    reasons: np.ndarray,
    warnings: np.ndarray,
    repairs: np.ndarray,
) -> pa.Array:
    """Clean and check the rows ``rows`` (values ``sub``): fill their reasons, warnings and
    repairs; return their normalized values (string, null for empty and placeholders)."""
    if len(sub) < SCALAR_BELOW:  # a few rows: the scalar rule costs less than the set-up
        results = [outcome_bits(v, as_of) for v in sub.to_pylist()]
        repairs[rows] = [r[1] for r in results]
        reasons[rows] = [r[2] for r in results]
        warnings[rows] = [r[3] for r in results]
        return pa.array([r[0] for r in results], pa.string())
    simple, simple_codes, simple_repairs, simple_ph = _common_shapes(sub)
    rest = np.ones(len(sub), bool)
    rest[simple] = False
    rest = np.flatnonzero(rest)
    codes, rest_repairs, terminal = normalize_resident_ids(sub.take(pa.array(rest)))
    order = np.concatenate([simple, rest])
    repairs[rows[order]] = np.concatenate([simple_repairs, rest_repairs])
    reasons[rows[order]] = np.concatenate([np.where(simple_ph, R_PLACEHOLDER, 0), terminal])
    warnings[rows[order]] = 0
    # every 18-character result through the matrix checks
    candidates = np.concatenate([~simple_ph, terminal == 0])
    mat = np.concatenate(
        [simple_codes[~simple_ph], C.fixed_width_matrix(codes.filter(pa.array(terminal == 0)), 18)]
    )
    null = np.concatenate([simple_ph, np.zeros(len(codes), bool)])
    if mat.size:
        ok, r, w, ph = _check_block(mat, as_of)
        if not ok.all():
            raise AssertionError("a cleaned resident ID is not 17 digits and a digit or X")
        checked = rows[order[candidates]]
        reasons[checked], warnings[checked] = r, w
        null[np.flatnonzero(candidates)[ph]] = True
    values = pa.concat_arrays([C.matrix_to_strings(simple_codes), codes])
    if null.any():
        values = pc.if_else(pa.array(null), pa.scalar(None, pa.string()), values)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return values.take(pa.array(inverse))


def check_resident_ids(values: object, as_of: dt.date | str) -> ResidentIdColumns:
    """Normalize and validate a column of resident ID numbers (GB 11643-1999), vectorized.

    Rows of 18 bytes are checked on a uint8 matrix viewed (or, around other rows, copied in
    runs) from the Arrow buffer, block by block. The rest, and 18-byte rows that are not 17
    digits and a digit or ``X``, are cleaned BLOCK_ROWS at a time: the common shapes (15
    digits, a final ``x``, all full-width) on byte matrices (``_common_shapes``), anything else
    by ``normalize_resident_ids``; their 18-character results are checked on the matrix the
    same way. Only the validity and the bit masks are computed here."""
    as_of_int = as_of_number(as_of)
    arr = C.as_string_array(values)
    n = len(arr)
    reasons = np.zeros(n, np.uint16)
    warnings = np.zeros(n, np.uint8)
    repairs = np.zeros(n, np.uint8)
    clean = np.zeros(n, bool)
    placeholders: list[np.ndarray] = []

    for start, stop, rows, mat in C.fixed_width_blocks(arr, 18):
        ok, r, w, ph = _check_block(mat, as_of_int)
        if rows is None:
            reasons[start:stop], warnings[start:stop], clean[start:stop] = r, w, ok
        else:
            reasons[start:stop][rows], warnings[start:stop][rows] = r, w
            clean[start:stop][rows] = ok
            if ph.size:
                ph = np.flatnonzero(rows)[ph]
        if ph.size:
            placeholders.append(start + ph)

    # the other rows, BLOCK_ROWS at a time (bounded memory: ~1 KiB per row in flight): the
    # common shapes on byte matrices, the rest through normalize_resident_ids
    dirty = np.flatnonzero(~clean)
    parts = [pa.array([], pa.string())]
    for start in range(0, dirty.size, C.BLOCK_ROWS):
        chunk = dirty[start : start + C.BLOCK_ROWS]
        parts.append(
            _check_dirty(arr.take(pa.array(chunk)), chunk, as_of_int, reasons, warnings, repairs)
        )
    codes = pa.concat_arrays(parts)

    fixed_rows, fixed_values = C.add_null_rows(dirty, codes, placeholders)
    return ResidentIdColumns(
        source=arr,
        fixed_rows=fixed_rows,
        fixed_values=fixed_values,
        valid=reasons == 0,
        reason_bits=reasons,
        warning_bits=warnings,
        repair_bits=repairs,
    )


def resident_ids_valid(values: object, as_of: dt.date | str) -> np.ndarray:
    """Only the validity of each row (bool array)."""
    return check_resident_ids(values, as_of).valid
