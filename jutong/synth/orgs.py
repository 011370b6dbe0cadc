"""Organisations of the synthetic province (all held in memory: they are few)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from jutong.identifiers.checkdigits import USCC_CHARSET, orgcode_check, regno_check, uscc_check
from jutong.synth import pools
from jutong.synth.geo import Geography, city_short, local_name, short_name
from jutong.synth.people import make_addresses

USCC_START = np.datetime64("2015-10-01")  # GB 32100 codes issued from 1 October 2015
ACTIVE = ("存续", "在业")


@dataclass
class Orgs:
    entity_id: list[str]
    category: list[str]  # registration authority + category, e.g. "91"
    county: np.ndarray  # index of the current county
    division: list[str]  # division code inside the credit code (may be abolished)
    org_code: list[str]  # 9 characters (GB 11714)
    uscc: list[str]
    regno: list[str]  # 15-digit legacy registration number, "" when none
    name: list[str]
    org_type: list[str]
    address: list[str]
    capital: list[str]  # 万元, "" when not applicable
    established: np.ndarray  # datetime64[D]
    status: list[str]
    size: np.ndarray  # employer weight
    # filled in while persons are generated
    legal_rep_entity: list[str]
    legal_rep_name: list[str]
    legal_rep_id: list[str]
    legal_rep_surname_len: list[int]

    @property
    def n(self) -> int:
        return len(self.entity_id)


def _choice(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    labels = np.array([t[0] for t in table])
    p = np.array([t[1] for t in table], dtype=float)
    return rng.choice(labels, n, p=p / p.sum())


def _pick(seq: tuple[str, ...] | list[str], u: float) -> str:
    return seq[int(u * len(seq))]


def _org_name(cat: str, org_type: str, county: str, u: np.ndarray) -> str:
    """A name for an organisation of category ``cat`` in ``county``; ``u`` holds 8 uniforms."""
    trade = _pick(pools.TRADE_NAME_CHARS, u[0]) + _pick(pools.TRADE_NAME_CHARS, u[1])
    if u[2] < 0.3:
        trade += _pick(pools.TRADE_NAME_CHARS, u[3])
    city = city_short(county)
    local = local_name(county)
    village = _pick(pools.VILLAGE_FIRST, u[4]) + _pick(pools.VILLAGE_SECOND, u[5])
    if cat == "91":
        industry = _pick(pools.INDUSTRIES, u[4])
        if org_type.startswith("股份有限公司"):
            form = "股份有限公司"
        elif org_type == "个人独资企业":
            return f"{city}市{trade}{industry}{_pick(pools.SOLE_PROPRIETOR_FORMS, u[5])}"
        elif org_type == "普通合伙企业":
            return f"{city}市{trade}{industry}中心（普通合伙）"
        elif "分公司" in org_type:
            return f"广西{trade}{industry}有限公司{city}分公司"
        else:
            form = "有限公司" if u[5] < 0.8 else "有限责任公司"
        if u[6] < 0.5:
            return f"广西{city}{trade}{industry}{form}"
        if u[6] < 0.8:
            return f"{city}市{trade}{industry}{form}"
        return f"广西{trade}{industry}{form}"
    if cat == "92":
        return f"{local}{trade}{_pick(pools.SHOP_KINDS, u[6])}"
    if cat == "93":
        return f"{short_name(county)}{village}{trade}{_pick(pools.COOP_KINDS, u[6])}"
    if cat == "51":
        if u[7] < 0.3:
            return f"{city}市{_pick(pools.SOCIETY_KINDS, u[6])}"
        return f"{local}{trade}{_pick(pools.SOCIETY_KINDS, u[6])}"
    if cat == "52":
        return f"{local}{trade}{_pick(pools.PRIVATE_NONPROFIT_KINDS, u[6])}"
    if cat == "53":
        return f"广西{trade}公益基金会"
    if cat == "11":
        if u[7] < 0.3:
            return f"{local}{_pick(pools.GOVERNMENT_BODIES, u[6])}"
        if u[7] < 0.8:
            return f"{local}{village}{'镇' if u[6] < 0.7 else '乡'}人民政府"
        return f"{local}{village}街道办事处"
    if cat == "12":
        return f"{local}{trade}{_pick(pools.PUBLIC_INSTITUTIONS, u[6])}"
    if cat == "Y1":
        estate = _pick(pools.ESTATE_WORDS, u[6]) + _pick(pools.ESTATE_SUFFIXES, u[7])
        return f"{local}{estate}业主委员会"
    if cat == "N2":
        return f"{local}{village}村股份经济合作社"
    return f"{local}{village}镇经济联合总社"


def make_orgs(rng: np.random.Generator, n: int, as_of: dt.date, geo: Geography) -> Orgs:
    as_of64 = np.datetime64(as_of, "D")
    cats = _choice(rng, pools.ORG_CATEGORIES, n).tolist()
    # organisations cluster in the cities: districts weigh more
    is_district = np.array([short_name(c).endswith("区") for c in geo.counties])
    w = geo.weights * np.where(is_district, 2.0, 1.0)
    county = rng.choice(len(geo.counties), n, p=w / w.sum())

    mean_age = {"91": 7.0, "92": 4.0, "93": 6.0, "11": 30.0, "12": 25.0, "N2": 8.0, "N3": 8.0}
    scale = np.array([mean_age.get(c, 12.0) for c in cats])
    age_days = np.minimum(rng.exponential(scale * 365.25), 60 * 365.25).astype(np.int64)
    established = as_of64 - age_days.astype("timedelta64[D]") - 1
    est_year = established.astype("datetime64[Y]").astype(np.int64) + 1970

    # Division code in the credit code: the county in force when the code was issued (codes
    # were issued from October 2015, so older organisations got the code of that time).
    issued_year = np.maximum(est_year, 2015)
    use_old = rng.random(n) < 0.7
    division: list[str] = []
    for i in range(n):
        code = geo.counties[county[i]]
        pred = geo.predecessors.get(int(county[i]))
        if pred is not None and issued_year[i] < pred[1] and use_old[i]:
            code = pred[0]
        division.append(code)

    # Organisation code (GB 11714): 8 characters + check. Codes issued with credit codes start
    # with MA and a block of the province (Guangxi's read MA5K…MA5Q).
    new_style = (established >= USCC_START) & (rng.random(n) < 0.9)
    charset = np.array(list(USCC_CHARSET))
    org_codes: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        while True:
            if new_style[i]:
                block = "KLMNPQ"[int(rng.integers(0, 6))]
                body = "MA5" + block + "".join(rng.choice(charset, 4))
            else:
                body = f"{rng.integers(1, 10)}{rng.integers(0, 10**7):07d}"
            code = body + orgcode_check(body)
            if code not in seen:
                seen.add(code)
                break
        org_codes.append(code)
    usccs = []
    for i in range(n):
        body = cats[i] + division[i] + org_codes[i]
        usccs.append(body + uscc_check(body))

    # 15-digit registration numbers for market entities registered before the credit code
    regnos: list[str] = []
    seq = rng.permutation(n)
    for i in range(n):
        if cats[i][0] == "9" and established[i] < USCC_START and rng.random() < 0.85:
            lead = "6" if cats[i] == "92" else str(rng.integers(0, 4))
            body = f"{geo.counties[county[i]]}{lead}{int(seq[i]) % 10**7:07d}"
            regnos.append(body + regno_check(body))
        else:
            regnos.append("")

    company_types = _choice(rng, pools.COMPANY_TYPES, n)
    org_type = [
        str(company_types[i]) if c == "91" else pools.OTHER_TYPES[c] for i, c in enumerate(cats)
    ]
    names: list[str] = []
    taken: set[str] = set()
    for i in range(n):
        code = geo.counties[county[i]]
        for _attempt in range(100):
            name = _org_name(cats[i], org_type[i], code, rng.random(8))
            if name not in taken:
                break
        else:  # a crowded name space (huge provinces): number the name
            name = f"{name}（{i + 1}）"
        taken.add(name)
        names.append(name)

    addresses = make_addresses(
        rng,
        [geo.full_names[c] for c in county],
        rng.random(n) < np.where(is_district[county], 0.95, 0.7),
    )
    # Floors for offices
    floor = rng.integers(1, 25, n)
    addresses = [
        a + f"{floor[i]}楼"
        if cats[i] in ("91", "51", "53") and a.endswith("号") and rng.random() < 0.4
        else a
        for i, a in enumerate(addresses)
    ]

    round_caps = np.array(
        [1, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 800, 1000, 2000, 3000, 5000, 10000]
    )
    cap_round = rng.choice(round_caps, n, p=_cap_p(round_caps))
    cap_free = np.round(np.exp(rng.normal(4.5, 1.6, n)), 2)
    capital: list[str] = []
    for i, c in enumerate(cats):
        if c == "91":
            v = float(cap_round[i]) if rng.random() < 0.75 else max(0.01, float(cap_free[i]))
            capital.append(_fmt_capital(v))
        elif c == "92":
            capital.append(
                _fmt_capital(float(rng.choice([1, 2, 3, 5, 10, 20]))) if rng.random() < 0.6 else ""
            )
        elif c == "93":
            capital.append(_fmt_capital(float(rng.choice([10, 20, 50, 100, 200]))))
        elif c == "52":
            capital.append(_fmt_capital(float(rng.choice([3, 5, 10, 30, 50]))))
        else:
            capital.append("")

    status = _choice(rng, pools.ORG_STATUSES, n).tolist()
    young = established > as_of64 - np.timedelta64(365, "D")
    status = ["存续" if young[i] and s in ("吊销", "注销") else s for i, s in enumerate(status)]

    size = np.exp(rng.normal(1.5, 1.3, n))
    factor = {
        "91": 1.0,
        "92": 0.05,
        "93": 0.1,
        "11": 3.0,
        "12": 4.0,
        "51": 0.1,
        "52": 0.4,
        "53": 0.05,
    }
    size *= np.array([factor.get(c, 0.0) for c in cats])
    size *= np.array([s in ACTIVE for s in status])

    return Orgs(
        entity_id=[f"O{i + 1:07d}" for i in range(n)],
        category=cats,
        county=county,
        division=division,
        org_code=org_codes,
        uscc=usccs,
        regno=regnos,
        name=names,
        org_type=org_type,
        address=addresses,
        capital=capital,
        established=established,
        status=status,
        size=size,
        legal_rep_entity=[""] * n,
        legal_rep_name=[""] * n,
        legal_rep_id=[""] * n,
        legal_rep_surname_len=[0] * n,
    )


def _cap_p(caps: np.ndarray) -> np.ndarray:
    p = 1.0 / np.sqrt(caps)
    p[caps == 100] *= 3
    p[caps == 50] *= 2
    return p / p.sum()


def _fmt_capital(v: float) -> str:
    """Register style: whole numbers as 500, others with up to four decimals (123.45)."""
    if v == int(v):
        return str(int(v))
    return f"{v:.4f}".rstrip("0").rstrip(".")
