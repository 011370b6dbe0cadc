"""Addresses split into province / city / county / rest by their leading division names.

An address that starts with division names (full, 广西壮族自治区柳州市柳江区, or short, 广西柳州柳江)
is split along GB/T 2260: each level must lie under the previous one, a level may be skipped
(柳州市城中区… gives the province from the city), and historical (abolished) names are kept
(柳江县… → 450221). An address that does not start with a division name is all ``rest``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.reference import load_divisions
from jutong.standardize._vector import map_distinct, matches, with_fast_path
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
    taken, province, city = _province_city(s)
    rest, county = s[taken:], None
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


# An address whose first character is a Chinese character needs no trimming nor width
# conversion before its division names are matched (no division name holds anything else).
_STARTS_CJK = r"^[\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}]"


def _longest(level: str) -> int:
    return _index_by_level()[level][0][0] if _index_by_level()[level][0] else 0


def _province_city(head: str) -> tuple[int, str | None, str | None]:
    """``split_address``'s province and city matches on the head of an address: (characters
    they take, province code, city code)."""
    rest, province, city = head, None, None
    m = _match(rest, "province", None)
    if m:
        province, rest = m[1], rest[len(m[0]) :]
    m = _match(rest, "city", province[:2] if province else None)
    if m:
        city, rest = m[1], rest[len(m[0]) :]
    return len(head) - len(rest), province, city


def _match_county(window: pa.Array, within: pa.Array) -> pa.Array:
    """``_match(text, "county", within)`` per row, on ``window`` (the text's first characters,
    as many as the longest county name): per name length, longest first, the prefixes are
    looked up in the names with ``is_in``; the rows that hit are resolved once per distinct
    (name, parent code) pair by ``_match`` on the name itself."""
    lengths, by_name = _index_by_level()["county"]
    n = len(window)
    found = np.zeros(n, bool)
    code = pa.nulls(n, pa.string())
    parent = pc.dictionary_encode(within, null_encoding="encode")
    parents = parent.dictionary.to_pylist()
    parent_at = parent.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    for size in lengths:
        names = pa.array([nm for nm in by_name if len(nm) == size], pa.string())
        prefix = pc.utf8_slice_codeunits(window, 0, size)
        hit = pc.is_in(prefix, names).fill_null(False).to_numpy(zero_copy_only=False) & ~found
        rows = np.flatnonzero(hit)
        if not rows.size:
            continue
        name = pc.dictionary_encode(prefix.take(pa.array(rows)))
        pair = name.indices.to_numpy(zero_copy_only=False).astype(np.int64) * len(parents)
        pair += parent_at[rows]
        pairs, inverse = np.unique(pair, return_inverse=True)
        names_k = name.dictionary.to_pylist()
        got = []
        for k in pairs.tolist():
            m = _match(names_k[k // len(parents)], "county", parents[k % len(parents)])
            got.append(m[1] if m else None)
        codes_at = pa.array(got, pa.string()).take(pa.array(inverse.ravel()))
        ok = ~np.asarray(pc.is_null(codes_at))
        if not ok.any():
            continue
        rows = rows[ok]
        found[rows] = True
        full = np.full(n, -1, np.int64)
        full[rows] = np.arange(rows.size)
        picked = codes_at.filter(pa.array(ok)).take(pa.array(full, mask=full < 0))
        code = pc.coalesce(code, picked)
    return code


def _division_codes_clean(arr: pa.Array) -> tuple[np.ndarray, pa.StructArray]:
    """``split_address``'s division code of the addresses that start with a Chinese character.

    Its matches read at most the longest province, city and county names' characters: the
    province and city are matched once per distinct head of the address (a few hundred in a
    million rows), the county once per distinct (next characters, parent code). The rows are
    sliced, encoded and gathered by Arrow and NumPy; ``_match`` itself decides every match."""
    mask = matches(arr, _STARTS_CJK)
    text = arr.filter(pa.array(mask)).cast(pa.string())
    n = len(text)
    if not n:
        return mask, pa.StructArray.from_arrays([pa.nulls(0, pa.string())], names=["division_code"])
    head = pc.dictionary_encode(
        pc.utf8_slice_codeunits(text, 0, _longest("province") + _longest("city"))
    )
    heads = [_province_city(h) for h in head.dictionary.to_pylist()]
    at = head.indices.to_numpy(zero_copy_only=False)
    used = np.array([h[0] for h in heads], np.int64)[at]
    province = pa.array([h[1] for h in heads], pa.string()).take(head.indices)
    city = pa.array([h[2] for h in heads], pa.string()).take(head.indices)
    within = pc.coalesce(
        pc.utf8_slice_codeunits(city, 0, 4), pc.utf8_slice_codeunits(province, 0, 2)
    )
    # the county: on the characters after the province and city, under their code
    width = _longest("county")
    starts = np.unique(used)
    windows = [pc.utf8_slice_codeunits(text, int(u), int(u) + width) for u in starts]
    window = windows[0]
    if len(starts) > 1:
        pick = np.searchsorted(starts, used) * n + np.arange(n)
        window = pa.concat_arrays(windows).take(pa.array(pick))
    county_codes = _match_county(window, within)
    code = pc.coalesce(county_codes, city, province)
    return mask, pa.StructArray.from_arrays([code], names=["division_code"])


def address_division_codes(values: object) -> pa.Array:
    """The division code ``split_address`` recognises at the head of each address
    (``split_addresses(values).field("division_code")``), without the other parts: addresses
    that start with a Chinese character are matched level by level with Arrow compute; the
    others (blank, leading spaces or digits …) by ``split_address`` once per distinct value."""
    out = with_fast_path(
        values,
        _division_codes_clean,
        lambda a: pa.StructArray.from_arrays(
            [split_addresses(a).field("division_code")], names=["division_code"]
        ),
    )
    return out.field("division_code")
