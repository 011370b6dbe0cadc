"""Resident ID numbers (公民身份号码), GB 11643-1999.

Structure (GB 11643-1999 §4): 6-digit address code (the GB/T 2260 division where the person
was first registered) + 8-digit birth date ``YYYYMMDD`` + 3-digit sequence (odd = male) +
check character, ISO 7064 MOD 11-2 over the first 17 digits (``checkdigits.resident_id_check``).
Legacy 15-digit numbers (``yymmdd`` birth, no check character) are upgraded by inserting ``19``
and computing the check character.

Decisions for this platform (DOMAIN.md § Identifiers):

- The address code is the one in force at registration, so a county code that is unknown to
  today's division list, or abolished, is a **warning**; only the 2-digit province code is a
  hard check. (python-stdnum's ``cn.ric.is_valid`` rejects such IDs: that is why this rule
  exists rather than a call to it.)
- The birth date must be a real Gregorian date, not after ``as_of`` (passed in by the caller,
  never read from the clock here) and not before 1880-01-01.
- Every rejection carries a reason code, every repair a repair code (codes below, stable).

Two forms of one rule:

- ``check_resident_id(value, as_of)``: one value, plain Python, the readable reference;
- ``check_resident_ids(values, as_of)``: a whole column. Rows that are already 18 ASCII
  characters are checked on a uint8 matrix viewed from the Arrow buffer, in cache-sized blocks;
  other rows are first cleaned by the scalar ``normalize_resident_id`` (the same code the
  scalar form uses) and then checked on the matrix as well.

The property tests assert that both forms give the same answer for every input.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa

from jutong.identifiers import _columns as C
from jutong.identifiers._text import (
    as_text,
    clean_code,
    is_placeholder_text,
    strip_all,
    to_halfwidth,
)
from jutong.identifiers.checkdigits import RID_CHECK_CHARS, RID_WEIGHTS, resident_id_check
from jutong.reference import load_divisions, province_codes

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


def check_resident_id(value: object, as_of: dt.date | str) -> ResidentIdResult:
    """Normalize and validate one resident ID number (GB 11643-1999)."""
    as_of_int = as_of_number(as_of)
    code, repairs, reasons = normalize_resident_id(value)
    warnings = 0
    if not reasons:
        reasons, warnings = structural_checks(code, as_of_int)
    if reasons & R_PLACEHOLDER:
        code = None
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

_DIGIT = C.byte_table("0123456789")
_WEIGHTS = np.array(RID_WEIGHTS, np.uint16)
_CHECK_BYTES = np.frombuffer(RID_CHECK_CHARS.encode("ascii"), np.uint8)
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] + [0] * 243, np.uint8)
_PLACEHOLDER_ROWS = C.matrix_from_strings(
    sorted(p for p in PLACEHOLDER_NUMBERS if len(p) == 18), 18
)
_X, _LOWER_X = ord("X"), ord("x")


def _check_block(mat: np.ndarray, as_of: int) -> tuple[np.ndarray, ...]:
    """The checks of ``structural_checks`` on a (k, 18) uint8 matrix of at most BLOCK_ROWS rows.

    Returns ``(wellformed, lower_x, reasons, warnings, ymd, province, sex_digit)``; rows that are
    not well formed (anything but 17 digits and a digit/X/x) need the scalar cleaner."""
    provinces = C.province_table()
    counties = C.county_table()
    nine = np.uint8(9)
    t = np.ascontiguousarray(mat.T)  # (18, k): each position contiguous, the block in cache
    d = t - np.uint8(48)  # digit values; other bytes wrap to > 9
    bad = d[0] > nine
    for i in range(1, 17):
        bad |= d[i] > nine
    last = t[17]
    lower_x = last == _LOWER_X
    is_x = (last == _X) | lower_x
    bad |= (d[17] > nine) & ~is_x
    # ISO 7064 MOD 11-2 over the first 17 digits (GB 11643-1999 §7)
    acc = d[0] * _WEIGHTS[0]
    for i in range(1, 17):
        acc += d[i] * _WEIGHTS[i]
    expected = _CHECK_BYTES[acc % 11]
    reasons = np.where(expected != np.where(is_x, np.uint8(_X), last), R_BAD_CHECK, 0)
    reasons = reasons.astype(np.uint16)
    # province: hard check against GB/T 2260
    p = d[0] * np.uint8(10) + d[1]
    prov_ok = provinces[np.minimum(p, 99)]
    reasons |= np.where(prov_ok, 0, R_BAD_PROVINCE).astype(np.uint16)
    # county: a warning only (the code in force at registration, GB 11643-1999 §6.2)
    county = p * np.int32(10000) + d[2] * np.int32(1000) + d[3] * np.int32(100)
    county += d[4] * np.int32(10) + d[5]
    status = counties[np.minimum(county, 999_999)]
    warnings = np.where(status == C.COUNTY_UNKNOWN, W_UNKNOWN_COUNTY, 0)
    warnings |= np.where(status == C.COUNTY_ABOLISHED, W_ABOLISHED_COUNTY, 0)
    warnings = np.where(prov_ok, warnings, 0).astype(np.uint8)
    # birth date: a real Gregorian date in [1880-01-01, as_of]
    year = d[6] * np.int32(1000) + d[7] * np.int32(100) + d[8] * np.int32(10) + d[9]
    month = d[10] * np.uint8(10) + d[11]
    day = d[12] * np.uint8(10) + d[13]
    leap = ((year & 3) == 0) & (((year % 100) != 0) | ((year % 400) == 0))
    dim = _DAYS_IN_MONTH[month] + ((month == 2) & leap)
    bad_date = (day == 0) | (day > dim)
    ymd = year * 10000 + month * np.int32(100) + day
    reasons |= np.where(
        bad_date,
        R_BAD_BIRTH_DATE,
        np.where(
            ymd < EARLIEST_BIRTH,
            R_BIRTH_BEFORE_1880,
            np.where(ymd > as_of, R_FUTURE_BIRTH_DATE, 0),
        ),
    ).astype(np.uint16)
    # placeholders: one repeated character, or a well-known dummy number
    same = t[1] == t[0]
    for i in range(2, 18):
        same &= t[i] == t[0]
    for row in _PLACEHOLDER_ROWS:
        hit = t[0] == row[0]
        for i in range(1, 18):
            hit &= t[i] == row[i]
        same |= hit
    reasons = np.where(same, R_PLACEHOLDER, reasons).astype(np.uint16)
    warnings = np.where(same, 0, warnings).astype(np.uint8)
    return ~bad, lower_x, reasons, warnings, ymd, p, d[16]


def _blocks(arr: pa.Array, width: int):
    """Yield ``(start, stop, matrix)`` per block of BLOCK_ROWS rows, ``matrix`` (k, width) uint8.

    When every row of the block has ``width`` bytes the matrix is a view of the Arrow data
    buffer; otherwise rows of another length (and nulls) are left as zero bytes, which the
    checks report as not well formed."""
    n = len(arr)
    if n == 0:
        return
    off = C.offsets_of(arr)
    data_buf = arr.buffers()[2]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf else np.zeros(0, np.uint8)
    nulls = C.null_mask(arr) if arr.null_count else None
    for start in range(0, n, C.BLOCK_ROWS):
        stop = min(start + C.BLOCK_ROWS, n)
        lengths = off[start + 1 : stop + 1] - off[start:stop]
        fits = lengths == width
        if nulls is not None:
            fits &= ~nulls[start:stop]
        block = data[off[start] : off[stop]]
        if fits.all():
            yield start, stop, block.reshape(-1, width)
        else:
            mat = np.zeros((stop - start, width), np.uint8)
            mat[fits] = block[np.repeat(fits, lengths)].reshape(-1, width)
            yield start, stop, mat


@dataclass
class ResidentIdColumns:
    """Outcome of the rule for a column: Arrow/NumPy arrays, one row per input row."""

    source: pa.Array  # the input as an Arrow string array
    fixed_rows: np.ndarray  # rows whose normalized form differs from the input
    fixed_values: list  # their normalized forms (None for empty/placeholder), same order
    valid: np.ndarray  # bool
    reason_bits: np.ndarray  # uint16, bit i = REASONS[i]
    warning_bits: np.ndarray  # uint8, bit i = WARNINGS[i]
    repair_bits: np.ndarray  # uint8, bit i = REPAIRS[i]
    ymd: np.ndarray  # int32 YYYYMMDD of valid rows, 0 elsewhere
    sex_code: np.ndarray  # uint8 GB/T 2261.1 (1 male, 2 female), 0 where not valid
    province_code: np.ndarray  # uint8 2-digit province, 0 where not valid

    def __len__(self) -> int:
        return len(self.valid)

    @cached_property
    def normalized(self) -> pa.Array:
        """Normalized IDs (string; null for empty and placeholder rows), built on first use."""
        return C.replace_rows(self.source, self.fixed_rows, self.fixed_values)

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


def check_resident_ids(values: object, as_of: dt.date | str) -> ResidentIdColumns:
    """Normalize and validate a column of resident ID numbers (GB 11643-1999), vectorized."""
    as_of_int = as_of_number(as_of)
    arr = C.as_string_array(values)
    n = len(arr)
    reasons = np.zeros(n, np.uint16)
    warnings = np.zeros(n, np.uint8)
    repairs = np.zeros(n, np.uint8)
    ymd = np.zeros(n, np.int32)
    province = np.zeros(n, np.uint8)
    sex_digit = np.zeros(n, np.uint8)
    done = np.zeros(n, bool)
    fixed_rows: list[int] = []
    fixed_values: list[str | None] = []

    def store(rows, outcome) -> None:
        _, _, r, w, y, p, sx = outcome
        reasons[rows], warnings[rows], ymd[rows], province[rows], sex_digit[rows] = r, w, y, p, sx

    # Fast path: rows of 18 ASCII bytes, checked on the Arrow buffer itself.
    for start, stop, mat in _blocks(arr, 18):
        outcome = _check_block(mat, as_of_int)
        ok, lower_x, r = outcome[0], outcome[1], outcome[2]
        store(slice(start, stop), outcome)
        done[start:stop] = ok
        lower_x &= ok
        if lower_x.any():
            repairs[start:stop] = np.where(lower_x, F_LOWER_X, 0)
        change = np.flatnonzero(lower_x | ((r == R_PLACEHOLDER) & ok))
        for i in change.tolist():
            fixed_rows.append(start + i)
            fixed_values.append(None if lower_x[i] == 0 else mat[i, :17].tobytes().decode() + "X")

    # Slow path: every other row is cleaned by the scalar normalizer, then checked the same way.
    slow_rows = np.flatnonzero(~done)
    if slow_rows.size:
        raw_values = arr.take(pa.array(slow_rows)).to_pylist()
        candidates: list[str] = []
        candidate_rows: list[int] = []
        for row, raw in zip(slow_rows.tolist(), raw_values, strict=True):
            code, rep, reason = normalize_resident_id(raw)
            repairs[row] = rep
            reasons[row] = reason
            warnings[row] = 0
            if code != raw:
                fixed_rows.append(row)
                fixed_values.append(code)
            if not reason:
                candidates.append(code)
                candidate_rows.append(row)
        if candidates:
            cand = np.asarray(candidate_rows)
            mat = C.matrix_from_strings(candidates, 18)
            for start in range(0, len(cand), C.BLOCK_ROWS):
                block = slice(start, start + C.BLOCK_ROWS)
                store(cand[block], _check_block(mat[block], as_of_int))

    valid = reasons == 0
    invalid = ~valid
    ymd[invalid] = 0
    province[invalid] = 0
    sex_code = np.subtract(2, sex_digit & 1, dtype=np.uint8)
    sex_code[invalid] = 0
    return ResidentIdColumns(
        source=arr,
        fixed_rows=np.asarray(fixed_rows, np.int64),
        fixed_values=fixed_values,
        valid=valid,
        reason_bits=reasons,
        warning_bits=warnings,
        repair_bits=repairs,
        ymd=ymd,
        sex_code=sex_code,
        province_code=province,
    )


def resident_ids_valid(values: object, as_of: dt.date | str) -> np.ndarray:
    """Only the validity of each row (bool array)."""
    return check_resident_ids(values, as_of).valid
