"""Administrative divisions, GB/T 2260: code <-> name, historical codes kept.

A resident ID or an old record carries the code in force at the time (GB 11643-1999), so an
abolished code resolves to its name, with ``status="abolished"`` and the code that replaced it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from jutong.reference import Division, full_name, load_divisions
from jutong.standardize._vector import map_distinct
from jutong.text.cells import as_text, strip_all
from jutong.text.width import to_halfwidth

REASONS = ("empty", "bad_format", "unknown_code", "unknown_name", "ambiguous_name")

# Suffixes dropped to form the short names used in addresses and speech (GB/T 2260 names).
_PROVINCE_SUFFIXES = (
    "壮族自治区",
    "回族自治区",
    "维吾尔自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)
_LOWER_SUFFIXES = ("各族自治县", "自治县", "自治州", "地区", "新区", "市", "区", "县", "盟", "旗")
_ETHNIC_SUFFIX = re.compile(r"(?:[\u4e00-\u9fff]{1,3}族)+自治[县州旗]")


@dataclass(frozen=True)
class DivisionResult:
    code: str | None
    name: str | None
    full_name: str | None
    level: str | None
    status: str | None  # current | abolished
    replaced_by: str | None
    replaced_by_name: str | None
    valid: bool
    reason: str | None


def short_name(d: Division) -> str | None:
    """The short form of a division name (广西, 柳州, 柳江, 融水), or None when it has none."""
    name = d.name
    if name == "市辖区":
        return None
    suffixes = _PROVINCE_SUFFIXES if d.level == "province" else _LOWER_SUFFIXES
    if d.level != "province":  # 融水苗族自治县 -> 融水, 龙胜各族自治县 -> 龙胜
        for i in range(2, len(name) - 3):
            if _ETHNIC_SUFFIX.fullmatch(name, i):
                return name[:i]
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def _result(d: Division) -> DivisionResult:
    divs = load_divisions()
    repl = divs.get(d.replaced_by) if d.replaced_by else None
    return DivisionResult(
        code=d.code,
        name=d.name,
        full_name=full_name(d.code),
        level=d.level,
        status=d.status,
        replaced_by=d.replaced_by,
        replaced_by_name=repl.name if repl else None,
        valid=True,
        reason=None,
    )


def _failure(reason: str, code: str | None = None) -> DivisionResult:
    return DivisionResult(code, None, None, None, None, None, None, False, reason)


def lookup_division_code(value: object) -> DivisionResult:
    """Name, full name, level and status of a 6-digit division code (abolished codes too)."""
    text = as_text(value)
    s = strip_all(to_halfwidth(text)) if text is not None else ""
    if s.endswith(".0"):
        s = s[:-2]
    if not s:
        return _failure("empty")
    if not (len(s) == 6 and s.isascii() and s.isdigit()):
        return _failure("bad_format", s)
    d = load_divisions().get(s)
    return _result(d) if d else _failure("unknown_code", s)


@cache
def name_index() -> dict[str, tuple[str, ...]]:
    """Full names, full-path names and short names -> the division codes carrying them."""
    index: dict[str, list[str]] = {}
    for code, d in load_divisions().items():
        if d.name == "市辖区":
            continue
        keys = {d.name, full_name(code)}
        short = short_name(d)
        if short:
            keys.add(short)
        for key in keys:
            index.setdefault(key, []).append(code)
    # a current division wins over the abolished one of the same name
    out = {}
    for key, codes in index.items():
        current = [c for c in codes if load_divisions()[c].status == "current"]
        out[key] = tuple(sorted(current or codes))
    return out


def lookup_division_name(value: object) -> DivisionResult:
    """Division code of a name (full 广西壮族自治区柳州市柳江区, plain 柳江区 or short 柳江)."""
    text = as_text(value)
    s = re.sub(r"\s+", "", to_halfwidth(text)) if text is not None else ""
    if not s:
        return _failure("empty")
    codes = name_index().get(s)
    if not codes:
        return _failure("unknown_name")
    if len(codes) > 1:
        return _failure("ambiguous_name")
    return _result(load_divisions()[codes[0]])


FIELDS = (
    ("code", pa.string()),
    ("name", pa.string()),
    ("full_name", pa.string()),
    ("level", pa.string()),
    ("status", pa.string()),
    ("replaced_by", pa.string()),
    ("replaced_by_name", pa.string()),
    ("valid", pa.bool_()),
    ("reason", pa.string()),
)


def lookup_division_codes(values: object) -> pa.StructArray:
    """Column form of ``lookup_division_code``."""
    return map_distinct(values, lambda v: tuple(vars(lookup_division_code(v)).values()), FIELDS)


def lookup_division_names(values: object) -> pa.StructArray:
    """Column form of ``lookup_division_name``."""
    return map_distinct(values, lambda v: tuple(vars(lookup_division_name(v)).values()), FIELDS)
