"""An adversarial population for the organisation matcher, written apart from ``jutong synth``.

It plants what an organisation matcher gets wrong, at the level the matcher sees (the
features of each mention, ``jutong.base.comparisons.ORG_FEATURES``):

- **branch offices**: ``广西华盛贸易有限公司柳州分公司`` beside its head office and its other
  branches — names one city apart, often the same legal representative, codes of their own;
- **trade names shared between cities**: ``南宁市华盛贸易有限公司`` and ``柳州市华盛贸易有限公司``,
  different organisations with names a few characters apart;
- **legacy-code-only organisations**: no credit code ever issued, known by their 9-character
  organisation code (GB 11714) or 15-digit registration number — on the known side keyed by
  that legacy key (their ``entity_id`` starts with ``L``, no ``id17``), as the build makes
  them entities of their own; their unkeyed mentions carry the name only;
- credit codes with **two neighbouring characters swapped**, **one character wrong**, or only
  the **check character** wrong; and mentions with **no code** at all (name, county,
  establishment date, legal representative, each sometimes missing or written otherwise).

``adversarial_orgs(n, seed)`` returns the known and the unkeyed side as Arrow tables and
the truth, like ``jutong.synth.adversarial.adversarial_people``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from jutong.identifiers.checkdigits import USCC_CHARSET, orgcode_check, regno_check, uscc_check
from jutong.synth import pools
from jutong.synth.adversarial import FEMALE, MALE, SURNAMES

# county -> its city's short name (the first characters of many organisation names)
CITIES = {
    "450102": "南宁",
    "450103": "南宁",
    "450202": "柳州",
    "450203": "柳州",
    "450304": "桂林",
    "450405": "梧州",
    "450521": "北海",
    "450721": "钦州",
}
COUNTIES = tuple(CITIES)
COMPANY_FORMS = ("有限公司", "有限责任公司")
DIRT = ("check_only", "transposed", "one_char", "no_code")
ORG_COLUMNS = {
    "id17": pa.string(),
    "m_name": pa.string(),
    "m_birth": pa.date32(),
    "m_division": pa.string(),
    "m_rep": pa.string(),
}


@dataclass
class AdversarialOrgs:
    """``known``: ``entity_id`` + features; ``unkeyed``: ``mention_id`` + features;
    ``truth``: unkeyed ``mention_id`` -> ``entity_id``; ``dirt``: mention -> planted kind;
    ``traps``: pairs of entity ids that must never merge (a head office and its branch, two
    branches, two cities' namesakes); ``legacy``: entity id -> (legacy kind, legacy code)."""

    known: pa.Table
    unkeyed: pa.Table
    truth: dict[str, str]
    dirt: dict[str, str]
    traps: set[frozenset[str]]
    legacy: dict[str, tuple[str, str]]


@dataclass
class _Org:
    oid: str
    uscc: str | None  # None: a legacy-code-only organisation
    name: str
    established: dt.date
    division: str
    rep: str


def _pick(rng: np.random.Generator, seq) -> str:
    return seq[int(rng.integers(0, len(seq)))]


def _person(rng: np.random.Generator) -> str:
    pool = MALE if rng.random() < 0.7 else FEMALE
    return _pick(rng, SURNAMES) + "".join(
        _pick(rng, pool) for _ in range(1 + int(rng.random() < 0.7))
    )


def _uscc(rng: np.random.Generator, division: str, used: set[str]) -> str:
    while True:
        body8 = "".join(_pick(rng, "0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        org_code = body8 + orgcode_check(body8)
        body = "91" + division + org_code
        if body[:17] not in used:
            used.add(body[:17])
            return body + uscc_check(body)


def _trade(rng: np.random.Generator) -> str:
    return "".join(_pick(rng, pools.TRADE_NAME_CHARS) for _ in range(2 + int(rng.random() < 0.3)))


def _date(rng: np.random.Generator) -> dt.date:
    return dt.date(1990, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 34)))


def _orgs(n: int, rng: np.random.Generator):
    orgs: list[_Org] = []
    traps: set[frozenset[str]] = set()
    legacy: dict[str, tuple[str, str]] = {}
    used: set[str] = set()

    def add(name: str, division: str, rep: str, *, code: bool = True) -> _Org:
        oid = f"{'E' if code else 'L'}{len(orgs):06d}"
        uscc = _uscc(rng, division, used) if code else None
        o = _Org(oid, uscc, name, _date(rng), division, rep)
        orgs.append(o)
        return o

    while len(orgs) < n:
        county = _pick(rng, COUNTIES)
        city = CITIES[county]
        trade, industry = _trade(rng), _pick(rng, pools.INDUSTRIES)
        form = _pick(rng, COMPANY_FORMS)
        r = rng.random()
        if r < 0.12 and len(orgs) + 3 <= n:  # a head office and two branches
            head = add(f"广西{trade}{industry}{form}", county, _person(rng))
            cities = [c for c in COUNTIES if CITIES[c] != city]
            group = [head]
            for _ in range(2):
                c = _pick(rng, cities)
                cities = [x for x in cities if CITIES[x] != CITIES[c]]
                rep = head.rep if rng.random() < 0.5 else _person(rng)
                group.append(add(f"{head.name}{CITIES[c]}分公司", c, rep))
            traps.update(
                frozenset((a.oid, b.oid)) for i, a in enumerate(group) for b in group[i + 1 :]
            )
        elif r < 0.24 and len(orgs) + 2 <= n:  # one trade name in two cities
            other = _pick(rng, [c for c in COUNTIES if CITIES[c] != city])
            a = add(f"{city}市{trade}{industry}{form}", county, _person(rng))
            b = add(f"{CITIES[other]}市{trade}{industry}{form}", other, _person(rng))
            traps.add(frozenset((a.oid, b.oid)))
        elif r < 0.30:  # known only by a legacy code
            kind = "orgcode" if rng.random() < 0.6 else "regno"
            village = _pick(rng, pools.VILLAGE_FIRST) + _pick(rng, pools.VILLAGE_SECOND)
            o = add(
                f"{city}市{village}{_pick(rng, pools.PUBLIC_INSTITUTIONS)}",
                county,
                _person(rng),
                code=False,
            )
            if kind == "orgcode":
                body8 = "".join(str(int(d)) for d in rng.integers(0, 10, 8))
                legacy[o.oid] = ("legacy_orgcode", body8 + orgcode_check(body8))
            else:
                body14 = county + "".join(str(int(d)) for d in rng.integers(0, 10, 8))
                legacy[o.oid] = ("legacy_regno", body14 + regno_check(body14))
        else:
            add(f"{city}市{trade}{industry}{form}", county, _person(rng))
    return orgs, traps, legacy


def _written(name: str, rng: np.random.Generator) -> str:
    """The name as another department writes it: the form, the province, the city's 市."""
    r = rng.random()
    if r < 0.15 and name.endswith("有限责任公司"):
        return name[: -len("有限责任公司")] + "有限公司"
    if r < 0.25 and name.startswith("广西") and "分公司" not in name:
        return name[2:]
    if r < 0.3 and "市" in name:
        return name.replace("市", "", 1)
    return name


def _moved(division: str, rng: np.random.Generator) -> str:
    """The county of the registered address; one in twenty has moved."""
    return division if rng.random() < 0.95 else _pick(rng, COUNTIES)


def _typo(body17: str, kind: str, rng: np.random.Generator) -> str | None:
    if kind == "check_only":
        return body17
    if kind == "transposed":
        while True:
            i = int(rng.integers(0, 16))
            if body17[i] != body17[i + 1]:
                return body17[:i] + body17[i + 1] + body17[i] + body17[i + 2 :]
    if kind == "one_char":
        i = int(rng.integers(2, 17))
        c = _pick(rng, [x for x in USCC_CHARSET if x != body17[i]])
        return body17[:i] + c + body17[i + 1 :]
    return None  # no code


def adversarial_orgs(n: int = 600, seed: int = 7) -> AdversarialOrgs:
    rng = np.random.default_rng(seed)
    orgs, traps, legacy = _orgs(n, rng)

    known_rows: list[dict] = []
    for o in orgs:
        for k in range(1 + int(rng.integers(0, 3))):
            known_rows.append(
                {
                    "entity_id": o.oid,
                    "id17": o.uscc[:17] if o.uscc else None,
                    "m_name": _written(o.name, rng) if k else o.name,
                    "m_birth": o.established if rng.random() < 0.7 else None,
                    "m_division": _moved(o.division, rng) if rng.random() < 0.9 else None,
                    # the legal representative changes: an older extract has the former one
                    "m_rep": (o.rep if rng.random() < 0.9 else _person(rng))
                    if rng.random() < 0.6
                    else None,
                }
            )

    unkeyed_rows: list[dict] = []
    truth: dict[str, str] = {}
    dirt: dict[str, str] = {}
    for o in orgs:
        if rng.random() > 0.4:
            continue
        kind = "no_code" if o.uscc is None else _pick(rng, DIRT)
        mid = f"v{len(unkeyed_rows):06d}"
        unkeyed_rows.append(
            {
                "mention_id": mid,
                "id17": _typo(o.uscc[:17], kind, rng) if o.uscc else None,
                "m_name": _written(o.name, rng),
                "m_birth": o.established if rng.random() < 0.4 else None,
                "m_division": _moved(o.division, rng) if rng.random() < 0.8 else None,
                "m_rep": o.rep if rng.random() < 0.5 else None,
            }
        )
        truth[mid] = o.oid
        dirt[mid] = "legacy_only" if o.uscc is None else kind

    known = pa.Table.from_pylist(
        known_rows, pa.schema([("entity_id", pa.string()), *ORG_COLUMNS.items()])
    )
    unkeyed = pa.Table.from_pylist(
        unkeyed_rows, pa.schema([("mention_id", pa.string()), *ORG_COLUMNS.items()])
    )
    return AdversarialOrgs(known, unkeyed, truth, dirt, traps, legacy)
