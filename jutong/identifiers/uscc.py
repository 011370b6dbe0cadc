"""Unified social credit codes (统一社会信用代码), GB 32100-2015, and the legacy codes they replaced.

Structure (GB 32100-2015 §4): registration-authority code (1 character) + organisation-category
code (1) + registration division code (6 digits, GB/T 2260) + subject identifier = the
organisation code of GB 11714-1997 (8 characters + its own check character) + check character
(GB/T 17710 MOD 31 over the first 17 characters, ``checkdigits.uscc_check``). The alphabet is
``0-9 A-H J-N P-R T U W-Y`` (never I O S V Z).

Authority/category pairs accepted (GB 32100-2015 table 1 with amendment 1 (XG1-2016) and the
codes issued since, as listed in the project brief; the official table could not be retrieved
from the reference search, so this list is the project's and lives in one place,
``AUTHORITY_CATEGORIES``):

    1 机构编制: 1 机关 2 事业单位 3 中央编办直接管理机构编制的群众团体 9 其他
    2 外交: 1 外国常驻新闻机构 9 其他
    3 司法行政: 1 律师执业机构 2 公证处 3 基层法律服务所 4 司法鉴定机构 5 仲裁委员会 9 其他
    4 文化: 1 外国在华文化中心 9 其他
    5 民政: 1 社会团体 2 民办非企业单位 3 基金会 9 其他
    6 旅游: 1 外国旅游部门常驻代表机构 2 港澳台地区旅游部门常驻内地（大陆）代表机构 9 其他
    7 宗教: 1 宗教活动场所 2 宗教院校 3 宗教团体 9 其他
    8 工会: 1 基层工会 9 其他
    9 工商/市场监管: 1 企业 2 个体工商户 3 农民专业合作社
    A 中央军委改革和编制办公室: 1 军队事业单位 9 其他
    N 农业: 1 农村集体经济组织 2 联合社 3 … 9 其他
    Y 其他: 1

python-stdnum's ``cn.uscc.is_valid`` rejects codes whose first two characters are letters
(``Y1…``, ``N2…``, ``A1…``), which this table allows: that is why this rule wraps only its
arithmetic, not its validity check.

Division code: the province part (2 digits) is a hard check (``10`` = national level, used by
central registrations such as ``100000``); an unknown or abolished county part is a warning,
as for resident IDs. The embedded organisation code must pass its GB 11714-1997 check.

Legacy identifiers still in old extracts are recognised as their own kinds, with their own
validity (not reported as invalid credit codes):

- ``legacy_regno``: 15-digit business registration number (GS 15-2006: 6-digit division of the
  first registration authority + 8-digit sequence + check digit ISO 7064 MOD 11,10);
- ``legacy_orgcode``: 9-character organisation code (GB 11714-1997: 8 characters + MOD 11 check
  character), written with or without the hyphen before the check character.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.identifiers import _clean as K
from jutong.identifiers import _columns as C
from jutong.identifiers.checkdigits import (
    ORGCODE_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    orgcode_check,
    regno_check,
    uscc_check,
)
from jutong.reference import load_divisions, province_codes
from jutong.text.cells import (
    as_text,
    clean_code,
    is_placeholder_text,
    strip_all,
)
from jutong.text.width import to_halfwidth

# ---- codes (stable) ---------------------------------------------------------------------
KINDS = ("uscc", "legacy_regno", "legacy_orgcode")
REASONS = (
    "empty",  # no value
    "placeholder",  # a "no value" marker, one repeated character, a dummy number
    "bad_chars",  # characters outside the alphabet (I O S V Z, punctuation, Chinese ...)
    "bad_length",  # neither 18 (USCC), 15 digits (registration no.) nor 9 (organisation code)
    "bad_authority",  # first character is not a registration-authority code
    "bad_category",  # second character is not a category of that authority
    "bad_division",  # characters 3-8 not digits, or their province part is unknown
    "bad_orgcode_check",  # embedded organisation code fails its GB 11714 check character
    "bad_check",  # final check character wrong (MOD 31; legacy: MOD 11,10 or GB 11714)
)
WARNINGS = ("unknown_county", "abolished_county")
REPAIRS = ("fullwidth", "whitespace", "punctuation", "lower_case")

(
    R_EMPTY,
    R_PLACEHOLDER,
    R_BAD_CHARS,
    R_BAD_LENGTH,
    R_BAD_AUTHORITY,
    R_BAD_CATEGORY,
    R_BAD_DIVISION,
    R_BAD_ORGCODE_CHECK,
    R_BAD_CHECK,
) = (1 << i for i in range(len(REASONS)))
W_UNKNOWN_COUNTY, W_ABOLISHED_COUNTY = 1, 2
F_FULLWIDTH, F_WHITESPACE, F_PUNCTUATION, F_LOWER_CASE = 1, 2, 4, 8
K_NONE, K_USCC, K_REGNO, K_ORGCODE = 0, 1, 2, 3

# GB 32100-2015 table 1 (+ XG1-2016): registration authority -> organisation categories.
AUTHORITY_CATEGORIES: dict[str, str] = {
    "1": "1239",
    "2": "19",
    "3": "123459",
    "4": "19",
    "5": "1239",
    "6": "129",
    "7": "1239",
    "8": "19",
    "9": "123",
    "A": "19",
    "N": "1239",
    "Y": "1",
}
# The national level registers with division 100000 (province part "10").
NATIONAL_DIVISION = "100000"
PLACEHOLDER_CODES = frozenset({"123456789012345678", "012345678901234567", "123456789"})
_ORGCODE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ORGCODE_HYPHEN = re.compile(r"([0-9A-Za-z]{8})[-\u2010\u2011\u2013\u2014\u2212]([0-9Xx])")
_SIMPLE = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{18}")


@dataclass(frozen=True)
class UsccResult:
    normalized: str | None
    valid: bool
    kind: str | None  # uscc | legacy_regno | legacy_orgcode | None (not recognisable)
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    repairs: tuple[str, ...] = ()
    division: str | None = None  # registration division (USCC chars 3-8, regno digits 1-6)
    orgcode: str | None = None  # GB 11714 organisation code (embedded or legacy), 9 chars
    meta: dict = field(default_factory=dict, compare=False, repr=False)


def _province_ok(division: str) -> bool:
    return (
        division.isascii()
        and division.isdigit()
        and (division[:2] in province_codes() or division == NATIONAL_DIVISION)
    )


def _county_warnings(division: str) -> int:
    if division == NATIONAL_DIVISION:
        return 0
    d = load_divisions().get(division)
    if d is None:
        return W_UNKNOWN_COUNTY
    return W_ABOLISHED_COUNTY if d.status == "abolished" else 0


def normalize_uscc(value: object) -> tuple[str | None, int, int, int]:
    """Clean one value: ``(normalized, kind, repair bits, terminal reason bits)``."""
    text = value if type(value) is str else as_text(value)
    if text is None:
        return None, K_NONE, 0, R_EMPTY
    repairs = 0
    if _SIMPLE.fullmatch(text):
        code = text
    else:
        trimmed = strip_all(to_halfwidth(text))
        if not trimmed:
            return None, K_NONE, 0, R_EMPTY
        if is_placeholder_text(trimmed):
            return None, K_NONE, 0, R_PLACEHOLDER
        # The hyphen before an organisation code's check character is its written form.
        m = _ORGCODE_HYPHEN.fullmatch(trimmed)
        if m:
            half = to_halfwidth(text)
            code = m[1] + m[2]
            repairs = (F_FULLWIDTH if half != text else 0) | (
                F_WHITESPACE if trimmed != half else 0
            )
        else:
            code, repairs = clean_code(text, F_FULLWIDTH, F_WHITESPACE, F_PUNCTUATION)
        upper = code.upper()
        if upper != code:
            code = upper
            repairs |= F_LOWER_CASE
    if len(set(code)) == 1 or code in PLACEHOLDER_CODES:
        return None, K_NONE, repairs, R_PLACEHOLDER
    n = len(code)
    kind = K_USCC if n == 18 else K_REGNO if n == 15 else K_ORGCODE if n == 9 else K_NONE
    if not _ORGCODE_CHARS.issuperset(code):
        return code, kind, repairs, R_BAD_CHARS
    if kind == K_NONE:
        return code, kind, repairs, R_BAD_LENGTH
    if kind == K_USCC and not set(USCC_CHARSET).issuperset(code):
        return code, kind, repairs, R_BAD_CHARS
    if kind == K_REGNO and not code.isdigit():
        return code, kind, repairs, R_BAD_CHARS
    if kind == K_ORGCODE and code[8] not in "0123456789X":
        return code, kind, repairs, R_BAD_CHARS
    return code, kind, repairs, 0


def uscc_checks(code: str) -> tuple[int, int]:
    """Reasons and warnings of an 18-character code over the GB 32100 alphabet."""
    reasons = warnings = 0
    categories = AUTHORITY_CATEGORIES.get(code[0])
    if categories is None:
        reasons |= R_BAD_AUTHORITY
    elif code[1] not in categories:
        reasons |= R_BAD_CATEGORY
    division = code[2:8]
    if _province_ok(division):
        warnings |= _county_warnings(division)
    else:
        reasons |= R_BAD_DIVISION
    if orgcode_check(code[8:16]) != code[16]:
        reasons |= R_BAD_ORGCODE_CHECK
    if uscc_check(code[:17]) != code[17]:
        reasons |= R_BAD_CHECK
    return reasons, warnings


def legacy_checks(code: str, kind: int) -> tuple[int, int]:
    """Reasons and warnings of a legacy registration number or organisation code."""
    if kind == K_REGNO:
        reasons = warnings = 0
        if _province_ok(code[:6]):
            warnings = _county_warnings(code[:6])
        else:
            reasons |= R_BAD_DIVISION
        if regno_check(code[:14]) != code[14]:
            reasons |= R_BAD_CHECK
        return reasons, warnings
    return (R_BAD_CHECK if orgcode_check(code[:8]) != code[8] else 0), 0


def outcome_bits(value: object) -> tuple[str | None, int, int, int, int]:
    """The rule for one value as ``(normalized, kind, repair bits, reason bits, warning bits)``."""
    code, kind, repairs, reasons = normalize_uscc(value)
    warnings = 0
    if not reasons:
        reasons, warnings = uscc_checks(code) if kind == K_USCC else legacy_checks(code, kind)
    return code, kind, repairs, reasons, warnings


def check_uscc(value: object) -> UsccResult:
    """Normalize and validate one unified social credit code (GB 32100-2015) or legacy code."""
    code, kind, repairs, reasons, warnings = outcome_bits(value)
    valid = reasons == 0
    division = orgcode = None
    if valid:
        division = code[2:8] if kind == K_USCC else code[:6] if kind == K_REGNO else None
        orgcode = code[8:17] if kind == K_USCC else code if kind == K_ORGCODE else None
    return UsccResult(
        normalized=code,
        valid=valid,
        kind=KINDS[kind - 1] if kind else None,
        reasons=C.codes_of(REASONS, reasons),
        warnings=C.codes_of(WARNINGS, warnings),
        repairs=C.codes_of(REPAIRS, repairs),
        division=division,
        orgcode=orgcode,
    )


def is_valid_uscc(value: object) -> bool:
    """True for a valid 18-character credit code (legacy codes are not credit codes)."""
    r = check_uscc(value)
    return r.valid and r.kind == "uscc"


# ---- vectorized form --------------------------------------------------------------------

_VALUE = C.byte_table(USCC_CHARSET)  # GB 32100 character -> 0..30, others 255
_VALUE_BYTES = _VALUE.tobytes()  # the same, as a bytes.translate table
_ORG_VALUE = C.byte_table("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # GB 11714: A=10 .. Z=35
_USCC_WEIGHTS = np.array(USCC_WEIGHTS, np.uint16)
_ORG_WEIGHTS = np.array(ORGCODE_WEIGHTS, np.uint16)
# x // 31 == (x * _DIV31) >> 20 for 0 <= x <= 9180 (30 * sum of weights + 30)
_DIV31 = 33826
# x // 11 == (x * _DIV11) >> 16 for 0 <= x <= 1680 (35 * sum of GB 11714 weights)
_DIV11 = 5958
_X_VALUE = USCC_CHARSET.index("X")
_PLACEHOLDER_ROWS = _VALUE[
    C.matrix_from_strings(sorted(p for p in PLACEHOLDER_CODES if len(p) == 18), 18)
]
_PLACEHOLDER_CODES = pa.array(sorted(PLACEHOLDER_CODES), pa.string())
# The placeholder test of the matrix checks looks only at rows whose first three characters
# are equal or whose characters 2-6 are consecutive: every placeholder is one of them.
if not all(
    p[0] == p[1] == p[2] or all(ord(p[i + 1]) == ord(p[i]) + 1 for i in range(1, 5))
    for p in PLACEHOLDER_CODES
    if len(p) == 18
):
    raise AssertionError("placeholder prefilter no longer covers PLACEHOLDER_CODES")


def _org_check_table() -> np.ndarray:
    # expected check byte indexed by (sum mod 11)
    table = np.zeros(11, np.uint8)
    for r in range(11):
        c = 11 - r
        table[r] = ord("X") if c == 10 else ord("0") if c == 11 else ord(str(c))
    return table


_ORG_CHECK_BY_REM = _org_check_table()


@cache
def _pair_table() -> np.ndarray:
    """uint8[31 * 31] by the values of the first two characters: 0, R_BAD_CATEGORY or
    R_BAD_AUTHORITY (GB 32100-2015 table 1, ``AUTHORITY_CATEGORIES``)."""
    table = np.full(31 * 31, R_BAD_AUTHORITY, np.uint8)
    for auth, cats in AUTHORITY_CATEGORIES.items():
        a = USCC_CHARSET.index(auth)
        table[a * 31 : a * 31 + 31] = R_BAD_CATEGORY
        for cat in cats:
            table[a * 31 + USCC_CHARSET.index(cat)] = 0
    table.setflags(write=False)
    return table


@cache
def _division_table() -> np.ndarray:
    """uint8[1_000_000] by 6-digit division: R_BAD_DIVISION when the province part is unknown
    (``100000``, the national level, is allowed), else the warning bits of the county."""
    status = C.county_table((NATIONAL_DIVISION,))
    table = np.zeros(status.size, np.uint8)
    table[status == C.COUNTY_UNKNOWN] = W_UNKNOWN_COUNTY
    table[status == C.COUNTY_ABOLISHED] = W_ABOLISHED_COUNTY
    bad = ~np.repeat(C.province_table(), 10_000)
    bad[int(NATIONAL_DIVISION)] = False
    table[bad] = R_BAD_DIVISION
    table.setflags(write=False)
    return table


def _division_checks(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(reasons, warnings)`` of the division part, from a (6, k) uint8 matrix of digit values
    (values above 9: not digits, ``R_BAD_DIVISION``)."""
    u8 = np.uint8
    digits = np.maximum.reduce(d, axis=0) <= u8(9)
    code = (d[0] * u8(10) + d[1]).astype(np.int32) * np.int32(10_000)
    code += (d[2] * u8(10) + d[3]).astype(np.uint16) * np.uint16(100) + (d[4] * u8(10) + d[5])
    status = _division_table().take(code, mode="clip")
    status *= digits
    reasons = status & u8(R_BAD_DIVISION)
    reasons |= (~digits).view(u8) * u8(R_BAD_DIVISION)
    return reasons, status & u8(W_UNKNOWN_COUNTY | W_ABOLISHED_COUNTY)


def _check_block(mat: np.ndarray) -> tuple[np.ndarray, ...]:
    """``uscc_checks`` on a (k, 18) uint8 matrix: ``(wellformed, reasons, warnings,
    placeholder_rows)``.

    Rows that are not well formed (bytes outside the GB 32100 alphabet, lower case included)
    get meaningless reasons: they go through the cleaning of ``normalize_usccs``."""
    u8 = np.uint8
    # character values (255 outside the alphabet), one C loop over the block's bytes
    values = np.frombuffer(np.ascontiguousarray(mat).tobytes().translate(_VALUE_BYTES), u8)
    v = np.ascontiguousarray(values.reshape(-1, 18).T)  # (18, k)
    bad = np.maximum.reduce(v, axis=0) > u8(30)
    # MOD 31 (GB 32100-2015 §4.5): weighted sum + check value = 0 (mod 31)
    total = np.einsum("i,ij->j", _USCC_WEIGHTS, v[:17]).astype(np.uint32)
    total += v[17]
    reasons = (total != ((total * _DIV31) >> 20) * 31).astype(np.uint16) << np.uint16(8)
    # authority and category (table 1)
    pair = v[0].astype(np.uint16) * np.uint16(31) + v[1]
    low = _pair_table().take(pair, mode="clip")
    # division: 6 digits, province part hard, county part a warning
    division, warnings = _division_checks(v[2:8])
    low |= division
    # embedded organisation code, GB 11714-1997 MOD 11 (values A=10 .. Z=35: the GB 32100
    # value plus the letters I O S V left out before it)
    o = v[8:16]
    o = o + (o >= u8(18)) + (o >= u8(23)) + (o >= u8(26)) + (o >= u8(28))
    oacc = np.einsum("i,ij->j", _ORG_WEIGHTS, o).astype(np.uint32)
    expected = u8(11) - (oacc - ((oacc * _DIV11) >> 16) * 11).astype(u8)  # 1..11
    expected -= (expected == 11).view(u8) * u8(11)  # 11 -> "0"
    expected += (expected == 10).view(u8) * u8(_X_VALUE - 10)  # 10 -> "X"
    low |= (expected != v[16]).view(u8) * u8(R_BAD_ORGCODE_CHECK)
    reasons |= low
    # placeholders
    placeholders = np.zeros(0, np.intp)
    candidates = (v[1] == v[0]) & (v[2] == v[0])
    step = v[2] == v[1] + u8(1)
    for i in range(2, 5):
        step &= v[i + 1] == v[i] + u8(1)
    candidates |= step
    # only among well-formed rows: the others are cleaned (and judged) again, once
    candidates &= ~bad
    if candidates.any():
        rows = np.flatnonzero(candidates)
        sub = v[:, rows]
        hit = (sub == sub[0]).all(axis=0)
        for row in _PLACEHOLDER_ROWS:
            hit |= (sub == row[:, None]).all(axis=0)
        placeholders = rows[hit]
        reasons[placeholders] = R_PLACEHOLDER
        warnings[placeholders] = 0
    return ~bad, reasons, warnings, placeholders


def _regno_checks(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``legacy_checks`` of (k, 15) uint8 registration numbers (15 ASCII digits)."""
    d = (mat - np.uint8(48)).astype(np.int64)
    p = np.full(len(d), 10, np.int64)
    for i in range(14):  # ISO 7064 MOD 11,10
        s = (p + d[:, i]) % 10
        s[s == 0] = 10
        p = 2 * s % 11
    reasons, warnings = _division_checks(np.ascontiguousarray(d[:, :6].T.astype(np.uint8)))
    reasons = reasons.astype(np.uint16)
    reasons[(11 - p) % 10 != d[:, 14]] |= R_BAD_CHECK
    return reasons, warnings


def _orgcode_checks(mat: np.ndarray) -> np.ndarray:
    """``legacy_checks`` reasons of (k, 9) uint8 organisation codes."""
    acc = _ORG_VALUE[mat[:, :8]].astype(np.int64) @ _ORG_WEIGHTS.astype(np.int64)
    return np.where(_ORG_CHECK_BY_REM[acc % 11] != mat[:, 8], R_BAD_CHECK, 0).astype(np.uint16)


_NOT_IN_CHARSET = np.array([ord(c) for c in "IOSVZ"], np.int32)
_ORG_CHECK_CHARS = np.array([ord(c) for c in "0123456789X"], np.int32)
_ORGCODE_HYPHEN_RE2 = (
    "^[0-9A-Za-z]{8}" + K.re2_class("-\u2010\u2011\u2013\u2014\u2212") + "[0-9Xx]$"
)


def normalize_usccs(values: object) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """Column form of ``normalize_uscc``: ``(normalized, kind, repair bits, terminal reasons)``.

    NumPy over the characters of the whole column (``_clean.clean_codes``); only rows that
    still hold non-ASCII characters after the cleaning (where ``str.upper`` could make letters
    of them) go through the scalar ``normalize_uscc``. ``normalized`` is null where the scalar
    form gives None."""
    arr = C.as_string_array(values)
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    n = len(arr)
    reasons = np.zeros(n, np.uint16)
    kind = np.zeros(n, np.uint8)
    c = K.clean_codes(arr)
    blank, placeholder = c.blank, c.placeholder.copy()
    repairs = np.where(c.fullwidth, F_FULLWIDTH, 0).astype(np.uint8)
    repairs |= np.where(c.whitespace, F_WHITESPACE, 0).astype(np.uint8)
    repairs |= np.where(c.punctuation, F_PUNCTUATION, 0).astype(np.uint8)
    reasons[blank] = R_EMPTY
    reasons[placeholder] = R_PLACEHOLDER
    live = ~(blank | placeholder)
    repairs[~live] = 0
    # an organisation code written with the hyphen before its check character: not a repair
    hyphen = live & c.punctuation & (c.length == 9)
    if hyphen.any():
        hyphen[hyphen] = K.matches(K.strip_all(c.half(hyphen)), _ORGCODE_HYPHEN_RE2)
        repairs[hyphen] &= ~np.uint8(F_PUNCTUATION)
    # rows with other characters than ASCII left: the scalar cleaner (str.upper is Unicode's)
    odd = live & c.any(c.chars > 0x7F)
    live &= ~odd
    lower = c.translate_ascii(string.ascii_lowercase, string.ascii_uppercase)
    repairs[live & lower] |= F_LOWER_CASE
    code = c.code()
    repeated = live & (c.repeated() | K.mask(pc.is_in(code, value_set=_PLACEHOLDER_CODES)))
    reasons[repeated] = R_PLACEHOLDER
    placeholder |= repeated
    live &= ~repeated
    kinds = np.where(c.length == 18, K_USCC, np.where(c.length == 15, K_REGNO, K_NONE))
    kinds = np.where(c.length == 9, K_ORGCODE, kinds).astype(np.uint8)
    kind[live] = kinds[live]
    digits = c.count((c.chars >= ord("0")) & (c.chars <= ord("9")))
    letters = c.count((c.chars >= ord("A")) & (c.chars <= ord("Z")))
    for hit, reason in (
        (lambda: digits + letters != c.length, R_BAD_CHARS),
        (lambda: kind == K_NONE, R_BAD_LENGTH),
        (lambda: (kind == K_USCC) & c.any(np.isin(c.chars, _NOT_IN_CHARSET)), R_BAD_CHARS),
        (lambda: (kind == K_REGNO) & (digits != 15), R_BAD_CHARS),
        (lambda: (kind == K_ORGCODE) & ~np.isin(c.char_at(8), _ORG_CHECK_CHARS), R_BAD_CHARS),
    ):
        hit = live & hit()
        reasons[hit] = reason
        live &= ~hit
    if odd.any():
        rows = np.flatnonzero(odd)
        results = [normalize_uscc(v) for v in arr.take(pa.array(rows)).to_pylist()]
        code = pc.replace_with_mask(
            code, pa.array(odd), pa.array([r[0] for r in results], pa.string())
        )
        kind[rows] = [r[1] for r in results]
        repairs[rows] = [r[2] for r in results]
        reasons[rows] = [r[3] for r in results]
    if (blank | placeholder).any():
        code = pc.if_else(pa.array(blank | placeholder), pa.scalar(None, pa.string()), code)
    return code, kind, repairs, reasons


@dataclass
class UsccColumns:
    """Outcome of the rule for a column."""

    source: pa.Array
    fixed_rows: np.ndarray  # rows whose normalized form may differ from the input (ascending)
    fixed_values: pa.Array  # their normalized forms (null for empty/placeholder), same order
    valid: np.ndarray  # bool (legacy codes: their own validity)
    kind_code: np.ndarray  # uint8: 0 none, 1 uscc, 2 legacy_regno, 3 legacy_orgcode
    reason_bits: np.ndarray  # uint16
    warning_bits: np.ndarray  # uint8
    repair_bits: np.ndarray  # uint8

    def __len__(self) -> int:
        return len(self.valid)

    @cached_property
    def normalized(self) -> pa.Array:
        """Normalized codes (null for empty and placeholder rows), built on first use."""
        return C.replace_sorted_rows(self.source, self.fixed_rows, self.fixed_values)

    def kinds(self) -> list[str | None]:
        return C.decode_small_ints(self.kind_code, (None, *KINDS), self.kind_code == 0).to_pylist()

    def reasons(self) -> list[list[str]]:
        return C.decode_bits(REASONS, self.reason_bits)

    def warnings(self) -> list[list[str]]:
        return C.decode_bits(WARNINGS, self.warning_bits)

    def repairs(self) -> list[list[str]]:
        return C.decode_bits(REPAIRS, self.repair_bits)

    def counts(self) -> dict[str, dict[str, int]]:
        kinds = np.bincount(self.kind_code, minlength=4)
        return {
            "kinds": {k: int(kinds[i + 1]) for i, k in enumerate(KINDS)},
            "reasons": C.count_codes(REASONS, self.reason_bits),
            "warnings": C.count_codes(WARNINGS, self.warning_bits),
            "repairs": C.count_codes(REPAIRS, self.repair_bits),
        }

    def to_arrow(self) -> pa.StructArray:
        """Struct: normalized, valid, kind, reasons, warnings, repairs, division, orgcode."""
        norm = self.normalized.cast(pa.string())
        invalid = ~self.valid
        kind = self.kind_code
        div_mask = invalid | ((kind != K_USCC) & (kind != K_REGNO))
        org_mask = invalid | ((kind != K_USCC) & (kind != K_ORGCODE))
        # substrings per kind: USCC 3-8 / 9-17, regno 1-6, orgcode whole
        division = pc.if_else(
            pa.array(kind == K_USCC),
            pc.utf8_slice_codeunits(norm, 2, 8),
            pc.utf8_slice_codeunits(norm, 0, 6),
        )
        orgcode = pc.if_else(pa.array(kind == K_USCC), pc.utf8_slice_codeunits(norm, 8, 17), norm)
        division = pc.if_else(pa.array(div_mask), pa.scalar(None, pa.string()), division)
        orgcode = pc.if_else(pa.array(org_mask), pa.scalar(None, pa.string()), orgcode)
        return pa.StructArray.from_arrays(
            [
                norm,
                pa.array(self.valid, pa.bool_()),
                C.decode_small_ints(kind, ("", *KINDS), kind == 0),
                C.arrow_code_lists(REASONS, self.reason_bits),
                C.arrow_code_lists(WARNINGS, self.warning_bits),
                C.arrow_code_lists(REPAIRS, self.repair_bits),
                division,
                orgcode,
            ],
            names=list(STRUCT_FIELDS),
        )

    def to_pandas(self):
        return C.struct_to_pandas(self.to_arrow())


STRUCT_FIELDS = (
    "normalized",
    "valid",
    "kind",
    "reasons",
    "warnings",
    "repairs",
    "division",
    "orgcode",
)


# Fewer dirty rows than this in a call go through the scalar rule (~10 us a row) rather than the
# column cleaner (~1.5 ms of set-up, then ~1 us a row): small Arrow batches (Spark's are 4096
# rows when read from Parquet) have a few dozen.
SCALAR_BELOW = 256


def check_usccs(values: object) -> UsccColumns:
    """Normalize and validate a column of credit codes (GB 32100-2015), vectorized.

    Rows of 18 bytes over the GB 32100 alphabet are checked on a uint8 matrix (viewed, or copied
    in runs, from the Arrow buffer); the other rows (repairs, legacy codes, junk) are cleaned as
    one array by ``normalize_usccs``, then 18-character results go through the same matrix
    checks and legacy codes through the column forms of ``legacy_checks``."""
    arr = C.as_string_array(values)
    n = len(arr)
    reasons = np.zeros(n, np.uint16)
    warnings = np.zeros(n, np.uint8)
    repairs = np.zeros(n, np.uint8)
    kind = np.zeros(n, np.uint8)
    clean = np.zeros(n, bool)
    placeholders: list[np.ndarray] = []

    for start, stop, rows, mat in C.fixed_width_blocks(arr, 18):
        ok, r, w, ph = _check_block(mat)
        if rows is None:
            reasons[start:stop], warnings[start:stop], clean[start:stop] = r, w, ok
        else:
            reasons[start:stop][rows], warnings[start:stop][rows] = r, w
            clean[start:stop][rows] = ok
            if ph.size:
                ph = np.flatnonzero(rows)[ph]
        if ph.size:
            placeholders.append(start + ph)
    kind[clean] = K_USCC
    for ph in placeholders:
        kind[ph] = K_NONE

    # the other rows, cleaned BLOCK_ROWS at a time (bounded memory: ~1 KiB per row in flight)
    dirty = np.flatnonzero(~clean)
    parts = [pa.array([], pa.string())]
    for start in range(0, dirty.size, C.BLOCK_ROWS):
        chunk = dirty[start : start + C.BLOCK_ROWS]
        sub = arr.take(pa.array(chunk))
        if chunk.size < SCALAR_BELOW:  # a few rows: the scalar rule costs less than the set-up
            results = [outcome_bits(v) for v in sub.to_pylist()]
            kind[chunk] = [r[1] for r in results]
            repairs[chunk] = [r[2] for r in results]
            reasons[chunk] = [r[3] for r in results]
            warnings[chunk] = [r[4] for r in results]
            parts.append(pa.array([r[0] for r in results], pa.string()))
            continue
        codes, kind[chunk], repairs[chunk], terminal = normalize_usccs(sub)
        reasons[chunk] = terminal
        warnings[chunk] = 0
        live = terminal == 0
        chunk_kind = kind[chunk]
        for k, width in ((K_USCC, 18), (K_REGNO, 15), (K_ORGCODE, 9)):
            sel = live & (chunk_kind == k)
            if not sel.any():
                continue
            rows = chunk[sel]
            mat = C.fixed_width_matrix(codes.filter(pa.array(sel)), width)
            if k == K_REGNO:
                reasons[rows], warnings[rows] = _regno_checks(mat)
            elif k == K_ORGCODE:
                reasons[rows] = _orgcode_checks(mat)
            else:
                _, reasons[rows], warnings[rows], _ = _check_block(mat)
        parts.append(codes)
    codes = pa.concat_arrays(parts)

    fixed_rows, fixed_values = C.add_null_rows(dirty, codes, placeholders)
    return UsccColumns(
        source=arr,
        fixed_rows=fixed_rows,
        fixed_values=fixed_values,
        valid=reasons == 0,
        kind_code=kind,
        reason_bits=reasons,
        warning_bits=warnings,
        repair_bits=repairs,
    )
