"""The synthetic province's geography, built from the reference division list (GB/T 2260)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from jutong.reference import full_name, load_divisions

PROVINCE = "450000"

# Prefecture-level cities of Guangxi: rough resident population (10k, 2020 census, rounded)
# and an approximate centre (lon, lat) used to place parcels.
CITIES: dict[str, tuple[float, float, float]] = {
    "450100": (874, 108.37, 22.82),  # 南宁
    "450200": (416, 109.41, 24.33),  # 柳州
    "450300": (493, 110.29, 25.27),  # 桂林
    "450400": (282, 111.28, 23.48),  # 梧州
    "450500": (185, 109.20, 21.70),  # 北海
    "450600": (104, 108.20, 21.75),  # 防城港
    "450700": (330, 108.65, 22.00),  # 钦州
    "450800": (431, 109.60, 23.11),  # 贵港
    "450900": (580, 110.16, 22.63),  # 玉林
    "451000": (357, 106.62, 23.90),  # 百色
    "451100": (200, 111.57, 24.40),  # 贺州
    "451200": (341, 108.08, 24.69),  # 河池
    "451300": (207, 109.22, 23.75),  # 来宾
    "451400": (209, 107.36, 22.38),  # 崇左
}
# Bounds every synthetic coordinate stays inside (roughly Guangxi's extent).
LON_RANGE = (104.5, 112.0)
LAT_RANGE = (21.5, 26.4)
# How far a county's centre may lie from its city's centre, and a parcel from its county's.
COUNTY_SPREAD_DEG = 0.30
PARCEL_SPREAD_DEG = 0.06


@dataclass(frozen=True)
class Geography:
    """Arrays indexed by position in ``counties`` (current Guangxi counties)."""

    counties: tuple[str, ...]  # current county codes of Guangxi
    weights: np.ndarray  # population share of each county
    city_of: tuple[str, ...]  # city code of each county
    full_names: tuple[str, ...]  # 广西壮族自治区柳州市柳北区
    centres: np.ndarray  # (n, 2) lon, lat
    # abolished predecessor of a current county: county index -> (abolished code, year)
    predecessors: dict[int, tuple[str, int]]
    migrant_counties: tuple[str, ...]  # counties of other provinces
    cities: tuple[str, ...]

    def index(self, code: str) -> int:
        return self.counties.index(code)


def _abolition_year(note: str) -> int:
    m = re.search(r"(\d{4})", note)
    if not m:
        raise ValueError(f"no abolition year in division note {note!r}")
    return int(m.group(1))


@cache
def geography() -> Geography:
    divs = load_divisions()
    counties: list[str] = []
    weights: list[float] = []
    city_of: list[str] = []
    centres: list[tuple[float, float]] = []
    for city, (pop, lon, lat) in CITIES.items():
        mine = sorted(
            d.code
            for d in divs.values()
            if d.level == "county" and d.parent == city and d.status == "current"
        )
        if not mine:
            raise ValueError(f"no current counties under {city} in divisions.csv")
        for code in mine:
            counties.append(code)
            weights.append(pop / len(mine))
            city_of.append(city)
            # A fixed offset per county, derived from its code (not from the run's seed).
            off = np.random.default_rng(int(code)).uniform(-1, 1, 2) * COUNTY_SPREAD_DEG
            centres.append(
                (
                    float(np.clip(lon + off[0], LON_RANGE[0] + 0.2, LON_RANGE[1] - 0.2)),
                    float(np.clip(lat + off[1], LAT_RANGE[0] + 0.2, LAT_RANGE[1] - 0.2)),
                )
            )
    predecessors: dict[int, tuple[str, int]] = {}
    for d in divs.values():
        abolished = d.level == "county" and d.status == "abolished"
        if abolished and d.code.startswith("45") and d.replaced_by in counties:
            predecessors[counties.index(d.replaced_by)] = (d.code, _abolition_year(d.note))
    migrant = tuple(
        sorted(
            d.code
            for d in divs.values()
            if d.level == "county" and d.status == "current" and not d.code.startswith("45")
        )
    )
    w = np.asarray(weights, dtype=float)
    return Geography(
        counties=tuple(counties),
        weights=w / w.sum(),
        city_of=tuple(city_of),
        full_names=tuple(full_name(c) for c in counties),
        centres=np.asarray(centres),
        predecessors=predecessors,
        migrant_counties=migrant,
        cities=tuple(CITIES),
    )


def short_name(code: str) -> str:
    """The division's own name: 柳北区."""
    return load_divisions()[code].name


def local_name(code: str) -> str:
    """City + county for districts (柳州市柳北区), the county alone for counties and county-level
    cities (柳城县, 横州市): how offices of a county name themselves."""
    divs = load_divisions()
    d = divs[code]
    if d.level == "county" and d.name.endswith("区") and d.parent in divs:
        return divs[d.parent].name + d.name
    return d.name


def city_short(code: str) -> str:
    """柳州 for 450200 (the city name without 市)."""
    name = load_divisions()[code[:4] + "00"].name
    return name[:-1] if name.endswith("市") else name
