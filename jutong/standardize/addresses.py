"""Addresses split into province / city / county / rest by their leading division names.

An address that starts with division names (full, 广西壮族自治区柳州市柳江区, or short, 广西柳州柳江)
is split along GB/T 2260: each level must lie under the previous one, a level may be skipped
(柳州市城中区… gives the province from the city), and historical (abolished) names are kept
(柳江县… → 450221). An address that does not start with a division name is all ``rest``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from jutong.reference import load_divisions
from jutong.standardize._vector import map_distinct
from jutong.standardize.divisions import short_name
from jutong.text.cells import as_text, strip_all
from jutong.text.width import to_halfwidth

REASONS = ("empty",)


@dataclass(frozen=True)
class AddressParts:
    province: str | None
    city: str | None
    county: str | None
    rest: str | None
    division_code: str | None  # most specific division recognised
    valid: bool
    reason: str | None


@cache
def _names_by_level() -> dict[str, list[tuple[str, str]]]:
    """level -> [(name or short name, code)], longest names first."""
    out: dict[str, list[tuple[str, str]]] = {"province": [], "city": [], "county": []}
    for code, d in load_divisions().items():
        if d.name == "市辖区":
            continue
        names = {d.name}
        short = short_name(d)
        if short:
            names.add(short)
        for name in names:
            out[d.level].append((name, code))
    for names in out.values():
        names.sort(key=lambda nc: (-len(nc[0]), load_divisions()[nc[1]].status != "current"))
    return out


def _parent_city(code: str) -> str | None:
    d = load_divisions()[code]
    parent = load_divisions().get(d.parent) if d.parent else None
    return parent.code if parent and parent.level == "city" else None


@cache
def _index_by_level() -> dict[str, tuple[tuple[int, ...], dict[str, tuple[str, ...]]]]:
    """level -> (name lengths, longest first; name -> its codes in the order of
    ``_names_by_level``): a dictionary look-up per length instead of a scan of every name."""
    out = {}
    for level, names in _names_by_level().items():
        by_name: dict[str, list[str]] = {}
        for name, code in names:
            by_name.setdefault(name, []).append(code)
        lengths = tuple(sorted({len(n) for n in by_name}, reverse=True))
        out[level] = (lengths, {n: tuple(c) for n, c in by_name.items()})
    return out


def _match(text: str, level: str, within: str | None) -> tuple[str, str] | None:
    """(name as written, code) of the longest division name of ``level`` starting ``text``."""
    lengths, by_name = _index_by_level()[level]
    for n in lengths:
        if n > len(text):
            continue
        codes = by_name.get(text[:n])
        if codes:
            for code in codes:
                if within is None or code.startswith(within):
                    return text[:n], code
    return None


def split_address(value: object) -> AddressParts:
    text = as_text(value)
    s = strip_all(to_halfwidth(text)) if text is not None else ""
    if not s:
        return AddressParts(None, None, None, None, None, False, "empty")
    divs = load_divisions()
    rest, province, city, county = s, None, None, None
    m = _match(rest, "province", None)
    if m:
        province, rest = m[1], rest[len(m[0]) :]
    m = _match(rest, "city", province[:2] if province else None)
    if m:
        city, rest = m[1], rest[len(m[0]) :]
    within = city[:4] if city else province[:2] if province else None
    m = _match(rest, "county", within)
    if m:
        county, rest = m[1], rest[len(m[0]) :]
        city = city or _parent_city(county)
    if city and not province:
        province = city[:2] + "0000"
    code = county or city or province
    return AddressParts(
        province=divs[province].name if province else None,
        city=divs[city].name if city and divs[city].name != "市辖区" else None,
        county=divs[county].name if county else None,
        rest=rest.strip() or None,
        division_code=code,
        valid=True,
        reason=None,
    )


FIELDS = (
    ("province", pa.string()),
    ("city", pa.string()),
    ("county", pa.string()),
    ("rest", pa.string()),
    ("division_code", pa.string()),
    ("valid", pa.bool_()),
    ("reason", pa.string()),
)


def split_addresses(values: object) -> pa.StructArray:
    """Column form of ``split_address``."""
    return map_distinct(values, lambda v: tuple(vars(split_address(v)).values()), FIELDS)
