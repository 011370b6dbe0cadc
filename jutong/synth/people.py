"""Persons of the synthetic province, generated one chunk at a time (vectorized with NumPy)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from jutong.identifiers.checkdigits import resident_id_check
from jutong.reference import full_name
from jutong.reference.surnames import guangxi_weights
from jutong.synth import pools
from jutong.synth.geo import Geography, short_name

MIGRANT_SHARE = 0.03  # registered in another province: absent from the household register
COMPOUND_SURNAME_SHARE = 0.015
ONE_CHAR_GIVEN_SHARE = 0.25
MAX_AGE = 95

_SURNAME_WEIGHTS = guangxi_weights(compound=False)
_SURNAMES = np.array(list(_SURNAME_WEIGHTS))
_SURNAME_P = np.array(list(_SURNAME_WEIGHTS.values()), dtype=float)
_SURNAME_P /= _SURNAME_P.sum()
_COMPOUND = np.array(list(guangxi_weights(compound=True)))
_ETHNICITIES = np.array(list(pools.ETHNICITIES))
_ETHNICITY_P = np.array(list(pools.ETHNICITIES.values()), dtype=float)
_ETHNICITY_P /= _ETHNICITY_P.sum()
_UYGHUR = int(np.flatnonzero(_ETHNICITIES == "维吾尔族")[0])
_POOLS = [  # index = 2 * male + new
    np.array(list(pools.GIVEN_FEMALE_OLD)),
    np.array(list(pools.GIVEN_FEMALE_NEW)),
    np.array(list(pools.GIVEN_MALE_OLD)),
    np.array(list(pools.GIVEN_MALE_NEW)),
]
_MOBILE_PREFIXES = np.array(
    [f"13{i}" for i in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["166", "173", "175", "176", "177", "178"]
    + [f"18{i}" for i in range(10)]
    + ["191", "193", "195", "198", "199"]
)


def _age_weights() -> np.ndarray:
    ages = np.arange(MAX_AGE + 1)
    w = np.where(ages < 5, 0.85, 1.0)
    w = np.where((ages >= 25) & (ages <= 60), 1.1, w)
    old = ages > 60
    w[old] = 1.1 * np.maximum(0.02, (MAX_AGE - ages[old]) / 35.0) ** 1.2
    return w / w.sum()


_AGE_P = _age_weights()


def date_parts(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of a datetime64[D] array."""
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, day


def add_years(d: np.ndarray, years: np.ndarray | int) -> np.ndarray:
    """d plus whole years (29 February becomes 1 March where needed)."""
    y, m, day = date_parts(d)
    y2 = y + years
    month_start = ((y2 - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    return month_start.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")


def iso(d: np.ndarray) -> list[str]:
    return np.datetime_as_string(d, unit="D").tolist()


@dataclass
class Persons:
    """One chunk of persons; every attribute an array of the chunk's length."""

    index: np.ndarray  # global 0-based index
    entity_id: list[str]
    male: np.ndarray
    birth: np.ndarray  # datetime64[D]
    age: np.ndarray
    ethnicity: np.ndarray
    id_county: list[str]  # division code in the ID (may be abolished or another province)
    domicile: np.ndarray  # county index (current Guangxi county) or -1 for migrants
    residence: np.ndarray  # county index where the person lives (always Guangxi)
    migrant: np.ndarray
    resident_id: list[str]
    surname: list[str]
    name: list[str]
    domicile_address: list[str]
    residence_address: list[str]
    previous_address: list[str]
    mobile: list[str]  # "" when none
    registered_on: np.ndarray  # datetime64[D], date of registration at the domicile

    @property
    def n(self) -> int:
        return len(self.entity_id)

    @property
    def sex(self) -> list[str]:
        return np.where(self.male, "男", "女").tolist()


def make_addresses(rng: np.random.Generator, prefixes: list[str], urban: np.ndarray) -> list[str]:
    """Addresses starting with the given division names: road + number (+ estate, building,
    flat) in towns, town + village + hamlet in the country."""
    n = len(prefixes)
    road = rng.choice(pools.ROAD_WORDS, n)
    suffix = rng.choice(pools.ROAD_SUFFIXES, n)
    number = rng.integers(1, 400, n)
    has_estate = rng.random(n) < 0.45
    estate = rng.choice(pools.ESTATE_WORDS, n)
    estate_suffix = rng.choice(pools.ESTATE_SUFFIXES, n)
    building = rng.integers(1, 30, n)
    flat = rng.integers(1, 33, n) * 100 + rng.integers(1, 6, n)
    v1 = rng.choice(pools.VILLAGE_FIRST, (n, 3))
    v2 = rng.choice(pools.VILLAGE_SECOND, (n, 3))
    town_suffix = rng.choice(pools.TOWN_SUFFIXES[:3], n)
    hamlet_no = rng.integers(1, 80, n)
    out: list[str] = []
    for i in range(n):
        if urban[i]:
            s = f"{prefixes[i]}{road[i]}{suffix[i]}{number[i]}号"
            if has_estate[i]:
                s += f"{estate[i]}{estate_suffix[i]}{building[i]}栋{flat[i]}室"
        else:
            s = (
                f"{prefixes[i]}{v1[i, 0]}{v2[i, 0]}{town_suffix[i]}{v1[i, 1]}{v2[i, 1]}村"
                f"{v1[i, 2]}{v2[i, 2]}屯{hamlet_no[i]}号"
            )
        out.append(s)
    return out


def _urban_share(geo: Geography, county_idx: np.ndarray) -> np.ndarray:
    is_district = np.array([short_name(c).endswith("区") for c in geo.counties])
    return np.where(is_district[county_idx], 0.85, 0.35)


def _given_names(rng: np.random.Generator, male: np.ndarray, birth_year: np.ndarray) -> list[str]:
    n = len(male)
    new = np.where(birth_year >= 1995, rng.random(n) < 0.8, rng.random(n) < 0.1)
    pool_idx = 2 * male.astype(int) + new.astype(int)
    one = rng.random(n) < ONE_CHAR_GIVEN_SHARE
    u = rng.random((n, 2))
    out: list[str] = []
    for i in range(n):
        p = _POOLS[pool_idx[i]]
        a = p[int(u[i, 0] * len(p))]
        out.append(a if one[i] else a + p[int(u[i, 1] * len(p))])
    return out


def _minority_names(rng: np.random.Generator, male: np.ndarray) -> list[str]:
    n = len(male)
    fm = rng.choice(pools.MINORITY_FIRST_MALE, n)
    ff = rng.choice(pools.MINORITY_FIRST_FEMALE, n)
    fa = rng.choice(pools.MINORITY_FATHER, n)
    return [f"{fm[i] if male[i] else ff[i]}·{fa[i]}" for i in range(n)]


class IdRegistry:
    """The resident IDs issued so far (as int64 of the 17-digit body), to keep them unique."""

    def __init__(self) -> None:
        self._seen = np.empty(0, dtype=np.int64)

    def clashes(self, bodies: np.ndarray) -> np.ndarray:
        """Mask of bodies already issued or repeated earlier in ``bodies``."""
        if len(self._seen):
            pos = np.searchsorted(self._seen, bodies)
            pos = np.minimum(pos, len(self._seen) - 1)
            taken = self._seen[pos] == bodies
        else:
            taken = np.zeros(len(bodies), dtype=bool)
        _, first = np.unique(bodies, return_index=True)
        repeated = np.ones(len(bodies), dtype=bool)
        repeated[first] = False
        return taken | repeated

    def add(self, bodies: np.ndarray) -> None:
        self._seen = np.union1d(self._seen, bodies)


def make_persons(
    rng: np.random.Generator,
    start: int,
    n: int,
    as_of: dt.date,
    geo: Geography,
    registry: IdRegistry,
) -> Persons:
    as_of64 = np.datetime64(as_of, "D")
    index = np.arange(start, start + n)
    male = rng.random(n) < 0.51
    age = rng.choice(MAX_AGE + 1, n, p=_AGE_P)
    # birth = as_of - age years - (0..364 days), never after as_of
    last_birthday = add_years(np.full(n, as_of64), -age)
    birth = last_birthday - rng.integers(0, 365, n).astype("timedelta64[D]")
    birth = np.minimum(birth, as_of64)
    age = np.where(add_years(birth, age + 1) <= as_of64, age + 1, age)  # leap-year edge
    by, bm, bd = date_parts(birth)

    migrant = rng.random(n) < MIGRANT_SHARE
    domicile = rng.choice(len(geo.counties), n, p=geo.weights)
    residence = domicile.copy()
    moved = rng.random(n) < 0.2
    residence[moved] = rng.choice(len(geo.counties), int(moved.sum()), p=geo.weights)
    domicile = np.where(migrant, -1, domicile)
    migrant_county = rng.choice(geo.migrant_counties, n)

    # The code in the ID: the county in force at registration (abolished codes for people
    # registered before the change), another province's county for migrants.
    id_county: list[str] = []
    use_old = rng.random(n) < 0.7
    for i in range(n):
        if migrant[i]:
            id_county.append(str(migrant_county[i]))
            continue
        code = geo.counties[domicile[i]]
        pred = geo.predecessors.get(int(domicile[i]))
        if pred is not None and by[i] < pred[1] and use_old[i]:
            code = pred[0]
        id_county.append(code)

    ethnicity_idx = rng.choice(len(_ETHNICITIES), n, p=_ETHNICITY_P)
    xinjiang = np.array([c.startswith("65") for c in id_county])
    ethnicity_idx = np.where(xinjiang & (rng.random(n) < 0.6), _UYGHUR, ethnicity_idx)
    ethnicity = _ETHNICITIES[ethnicity_idx]

    # Sequence: 3 digits, odd for men; redrawn until the ID is unique in the province.
    county_int = np.array([int(c) for c in id_county], dtype=np.int64)
    date_int = by * 10000 + bm * 100 + bd
    seq = rng.integers(1, 500, n) * 2 - 1 + (~male)  # odd 1..997 men, even 2..998 women
    bodies = county_int * 10**11 + date_int * 1000 + seq
    clash = registry.clashes(bodies)
    while clash.any():
        k = int(clash.sum())
        seq[clash] = rng.integers(1, 500, k) * 2 - 1 + (~male[clash])
        bodies = county_int * 10**11 + date_int * 1000 + seq
        clash = registry.clashes(bodies)
    registry.add(bodies)
    resident_id = [f"{b:017d}" for b in bodies.tolist()]
    resident_id = [b + resident_id_check(b) for b in resident_id]

    # Names
    compound = rng.random(n) < COMPOUND_SURNAME_SHARE
    surname = np.where(compound, rng.choice(_COMPOUND, n), rng.choice(_SURNAMES, n, p=_SURNAME_P))
    given = _given_names(rng, male, by)
    minority = ethnicity_idx == _UYGHUR
    minority_names = _minority_names(rng, male)
    names = [minority_names[i] if minority[i] else f"{surname[i]}{given[i]}" for i in range(n)]
    surnames = ["" if minority[i] else str(surname[i]) for i in range(n)]

    # Addresses: domicile (household register), residence, and an earlier one
    dom_prefix = [
        full_name(id_county[i]) if migrant[i] else geo.full_names[domicile[i]] for i in range(n)
    ]
    res_prefix = [geo.full_names[c] for c in residence]
    urban_dom = rng.random(n) < np.where(migrant, 0.7, _urban_share(geo, np.maximum(domicile, 0)))
    domicile_address = make_addresses(rng, dom_prefix, urban_dom)
    urban_res = rng.random(n) < _urban_share(geo, residence)
    residence_address = make_addresses(rng, res_prefix, urban_res)
    residence_address = [
        domicile_address[i] if (not moved[i] and not migrant[i]) else residence_address[i]
        for i in range(n)
    ]
    # Earlier address: under the abolished county's name where the ID carries one, otherwise
    # somewhere else in the province.
    prev_county = rng.choice(len(geo.counties), n, p=geo.weights)
    prev_prefix = [
        full_name(id_county[i])
        if not migrant[i] and id_county[i] != geo.counties[domicile[i]]
        else geo.full_names[prev_county[i]]
        for i in range(n)
    ]
    previous_address = make_addresses(rng, prev_prefix, rng.random(n) < 0.6)

    has_mobile = rng.random(n) < np.where(age >= 16, 0.93, np.where(age >= 10, 0.3, 0.0))
    prefix = rng.choice(_MOBILE_PREFIXES, n)
    tail = rng.integers(0, 10**8, n)
    mobile = [f"{prefix[i]}{tail[i]:08d}" if has_mobile[i] else "" for i in range(n)]

    lower = np.maximum(birth, np.datetime64("1985-01-01"))
    span = (as_of64 - lower).astype(np.int64)
    at_birth = (birth >= np.datetime64("1985-01-01")) & (rng.random(n) < 0.7)
    registered_on = np.where(
        at_birth,
        birth + rng.integers(0, 60, n).astype("timedelta64[D]"),
        lower + (rng.random(n) * (span + 1)).astype(np.int64).astype("timedelta64[D]"),
    )
    registered_on = np.minimum(registered_on, as_of64)

    return Persons(
        index=index,
        entity_id=[f"P{i + 1:08d}" for i in index.tolist()],
        male=male,
        birth=birth,
        age=age,
        ethnicity=ethnicity,
        id_county=id_county,
        domicile=domicile,
        residence=residence,
        migrant=migrant,
        resident_id=resident_id,
        surname=surnames,
        name=names,
        domicile_address=domicile_address,
        residence_address=residence_address,
        previous_address=previous_address,
        mobile=mobile,
        registered_on=registered_on,
    )
