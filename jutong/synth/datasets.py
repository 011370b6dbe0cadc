"""What each department sends: one builder per catalog dataset, turning persons and
organisations into clean rows (a ``Batch``) that ``dirt.apply_dirt`` then spoils.

Columns are looked up by catalog item name, so the builders follow the catalog's
``source_column`` spelling.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from jutong.reference import load_divisions
from jutong.synth import pools
from jutong.synth.catalog import DatasetSpec
from jutong.synth.dirt import Batch, Role
from jutong.synth.geo import LAT_RANGE, LON_RANGE, PARCEL_SPREAD_DEG, Geography, local_name
from jutong.synth.orgs import Orgs
from jutong.synth.people import Persons, add_years, iso, make_addresses

DAY = np.timedelta64(1, "D")


@dataclass
class Counters:
    """Running sequence numbers shared by all chunks (certificate, parcel, licence numbers)."""

    values: dict[str, int] = field(default_factory=dict)

    def take(self, name: str, k: int) -> np.ndarray:
        start = self.values.get(name, 0)
        self.values[name] = start + k
        return np.arange(start + 1, start + k + 1)


def _days(a: np.ndarray) -> np.ndarray:
    return a.astype("timedelta64[D]")


def _uniform_dates(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A date uniformly in [lo, hi] (hi clipped to at least lo)."""
    span = np.maximum((hi - lo).astype(np.int64), 0)
    return lo + _days((rng.random(len(lo)) * (span + 1)).astype(np.int64))


def person_role(
    role: str,
    p: Persons,
    idx: np.ndarray,
    spec: DatasetSpec,
    id_item: str | None,
    name_item: str | None,
) -> Role:
    idx = idx.tolist()
    return Role(
        role=role,
        kind=["person"] * len(idx),
        entity_id=[p.entity_id[i] for i in idx],
        true_key=[p.resident_id[i] for i in idx],
        id_col=spec.column(id_item) if id_item else None,
        name_col=spec.column(name_item) if name_item else None,
        surname_len=[len(p.surname[i]) for i in idx],
    )


def _check_allowed(spec: DatasetSpec, item: str, values: list[str]) -> None:
    allowed = set(spec.allowed(item))
    bad = set(values) - allowed
    if bad:
        raise ValueError(f"{spec.id}.{item}: values {sorted(bad)} not in catalog allowed_values")


# --- 公安 户籍 -------------------------------------------------------------------------------


def build_huji(spec: DatasetSpec, p: Persons) -> Batch:
    idx = np.flatnonzero(~p.migrant)
    ids = [p.resident_id[i] for i in idx]
    c = spec.column
    cols = {
        c("id_number"): ids,
        c("name"): [p.name[i] for i in idx],
        c("sex"): [("男" if p.male[i] else "女") for i in idx],
        c("birth_date"): iso(p.birth[idx]),
        c("ethnicity"): p.ethnicity[idx].tolist(),
        c("domicile_address"): [p.domicile_address[i] for i in idx],
        c("registered_on"): iso(p.registered_on[idx]),
    }
    return Batch(cols, [person_role("person", p, idx, spec, "id_number", "name")], len(idx))


# --- 人社 社保 -------------------------------------------------------------------------------


class EmployerPicker:
    """Chooses employers near where a person lives, weighted by organisation size."""

    def __init__(self, orgs: Orgs, geo: Geography) -> None:
        city = np.array([geo.city_of[c] for c in orgs.county]) if orgs.n else np.array([])
        ok = orgs.size > 0
        self.by_city: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for code in geo.cities:
            sel = np.flatnonzero(ok & (city == code))
            if len(sel):
                w = orgs.size[sel]
                self.by_city[code] = (sel, w / w.sum())
        sel = np.flatnonzero(ok)
        self.all = (sel, orgs.size[sel] / orgs.size[sel].sum()) if len(sel) else None

    @property
    def empty(self) -> bool:
        return self.all is None

    def pick(self, rng: np.random.Generator, cities: list[str]) -> np.ndarray:
        cities_arr = np.array(cities)
        out = np.empty(len(cities), dtype=np.int64)
        for code in sorted(set(cities)):
            where = np.flatnonzero(cities_arr == code)
            local = self.by_city.get(code)
            use_local = (
                rng.random(len(where)) < 0.9 if local is not None else np.zeros(len(where), bool)
            )
            if local is not None and use_local.any():
                out[where[use_local]] = rng.choice(local[0], int(use_local.sum()), p=local[1])
            rest = where[~use_local]
            if len(rest):
                assert self.all is not None
                out[rest] = rng.choice(self.all[0], len(rest), p=self.all[1])
        return out


def _mobile_variant(m: str, style: int) -> str:
    if style == 0:
        return "+86 " + m
    if style == 1:
        return "0086" + m
    if style == 2:
        return f"{m[:3]}-{m[3:7]}-{m[7:]}"
    return f"{m[:3]} {m[3:7]} {m[7:]}"


def build_shebao(
    spec: DatasetSpec,
    p: Persons,
    orgs: Orgs,
    picker: EmployerPicker,
    geo: Geography,
    rng: np.random.Generator,
    as_of: dt.date,
    address_old: float,
    mobile_format: float,
) -> Batch:
    as_of64 = np.datetime64(as_of, "D")
    n = p.n
    age = p.age
    insured = (age >= 16) & (age <= 75) & (rng.random(n) < np.where(age <= 60, 0.62, 0.35))
    employed = insured & (age >= 18) & (age <= 62) & (rng.random(n) < 0.72) & (not picker.empty)
    who = np.flatnonzero(insured)
    emp = employed[who]
    employer = np.full(len(who), -1, dtype=np.int64)
    if emp.any():
        cities = [geo.city_of[c] for c in p.residence[who[emp]]]
        employer[emp] = picker.pick(rng, cities)

    pension, resident_pension, unemployment, injury, medical = (
        "企业职工基本养老保险",
        "城乡居民基本养老保险",
        "失业保险",
        "工伤保险",
        "职工基本医疗保险",
    )
    _check_allowed(
        spec, "insurance_type", [pension, resident_pension, unemployment, injury, medical]
    )

    lower = np.maximum(add_years(p.birth[who], np.where(emp, 18, 16)), np.datetime64("1998-01-01"))
    has_emp = employer >= 0
    est = np.where(has_emp, orgs.established[np.maximum(employer, 0)], lower) if orgs.n else lower
    lower = np.maximum(lower, est)
    lower = np.minimum(lower, as_of64)
    enrolled = _uniform_dates(rng, lower, np.full(len(who), as_of64))
    base = np.clip(np.exp(rng.normal(np.log(5600), 0.45, len(who))), 4000, 30000)

    old = rng.random(len(who)) < address_old
    fmt = rng.random(len(who)) < mobile_format
    fmt_style = rng.integers(0, 4, len(who))
    extra = rng.random((len(who), 4))

    person_rows: list[int] = []
    employer_rows: list[int] = []
    type_rows: list[str] = []
    enrolled_rows: list[np.datetime64] = []
    base_rows: list[str] = []
    for k in range(len(who)):
        if emp[k]:
            mine = [pension]
            if extra[k, 0] < 0.85:
                mine.append(medical)
            if extra[k, 1] < 0.6:
                mine.append(unemployment)
            if extra[k, 2] < 0.6:
                mine.append(injury)
            b = f"{base[k]:.2f}"
        else:
            mine = [resident_pension]
            b = ""
        for j, t in enumerate(mine):
            person_rows.append(k)
            employer_rows.append(int(employer[k]))
            type_rows.append(t)
            d = enrolled[k]
            if j and extra[k, 3] < 0.3:  # joined this scheme later
                d = min(d + np.timedelta64(int(extra[k, 3] * 2000), "D"), as_of64)
            enrolled_rows.append(d)
            base_rows.append(b)

    rows_k = np.array(person_rows, dtype=np.int64)
    pidx = who[rows_k]
    m = len(rows_k)
    role = person_role("employee", p, pidx, spec, "id_number", "name")
    addresses, mobiles = [], []
    for r, k in enumerate(rows_k.tolist()):
        i = int(who[k])
        if old[k]:
            addresses.append(p.previous_address[i])
            role.dirt[r].append("address:old")
        else:
            addresses.append(p.residence_address[i])
        mob = p.mobile[i]
        if mob and fmt[k]:
            mob = _mobile_variant(mob, int(fmt_style[k]))  # the same for all rows of a person
            role.dirt[r].append("mobile:format")
        mobiles.append(mob)

    emp_idx = np.array(employer_rows, dtype=np.int64)
    present = emp_idx >= 0
    employer_role = Role(
        role="employer",
        kind=["org" if x else None for x in present],
        entity_id=[orgs.entity_id[e] if e >= 0 else None for e in emp_idx.tolist()],
        true_key=[orgs.uscc[e] if e >= 0 else None for e in emp_idx.tolist()],
        id_col=spec.column("employer_uscc"),
        name_col=spec.column("employer_name"),
        surname_len=[0] * m,
        legacy=[(orgs.org_code[e], orgs.regno[e]) if e >= 0 else None for e in emp_idx.tolist()],
    )
    c = spec.column
    cols = {
        c("id_number"): [p.resident_id[i] for i in pidx],
        c("name"): [p.name[i] for i in pidx],
        c("sex"): [("男" if p.male[i] else "女") for i in pidx],
        c("birth_date"): iso(p.birth[pidx]),
        c("mobile"): mobiles,
        c("address"): addresses,
        c("employer_uscc"): [orgs.uscc[e] if e >= 0 else "" for e in emp_idx.tolist()],
        c("employer_name"): [orgs.name[e] if e >= 0 else "" for e in emp_idx.tolist()],
        c("insurance_type"): type_rows,
        c("enrolled_on"): iso(np.array(enrolled_rows, dtype="datetime64[D]")),
        c("monthly_base"): base_rows,
    }
    return Batch(cols, [role, employer_role], m)


# --- 民政 婚姻 -------------------------------------------------------------------------------


def build_hunyin(
    spec: DatasetSpec,
    p: Persons,
    geo: Geography,
    rng: np.random.Generator,
    as_of: dt.date,
    counters: Counters,
) -> Batch:
    as_of64 = np.datetime64(as_of, "D")
    n = p.n
    married_p = np.where(p.age >= 30, 0.8, 0.35)
    pick = rng.random(n) < married_p
    men = np.flatnonzero(p.male & (p.age >= 22) & pick)
    women = np.flatnonzero(~p.male & (p.age >= 20) & pick)
    noise_m = _days(rng.normal(0, 900, len(men)).astype(np.int64))
    noise_w = _days(rng.normal(0, 900, len(women)).astype(np.int64))
    men = men[np.argsort(p.birth[men] + noise_m, kind="stable")]
    women = women[np.argsort(p.birth[women] - 2 * 365 * DAY + noise_w, kind="stable")]
    k = min(len(men), len(women))
    men, women = men[:k], women[:k]
    lower = np.maximum(add_years(p.birth[men], 22), add_years(p.birth[women], 20))
    lower = np.maximum(lower, np.datetime64("1950-05-01"))  # 婚姻法 of 1950
    keep = lower <= as_of64
    men, women, lower = men[keep], women[keep], lower[keep]
    k = len(men)
    wait = _days(np.minimum(rng.exponential(4 * 365, k), 1e5).astype(np.int64))
    married = np.minimum(lower + wait, as_of64)

    after = rng.random((k, 2))
    gap = (as_of64 - married).astype(np.int64)
    divorced = (after[:, 0] < 0.12) & (gap > 365)
    reissued = (after[:, 1] < 0.04) & (gap > 30)
    office_county = np.where(rng.random(k) < 0.6, p.residence[men], p.residence[women])

    kinds, husbands, wives, dates, counties = [], [], [], [], []
    for j in range(k):
        events = [("结婚", married[j])]
        if divorced[j]:
            events.append(
                ("离婚", married[j] + _days(np.int64(365 + rng.random() * (gap[j] - 365))))
            )
        if reissued[j]:
            events.append(("补发", married[j] + _days(np.int64(30 + rng.random() * (gap[j] - 30)))))
        for kind, d in events:
            kinds.append(kind)
            husbands.append(men[j])
            wives.append(women[j])
            dates.append(d)
            counties.append(geo.counties[office_county[j]])
    _check_allowed(spec, "registration_type", sorted(set(kinds)) or ["结婚"])
    # The office's export lists registrations by date; certificate numbers follow that order.
    by_date = np.argsort(np.array(dates, dtype="datetime64[D]"), kind="stable").tolist()
    kinds = [kinds[r] for r in by_date]
    husbands = [husbands[r] for r in by_date]
    wives = [wives[r] for r in by_date]
    dates = [dates[r] for r in by_date]
    counties = [counties[r] for r in by_date]
    m = len(kinds)
    seq = counters.take("hunyin", m)
    prefix = {"结婚": "J", "离婚": "L", "补发": "BJ"}
    date_arr = np.array(dates, dtype="datetime64[D]")
    years = (date_arr.astype("datetime64[Y]").astype(np.int64) + 1970).tolist()
    certs = [f"{prefix[kinds[r]]}{counties[r]}-{years[r]}-{seq[r]:06d}" for r in range(m)]
    offices = [f"{local_name(code)}民政局婚姻登记处" for code in counties]
    h = np.array(husbands, dtype=np.int64)
    w = np.array(wives, dtype=np.int64)
    c = spec.column
    cols = {
        c("certificate_no"): certs,
        c("registration_type"): kinds,
        c("male_name"): [p.name[i] for i in h],
        c("male_id_number"): [p.resident_id[i] for i in h],
        c("female_name"): [p.name[i] for i in w],
        c("female_id_number"): [p.resident_id[i] for i in w],
        c("registered_on"): iso(date_arr),
        c("registry_office"): offices,
    }
    roles = [
        person_role("husband", p, h, spec, "male_id_number", "male_name"),
        person_role("wife", p, w, spec, "female_id_number", "female_name"),
    ]
    return Batch(cols, roles, m)


# --- 自然资源 宗地 ---------------------------------------------------------------------------


def _polygons(
    rng: np.random.Generator, geo: Geography, county: np.ndarray, area: np.ndarray
) -> list[str]:
    """Rotated rectangles of the given area (m²) near the county's centre, as WKT (lon lat)."""
    k = len(county)
    centre = geo.centres[county] + rng.normal(0, PARCEL_SPREAD_DEG, (k, 2))
    lon = np.clip(centre[:, 0], LON_RANGE[0] + 0.01, LON_RANGE[1] - 0.01)
    lat = np.clip(centre[:, 1], LAT_RANGE[0] + 0.01, LAT_RANGE[1] - 0.01)
    aspect = rng.uniform(1.0, 2.5, k)
    wid = np.sqrt(area * aspect)
    hei = area / wid
    theta = rng.uniform(0, np.pi, k)
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]])
    x = corners[None, :, 0] * wid[:, None]
    y = corners[None, :, 1] * hei[:, None]
    xr = x * np.cos(theta)[:, None] - y * np.sin(theta)[:, None]
    yr = x * np.sin(theta)[:, None] + y * np.cos(theta)[:, None]
    dlat = yr / 111_320.0
    dlon = xr / (111_320.0 * np.cos(np.radians(lat))[:, None])
    plon = lon[:, None] + dlon
    plat = lat[:, None] + dlat
    out = []
    for r in range(k):
        pts = ", ".join(f"{plon[r, j]:.7f} {plat[r, j]:.7f}" for j in range(5))
        out.append(f"POLYGON(({pts}))")
    return out


def _land_choice(
    rng: np.random.Generator, table: tuple[tuple[str, str, float, float, float], ...], k: int
) -> tuple[list[str], list[str], np.ndarray]:
    w = np.array([t[2] for t in table])
    which = rng.choice(len(table), k, p=w / w.sum())
    lo = np.array([t[3] for t in table])[which]
    hi = np.array([t[4] for t in table])[which]
    area = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    return [table[i][0] for i in which], [table[i][1] for i in which], area


def build_zongdi(
    spec: DatasetSpec,
    p: Persons,
    orgs: Orgs,
    org_idx: np.ndarray,
    geo: Geography,
    rng: np.random.Generator,
    counters: Counters,
) -> Batch:
    holders_p = np.flatnonzero((p.age >= 22) & (rng.random(p.n) < 0.22))
    holders_p = np.concatenate([holders_p, holders_p[rng.random(len(holders_p)) < 0.1]])
    use_p, feat_p, area_p = _land_choice(rng, pools.LAND_USES_PERSON, len(holders_p))
    county_p = p.residence[holders_p]

    cat = np.array([orgs.category[i] for i in org_idx]) if len(org_idx) else np.array([], dtype=str)
    prob = np.select(
        [cat == "91", np.isin(cat, ["11", "12"]), np.isin(cat, ["93", "N2", "N3"])],
        [0.35, 0.6, 0.7],
        0.05,
    )
    holders_o = org_idx[rng.random(len(org_idx)) < prob] if len(org_idx) else org_idx
    holders_o = np.concatenate([holders_o, holders_o[rng.random(len(holders_o)) < 0.3]])
    use_o, feat_o, area_o = _land_choice(rng, pools.LAND_USES_ORG, len(holders_o))
    for r, o in enumerate(holders_o.tolist()):
        if orgs.category[o] in ("11", "12"):
            use_o[r], feat_o[r] = "机关团体用地", "GB"
        elif orgs.category[o] in ("93", "N2", "N3"):
            use_o[r], feat_o[r] = ("耕地", "JA") if rng.random() < 0.6 else ("林地", "JA")
            area_o[r] = float(np.exp(rng.uniform(np.log(2000), np.log(200000))))
    county_o = orgs.county[holders_o] if len(holders_o) else np.array([], dtype=np.int64)

    kp, ko = len(holders_p), len(holders_o)
    k = kp + ko
    is_org = np.concatenate([np.zeros(kp, bool), np.ones(ko, bool)])
    ent = np.concatenate([holders_p, holders_o]).astype(np.int64)
    county = np.concatenate([county_p, county_o]).astype(np.int64)
    uses = use_p + use_o
    feats = feat_p + feat_o
    area = np.concatenate([area_p, area_o])
    order = rng.permutation(k)
    is_org, ent, county, area = is_org[order], ent[order], county[order], area[order]
    uses = [uses[i] for i in order]
    feats = [feats[i] for i in order]

    seq = counters.take("zongdi", k)
    sub = rng.integers(1, 31, k)
    codes = [
        f"{geo.counties[county[r]]}{seq[r] // 100000 + 1:03d}{sub[r]:03d}{feats[r]}{seq[r] % 100000:05d}"
        for r in range(k)
    ]
    location = make_addresses(
        rng, [geo.full_names[c] for c in county], np.array([f == "GB" for f in feats], dtype=bool)
    )
    area = np.round(area, 2)
    wkt = _polygons(rng, geo, county, area)

    role = Role(
        role="holder",
        kind=["org" if o else "person" for o in is_org],
        entity_id=[
            orgs.entity_id[e] if o else p.entity_id[e] for e, o in zip(ent, is_org, strict=True)
        ],
        true_key=[
            orgs.uscc[e] if o else p.resident_id[e] for e, o in zip(ent, is_org, strict=True)
        ],
        id_col=spec.column("holder_id"),
        name_col=spec.column("holder_name"),
        surname_len=[0 if o else len(p.surname[e]) for e, o in zip(ent, is_org, strict=True)],
        legacy=[
            (orgs.org_code[e], orgs.regno[e]) if o else None
            for e, o in zip(ent, is_org, strict=True)
        ],
    )
    id_types = ["统一社会信用代码" if o else "居民身份证" for o in is_org]
    _check_allowed(spec, "holder_id_type", id_types)
    c = spec.column
    cols = {
        c("parcel_code"): codes,
        c("location"): location,
        c("division_code"): [geo.counties[x] for x in county],
        c("area_m2"): [f"{a:.2f}" for a in area],
        c("land_use"): uses,
        c("holder_name"): [
            orgs.name[e] if o else p.name[e] for e, o in zip(ent, is_org, strict=True)
        ],
        c("holder_id_type"): id_types,
        c("holder_id"): list(role.true_key),
        c("geometry_wkt"): wkt,
    }
    return Batch(cols, [role], k)


# --- 行政审批 证照 ---------------------------------------------------------------------------

_LICENCE = {t[0]: t for t in pools.LICENCE_TYPES}
_ORG_LICENCES = [t[0] for t in pools.LICENCE_TYPES if "o" in t[2]]
_ORG_LICENCE_P = np.array([0.30, 0.15, 0.12, 0.08, 0.15, 0.05, 0.08, 0.07])


def _licence_no(kind: str, county: str, year: int, seq: int, holder_key: str, r: float) -> str:
    if kind == "食品经营许可证":
        return f"JY{1 + int(r * 3)}{county}{seq:07d}"
    if kind == "建筑施工企业安全生产许可证":
        return f"(桂)JZ安许证字[{year}]{seq:06d}"
    if kind == "道路运输经营许可证":
        return f"桂交运管许可{load_divisions()[county[:4] + '00'].name[:-1]}字{county}{seq:06d}号"
    if kind == "药品经营许可证":
        return f"桂AA{county[2:4]}{seq:07d}"
    if kind == "医师执业证书":
        return f"110{county[:4]}{seq:08d}"
    if kind == "排污许可证":
        return f"{holder_key}{seq % 1000:03d}{'PUV'[int(r * 3)]}"
    if kind == "出版物经营许可证":
        return f"新出发桂字第{county}{seq:06d}号"
    if kind == "危险化学品经营许可证":
        return f"桂危化经字[{year}]{seq:06d}"
    return f"{county}{year}{seq:06d}"


def build_xuke(
    spec: DatasetSpec,
    p: Persons,
    orgs: Orgs,
    org_idx: np.ndarray,
    geo: Geography,
    rng: np.random.Generator,
    as_of: dt.date,
    counters: Counters,
) -> Batch:
    as_of64 = np.datetime64(as_of, "D")
    u = rng.random(p.n)
    adult = (p.age >= 22) & (p.age <= 70)
    kind_p = np.select(
        [
            adult & (u < 0.004) & (p.age >= 25) & (p.age <= 65),
            adult & (u >= 0.004) & (u < 0.014),
            adult & (u >= 0.014) & (u < 0.019),
        ],
        ["医师执业证书", "食品经营许可证", "道路运输经营许可证"],
        "",
    )
    holders_p = np.flatnonzero(kind_p != "")
    kinds_p = kind_p[holders_p].tolist()

    holders_o: list[int] = []
    kinds_o: list[str] = []
    for o in org_idx.tolist():
        cat = orgs.category[o]
        if cat == "91" and rng.random() < 0.5:
            count = 2 if rng.random() < 0.2 else 1
            picks = rng.choice(
                len(_ORG_LICENCES), count, replace=False, p=_ORG_LICENCE_P / _ORG_LICENCE_P.sum()
            )
            for t in picks.tolist():
                holders_o.append(o)
                kinds_o.append(_ORG_LICENCES[t])
        elif cat == "92" and rng.random() < 0.5:
            holders_o.append(o)
            kinds_o.append("食品经营许可证")

    kp, ko = len(holders_p), len(holders_o)
    k = kp + ko
    is_org = np.concatenate([np.zeros(kp, bool), np.ones(ko, bool)])
    ent = np.concatenate([holders_p, np.array(holders_o, dtype=np.int64)]).astype(np.int64)
    kinds = kinds_p + kinds_o
    order = rng.permutation(k)
    is_org, ent = is_org[order], ent[order]
    kinds = [kinds[i] for i in order]

    county = np.array(
        [orgs.county[e] if o else p.residence[e] for e, o in zip(ent, is_org, strict=True)],
        dtype=np.int64,
    )
    earliest = np.array(
        [
            orgs.established[e] if o else add_years(p.birth[e : e + 1], 22)[0]
            for e, o in zip(ent, is_org, strict=True)
        ],
        dtype="datetime64[D]",
    )
    earliest = np.maximum(earliest, as_of64 - 8 * 365 * DAY)
    earliest = np.minimum(earliest, as_of64)
    issued = _uniform_dates(rng, earliest, np.full(k, as_of64))
    validity = np.array([_LICENCE[t][1] for t in kinds], dtype=np.int64)
    until = add_years(issued, validity) - DAY
    status_labels = np.array([s for s, _ in pools.LICENCE_STATUSES])
    status_p = np.array([w for _, w in pools.LICENCE_STATUSES])
    status = rng.choice(status_labels, k, p=status_p / status_p.sum()).tolist()
    for r in range(k):
        if is_org[r] and orgs.status[ent[r]] in ("注销", "吊销") and status[r] == "有效":
            status[r] = "注销"
    _check_allowed(spec, "status", status)

    seq = counters.take("xuke", k)
    years = (issued.astype("datetime64[Y]").astype(np.int64) + 1970).tolist()
    rs = rng.random(k)
    keys = [orgs.uscc[e] if o else p.resident_id[e] for e, o in zip(ent, is_org, strict=True)]
    numbers = [
        _licence_no(kinds[r], geo.counties[county[r]], years[r], int(seq[r]), keys[r], float(rs[r]))
        for r in range(k)
    ]
    issuers = [f"{load_divisions()[geo.city_of[c]].name}行政审批局" for c in county]
    id_types = ["统一社会信用代码" if o else "居民身份证" for o in is_org]
    _check_allowed(spec, "holder_id_type", id_types)
    role = Role(
        role="holder",
        kind=["org" if o else "person" for o in is_org],
        entity_id=[
            orgs.entity_id[e] if o else p.entity_id[e] for e, o in zip(ent, is_org, strict=True)
        ],
        true_key=keys,
        id_col=spec.column("holder_id"),
        name_col=spec.column("holder_name"),
        surname_len=[0 if o else len(p.surname[e]) for e, o in zip(ent, is_org, strict=True)],
        legacy=[
            (orgs.org_code[e], orgs.regno[e]) if o else None
            for e, o in zip(ent, is_org, strict=True)
        ],
    )
    until_iso = iso(until)
    c = spec.column
    cols = {
        c("license_no"): numbers,
        c("license_type"): kinds,
        c("holder_name"): [
            orgs.name[e] if o else p.name[e] for e, o in zip(ent, is_org, strict=True)
        ],
        c("holder_id_type"): id_types,
        c("holder_id"): list(keys),
        c("issuer"): issuers,
        c("issued_on"): iso(issued),
        c("valid_until"): [until_iso[r] if validity[r] else "" for r in range(k)],
        c("status"): status,
    }
    return Batch(cols, [role], k)


# --- 市场监管 企业 ---------------------------------------------------------------------------


def build_qiye(spec: DatasetSpec, orgs: Orgs, idx: np.ndarray) -> Batch:
    """One row per organisation, with its legal representative."""
    il = idx.tolist()
    _check_allowed(spec, "status", [orgs.status[i] for i in il])
    k = len(il)
    org_role = Role(
        role="org",
        kind=["org"] * k,
        entity_id=[orgs.entity_id[i] for i in il],
        true_key=[orgs.uscc[i] for i in il],
        id_col=spec.column("uscc"),
        name_col=spec.column("org_name"),
        surname_len=[0] * k,
        legacy=[(orgs.org_code[i], orgs.regno[i]) for i in il],
    )
    rep_role = Role(
        role="legal_rep",
        kind=["person"] * k,
        entity_id=[orgs.legal_rep_entity[i] for i in il],
        true_key=[orgs.legal_rep_id[i] for i in il],
        id_col=spec.column("legal_rep_id_number"),
        name_col=spec.column("legal_rep_name"),
        surname_len=[orgs.legal_rep_surname_len[i] for i in il],
    )
    c = spec.column
    cols = {
        c("uscc"): [orgs.uscc[i] for i in il],
        c("registration_no"): [orgs.regno[i] for i in il],
        c("org_name"): [orgs.name[i] for i in il],
        c("org_type"): [orgs.org_type[i] for i in il],
        c("legal_rep_name"): [orgs.legal_rep_name[i] for i in il],
        c("legal_rep_id_number"): [orgs.legal_rep_id[i] for i in il],
        c("registered_address"): [orgs.address[i] for i in il],
        c("registered_capital"): [orgs.capital[i] for i in il],
        c("established_on"): iso(orgs.established[idx]),
        c("status"): [orgs.status[i] for i in il],
    }
    return Batch(cols, [org_role, rep_role], k)


__all__ = [
    "Counters",
    "EmployerPicker",
    "build_huji",
    "build_hunyin",
    "build_qiye",
    "build_shebao",
    "build_xuke",
    "build_zongdi",
]
