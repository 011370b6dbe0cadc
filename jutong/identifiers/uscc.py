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
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.identifiers import _columns as C
from jutong.identifiers._text import (
    as_text,
    clean_code,
    is_placeholder_text,
    strip_all,
    to_halfwidth,
)
from jutong.identifiers.checkdigits import (
    ORGCODE_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    orgcode_check,
    regno_check,
    uscc_check,
)
from jutong.reference import load_divisions, province_codes

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


def check_uscc(value: object) -> UsccResult:
    """Normalize and validate one unified social credit code (GB 32100-2015) or legacy code."""
    code, kind, repairs, reasons = normalize_uscc(value)
    warnings = 0
    if not reasons:
        reasons, warnings = uscc_checks(code) if kind == K_USCC else legacy_checks(code, kind)
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
_ORG_VALUE = C.byte_table("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # GB 11714: A=10 .. Z=35
_USCC_WEIGHTS = np.array(USCC_WEIGHTS, np.uint16)
_ORG_WEIGHTS = np.array(ORGCODE_WEIGHTS, np.uint16)
_CHARSET_BYTES = np.frombuffer(USCC_CHARSET.encode("ascii"), np.uint8)
_PAIR_OK = np.zeros((256, 256), bool)
for _auth, _cats in AUTHORITY_CATEGORIES.items():
    for _cat in _cats:
        _PAIR_OK[ord(_auth), ord(_cat)] = True
_AUTH_OK = np.zeros(256, bool)
_AUTH_OK[[ord(a) for a in AUTHORITY_CATEGORIES]] = True
_PLACEHOLDER_ROWS = C.matrix_from_strings(sorted(p for p in PLACEHOLDER_CODES if len(p) == 18), 18)


def _org_check_table() -> np.ndarray:
    # expected check byte indexed by (sum mod 11)
    table = np.zeros(11, np.uint8)
    for r in range(11):
        c = 11 - r
        table[r] = ord("X") if c == 10 else ord("0") if c == 11 else ord(str(c))
    return table


_ORG_CHECK_BY_REM = _org_check_table()


def _check_block(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``uscc_checks`` on a (k, 18) uint8 matrix: ``(wellformed, reasons, warnings)``.

    Rows that are not well formed (bytes outside the GB 32100 alphabet, lower case included)
    need the scalar cleaner."""
    provinces = C.province_table()
    counties = C.county_table((NATIONAL_DIVISION,))
    t = np.ascontiguousarray(mat.T)
    v = _VALUE[t]  # (18, k) values 0..30, 255 outside the alphabet
    bad = v[0] == 255
    for i in range(1, 18):
        bad |= v[i] == 255
    # MOD 31 (GB 32100-2015 §4.5)
    acc = v[0] * _USCC_WEIGHTS[0]
    for i in range(1, 17):
        acc += v[i] * _USCC_WEIGHTS[i]
    expected = _CHARSET_BYTES[(31 - acc % 31) % 31]
    reasons = np.where(expected != t[17], R_BAD_CHECK, 0).astype(np.uint16)
    # authority and category (table 1)
    reasons |= np.where(
        _AUTH_OK[t[0]], np.where(_PAIR_OK[t[0], t[1]], 0, R_BAD_CATEGORY), R_BAD_AUTHORITY
    ).astype(np.uint16)
    # division: 6 digits, province part hard, county part a warning
    d = t[2:8] - np.uint8(48)
    digits = (d <= 9).all(axis=0)
    p = d[0] * np.uint8(10) + d[1]
    county = p * np.int32(10000) + d[2] * np.int32(1000) + d[3] * np.int32(100)
    county += d[4] * np.int32(10) + d[5]
    # the national level registers with exactly 100000, not any "10xxxx"
    prov_ok = digits & (provinces[np.minimum(p, 99)] | (county == int(NATIONAL_DIVISION)))
    status = counties[np.clip(county, 0, 999_999)]
    reasons |= np.where(prov_ok, 0, R_BAD_DIVISION).astype(np.uint16)
    warnings = np.where(status == C.COUNTY_UNKNOWN, W_UNKNOWN_COUNTY, 0)
    warnings |= np.where(status == C.COUNTY_ABOLISHED, W_ABOLISHED_COUNTY, 0)
    warnings = np.where(prov_ok, warnings, 0).astype(np.uint8)
    # embedded organisation code, GB 11714-1997 MOD 11
    o = _ORG_VALUE[t[8:16]]
    oacc = o[0] * _ORG_WEIGHTS[0]
    for i in range(1, 8):
        oacc += o[i] * _ORG_WEIGHTS[i]
    org_expected = _ORG_CHECK_BY_REM[oacc % 11]
    reasons |= np.where(org_expected != t[16], R_BAD_ORGCODE_CHECK, 0).astype(np.uint16)
    # placeholders
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
    return ~bad, reasons, warnings


@dataclass
class UsccColumns:
    """Outcome of the rule for a column."""

    source: pa.Array
    fixed_rows: np.ndarray
    fixed_values: list
    valid: np.ndarray  # bool (legacy codes: their own validity)
    kind_code: np.ndarray  # uint8: 0 none, 1 uscc, 2 legacy_regno, 3 legacy_orgcode
    reason_bits: np.ndarray  # uint16
    warning_bits: np.ndarray  # uint8
    repair_bits: np.ndarray  # uint8

    def __len__(self) -> int:
        return len(self.valid)

    @property
    def normalized(self) -> pa.Array:
        if not hasattr(self, "_normalized"):
            self._normalized = C.replace_rows(self.source, self.fixed_rows, self.fixed_values)
        return self._normalized

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


def check_usccs(values: object) -> UsccColumns:
    """Normalize and validate a column of credit codes (GB 32100-2015), vectorized.

    18-character rows over the GB 32100 alphabet are checked on a uint8 matrix; other rows
    (repairs, legacy codes, junk) go through the scalar cleaner, then 18-character results
    through the same matrix checks and legacy codes through ``legacy_checks``."""
    from jutong.identifiers.resident_id import _blocks

    arr = C.as_string_array(values)
    n = len(arr)
    reasons = np.zeros(n, np.uint16)
    warnings = np.zeros(n, np.uint8)
    repairs = np.zeros(n, np.uint8)
    kind = np.zeros(n, np.uint8)
    done = np.zeros(n, bool)
    fixed_rows: list[int] = []
    fixed_values: list[str | None] = []

    for start, stop, mat in _blocks(arr, 18):
        ok, r, w = _check_block(mat)
        reasons[start:stop], warnings[start:stop] = r, w
        done[start:stop] = ok
        kind[start:stop] = np.where(ok, K_USCC, 0)
        placeholder = np.flatnonzero(ok & (r == R_PLACEHOLDER))
        if placeholder.size:
            kind[start + placeholder] = K_NONE
            fixed_rows.extend((start + placeholder).tolist())
            fixed_values.extend([None] * placeholder.size)

    slow_rows = np.flatnonzero(~done)
    if slow_rows.size:
        raw_values = arr.take(pa.array(slow_rows)).to_pylist()
        candidates: list[str] = []
        candidate_rows: list[int] = []
        for row, raw in zip(slow_rows.tolist(), raw_values, strict=True):
            code, k, rep, reason = normalize_uscc(raw)
            warn = 0
            if not reason and k != K_USCC:
                reason, warn = legacy_checks(code, k)
            elif not reason:
                candidates.append(code)
                candidate_rows.append(row)
            kind[row], repairs[row], reasons[row], warnings[row] = k, rep, reason, warn
            if code != raw:
                fixed_rows.append(row)
                fixed_values.append(code)
        if candidates:
            cand = np.asarray(candidate_rows)
            mat = C.matrix_from_strings(candidates, 18)
            for start in range(0, len(cand), C.BLOCK_ROWS):
                block = slice(start, start + C.BLOCK_ROWS)
                _, r, w = _check_block(mat[block])
                reasons[cand[block]], warnings[cand[block]] = r, w

    return UsccColumns(
        source=arr,
        fixed_rows=np.asarray(fixed_rows, np.int64),
        fixed_values=fixed_values,
        valid=reasons == 0,
        kind_code=kind,
        reason_bits=reasons,
        warning_bits=warnings,
        repair_bits=repairs,
    )
