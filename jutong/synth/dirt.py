"""The errors real extracts carry, applied to a batch of rows, each recorded as a tag.

Tags (the truth ``dirt`` column):

- per value of an entity (the role's ID and name columns): ``id:legacy15``, ``id:lower_x``,
  ``id:fullwidth``, ``id:spaces``, ``id:bad_check``, ``id:missing``, ``id:placeholder``,
  ``id:orgcode``, ``id:regno``, ``name:variant``, ``name:spaces``, and from the dataset
  builders ``address:old`` and ``mobile:format``;
- per row (given to every role of the row): ``date:format``, ``value:missing``, ``dup``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from jutong.identifiers.checkdigits import RID_CHECK_CHARS, USCC_CHARSET
from jutong.synth import pools
from jutong.synth.rates import DirtRates
from jutong.text.width import to_fullwidth

GIVEN_VARIANTS: dict[str, str] = {
    **pools.GIVEN_FEMALE_NEW,
    **pools.GIVEN_MALE_NEW,
    **pools.GIVEN_FEMALE_OLD,
    **pools.GIVEN_MALE_OLD,
}
EXCEL_EPOCH = dt.date(1899, 12, 30)

# Non-ISO date forms; the last two only in Excel files (a date cell, a serial number).
DATE_FORMATS_TEXT = ("slash", "chinese", "compact")
DATE_FORMATS_XLSX = (*DATE_FORMATS_TEXT, "cell", "serial")


@dataclass
class Role:
    """One entity role in every row of a batch (None where the row has no such entity)."""

    role: str
    kind: list[str | None]  # "person" | "org" | None
    entity_id: list[str | None]
    true_key: list[str | None]
    id_col: str | None
    name_col: str | None
    # persons: surname length (to keep variants off the surname); orgs: 0
    surname_len: list[int] | None = None
    # orgs: (organisation code, registration number) for legacy identifiers
    legacy: list[tuple[str, str] | None] | None = None
    dirt: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.dirt:
            self.dirt = [[] for _ in self.entity_id]


@dataclass
class Batch:
    """Rows of one dataset from one chunk: column values (by source column) and roles."""

    cols: dict[str, list]
    roles: list[Role]
    n: int
    row_dirt: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.row_dirt:
            self.row_dirt = [[] for _ in range(self.n)]
        for name, values in self.cols.items():
            if len(values) != self.n:
                raise ValueError(f"column {name} has {len(values)} values, batch has {self.n}")


# --- identifiers ---------------------------------------------------------------------------


def with_spaces(value: str, rng: np.random.Generator) -> str:
    style = int(rng.integers(0, 4))
    if style == 0 and len(value) == 18:
        return f"{value[:6]} {value[6:14]} {value[14:]}"
    if style == 1:
        return value + " "
    if style == 2:
        return " " + value
    pos = int(rng.integers(1, len(value)))
    return value[:pos] + " " + value[pos:]


def bad_check(value: str, alphabet: str, rng: np.random.Generator) -> str:
    others = [c for c in alphabet if c != value[-1]]
    return value[:-1] + others[int(rng.integers(0, len(others)))]


def _structural_id_dirt(
    values: list[str],
    i: int,
    u: float,
    rates: DirtRates,
    tags: list[str],
    alphabet: str,
    rng: np.random.Generator,
) -> tuple[str | None, float]:
    """The dirt shared by person and organisation IDs: missing, placeholder, wrong check
    character. Returns (value, remaining threshold): value None when the ID was replaced
    outright (missing or placeholder, nothing more to apply)."""
    t_missing = rates.id_missing
    t_placeholder = t_missing + rates.id_placeholder
    t_bad = t_placeholder + rates.id_bad_check
    if u < t_missing:
        values[i] = ""
        tags.append("id:missing")
        return None, t_bad
    if u < t_placeholder:
        values[i] = pools.ID_PLACEHOLDERS[int(rng.integers(0, len(pools.ID_PLACEHOLDERS)))]
        tags.append("id:placeholder")
        return None, t_bad
    v = values[i]
    if u < t_bad:
        tags.append("id:bad_check")
        return bad_check(v, alphabet, rng), -1.0  # -1: no further structural dirt
    return v, t_bad


def _cosmetic_id_dirt(v: str, draws, rates: DirtRates, tags: list[str], rng) -> str:
    """Full-width digits and stray spaces (draws: two uniform numbers)."""
    if draws[0] < rates.id_fullwidth:
        v = to_fullwidth(v, only="0123456789Xx")
        tags.append("id:fullwidth")
    if draws[1] < rates.id_spaces:
        v = with_spaces(v, rng)
        tags.append("id:spaces")
    return v


def dirty_person_ids(
    values: list[str], role: Role, rates: DirtRates, rng: np.random.Generator
) -> None:
    """Apply ID dirt in place to a person role's ID column values."""
    n = len(values)
    u = rng.random(n)
    cosmetic = rng.random((n, 3))
    for i in range(n):
        key = role.true_key[i]
        if key is None or role.kind[i] != "person":
            continue
        tags = role.dirt[i]
        v, t_bad = _structural_id_dirt(values, i, u[i], rates, tags, RID_CHECK_CHARS, rng)
        if v is None:
            continue
        if t_bad >= 0 and u[i] < t_bad + rates.id_legacy15 and key[6:8] == "19":
            v = key[:6] + key[8:17]
            tags.append("id:legacy15")
        if v.endswith("X") and cosmetic[i, 0] < rates.id_lower_x:
            v = v[:-1] + "x"
            tags.append("id:lower_x")
        values[i] = _cosmetic_id_dirt(v, cosmetic[i, 1:], rates, tags, rng)


def dirty_org_ids(
    values: list[str], role: Role, rates: DirtRates, rng: np.random.Generator, legacy_ok: bool
) -> None:
    """Apply ID dirt in place to an organisation role's credit-code column values."""
    n = len(values)
    u = rng.random(n)
    cosmetic = rng.random((n, 2))
    legacy_rate = rates.id_org_legacy if legacy_ok else 0.0
    for i in range(n):
        key = role.true_key[i]
        if key is None or role.kind[i] != "org":
            continue
        tags = role.dirt[i]
        v, t_bad = _structural_id_dirt(values, i, u[i], rates, tags, USCC_CHARSET, rng)
        if v is None:
            continue
        if (
            t_bad >= 0
            and u[i] < t_bad + legacy_rate
            and role.legacy is not None
            and role.legacy[i] is not None
        ):
            org_code, regno = role.legacy[i]
            if regno and rng.random() < 0.5:
                v = regno
                tags.append("id:regno")
            else:
                v = f"{org_code[:8]}-{org_code[8]}" if rng.random() < 0.6 else org_code
                tags.append("id:orgcode")
        values[i] = _cosmetic_id_dirt(v, cosmetic[i], rates, tags, rng)


# --- names ---------------------------------------------------------------------------------


def person_name_variant(name: str, surname_len: int, rng: np.random.Generator) -> str | None:
    """Another spelling of a person's name, or None when none is known."""
    if "·" in name:
        return name.replace("·", pools.DOT_VARIANTS[int(rng.integers(0, len(pools.DOT_VARIANTS)))])
    positions = [i for i in range(surname_len, len(name)) if name[i] in GIVEN_VARIANTS]
    if positions:
        p = positions[int(rng.integers(0, len(positions)))]
        return name[:p] + GIVEN_VARIANTS[name[p]] + name[p + 1 :]
    if surname_len == 1 and name[0] in pools.SURNAME_VARIANTS:
        return pools.SURNAME_VARIANTS[name[0]] + name[1:]
    return None


def org_name_variant(name: str, rng: np.random.Generator) -> str | None:
    """Another form of an organisation's name: 有限公司/有限责任公司, without 广西 or the place."""
    options: list[str] = []
    if name.endswith("有限责任公司"):
        options.append(name[: -len("有限责任公司")] + "有限公司")
    elif name.endswith("有限公司") and not name.endswith("股份有限公司"):
        options.append(name[: -len("有限公司")] + "有限责任公司")
    if name.startswith("广西") and len(name) > 6:
        options.append(name[2:])
    for mark in ("市", "县", "区"):
        pos = name.find(mark, 0, 8)
        if 0 < pos < len(name) - 4:
            options.append(name[pos + 1 :])
            break
    if not options:
        return None
    return options[int(rng.integers(0, len(options)))]


def with_name_spaces(name: str, surname_len: int, rng: np.random.Generator) -> str:
    style = int(rng.integers(0, 4))
    if surname_len and style < 2:
        sep = " " if style == 0 else "\u3000"
        return name[:surname_len] + sep + name[surname_len:]
    if style == 2:
        return name + " "
    return " " + name


def dirty_names(
    values: list[str],
    role: Role,
    rates: DirtRates,
    rng: np.random.Generator,
    variant_kinds: frozenset[str],
) -> None:
    n = len(values)
    u = rng.random((n, 2))
    for i in range(n):
        if role.true_key[i] is None or not values[i]:
            continue
        kind = role.kind[i]
        slen = role.surname_len[i] if role.surname_len is not None else 0
        if kind in variant_kinds and u[i, 0] < rates.name_variant:
            v = (
                person_name_variant(values[i], slen, rng)
                if kind == "person"
                else org_name_variant(values[i], rng)
            )
            if v is not None and v != values[i]:
                values[i] = v
                role.dirt[i].append("name:variant")
        if u[i, 1] < rates.name_spaces:
            values[i] = with_name_spaces(values[i], slen if kind == "person" else 0, rng)
            role.dirt[i].append("name:spaces")


# --- dates ---------------------------------------------------------------------------------


def reformat_date(iso: str, form: str) -> str | int | dt.date:
    y, m, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    if form == "slash":
        return f"{y}/{m}/{d}"
    if form == "chinese":
        return f"{y}年{m}月{d}日"
    if form == "compact":
        return f"{y:04d}{m:02d}{d:02d}"
    if form == "cell":
        return dt.date(y, m, d)
    if form == "serial":
        return (dt.date(y, m, d) - EXCEL_EPOCH).days
    raise ValueError(form)


def dirty_dates(
    batch: Batch, date_cols: list[str], rate: float, rng: np.random.Generator, xlsx: bool
) -> None:
    if not date_cols:
        return
    forms = DATE_FORMATS_XLSX if xlsx else DATE_FORMATS_TEXT
    hit = np.flatnonzero(rng.random(batch.n) < rate)
    choice = rng.integers(0, len(forms), len(hit))
    for i, f in zip(hit.tolist(), choice.tolist(), strict=True):
        changed = False
        for col in date_cols:
            v = batch.cols[col][i]
            if v:
                batch.cols[col][i] = reformat_date(v, forms[f])
                changed = True
        if changed:
            batch.row_dirt[i].append("date:format")


def blank_values(
    batch: Batch, optional_cols: list[str], rate: float, rng: np.random.Generator
) -> None:
    """Empty one optional, non-identifier value in a share of the rows."""
    if not optional_cols:
        return
    hit = np.flatnonzero(rng.random(batch.n) < rate)
    for i in hit.tolist():
        filled = [c for c in optional_cols if batch.cols[c][i] not in ("", None)]
        if not filled:
            continue
        col = filled[int(rng.integers(0, len(filled)))]
        batch.cols[col][i] = ""
        batch.row_dirt[i].append("value:missing")


def apply_dirt(
    batch: Batch,
    rates: DirtRates,
    rng: np.random.Generator,
    *,
    date_cols: list[str],
    optional_cols: list[str],
    xlsx: bool,
    variant_kinds: frozenset[str],
    org_legacy_ok: bool,
) -> None:
    """All per-value and per-row dirt except duplicates (see ``duplicate_order``)."""
    for role in batch.roles:
        if role.id_col is not None:
            values = batch.cols[role.id_col]
            dirty_person_ids(values, role, rates, rng)
            dirty_org_ids(values, role, rates, rng, org_legacy_ok)
        if role.name_col is not None:
            dirty_names(batch.cols[role.name_col], role, rates, rng, variant_kinds)
    dirty_dates(batch, date_cols, rates.date_format, rng, xlsx)
    id_cols = {r.id_col for r in batch.roles}
    blank_values(batch, [c for c in optional_cols if c not in id_cols], rates.value_missing, rng)


def duplicate_order(n: int, rate: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Row order with duplicates: (source row of each output row, is-duplicate flag).

    A duplicate is an exact copy placed 1–30 rows after its original (within the batch)."""
    dup = np.flatnonzero(rng.random(n) < rate)
    offset = rng.integers(1, 31, len(dup))
    keys = np.concatenate([np.arange(n, dtype=float), np.minimum(dup + offset, n) - 0.5])
    src = np.concatenate([np.arange(n), dup])
    flag = np.concatenate([np.zeros(n, dtype=bool), np.ones(len(dup), dtype=bool)])
    order = np.lexsort((np.arange(len(keys)), keys))
    return src[order], flag[order]
