"""An adversarial population for the person matcher, written apart from ``jutong synth``.

It plants what an ID-equality matcher gets wrong, at the level the matcher sees (the
features of each mention, ``jutong.base.comparisons.PERSON_FEATURES``):

- **twins**: same birth date, county, surname and address, consecutive sequence numbers
  (+2 for twins of one sex, +1 for a brother and a sister), other given names;
- **twin traps**: a twin's mention whose ID was mistyped into the sibling's first 17 digits;
- **transposed** IDs (two neighbouring digits swapped) and **one wrong digit** anywhere;
- **check character only** wrong;
- **namesake groups**: several people with one name and birth year;
- **Excel-damaged** IDs: ``4.50721E+17`` (nothing left: no ID) and lost precision (the
  last digits turned to zeros);
- **unkeyed-only persons** (one in forty more, from a second random stream so that the
  figures above stay comparable): no valid ID in any row, two or three rows sharing one
  written ID (wrong check character or one wrong digit) — one person's monthly social-insurance
  rows; twins among them, each twin's rows with the twin's own name.

Every person has one to three mentions with a valid ID (the keyed, known side: some with a
homophone given name, another county, no mobile); the planted dirt is on the unkeyed side,
each unkeyed mention tagged with its kind. ``adversarial_people(n, seed)`` returns the two
sides as Arrow tables and the truth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from jutong.identifiers.checkdigits import resident_id_check
from jutong.synth import pools

COUNTIES = ("450102", "450103", "450202", "450203", "450304", "450405", "450521", "450721")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高韦覃蒙莫梁"
MALE = tuple(pools.GIVEN_MALE_NEW) + tuple(pools.GIVEN_MALE_OLD)
FEMALE = tuple(pools.GIVEN_FEMALE_NEW) + tuple(pools.GIVEN_FEMALE_OLD)
VARIANTS = {**pools.GIVEN_MALE_NEW, **pools.GIVEN_MALE_OLD, **pools.GIVEN_FEMALE_NEW,
            **pools.GIVEN_FEMALE_OLD}  # fmt: skip
DIRT = ("check_only", "transposed", "one_digit", "twin_trap", "excel_sci", "excel_lossy")
# persons with no valid ID anywhere, known only by two or three rows that share one written ID
UNKEYED_ONLY_SHARE = 1 / 40


@dataclass
class AdversarialPeople:
    """``known``: ``entity_id`` + features (valid IDs); ``unkeyed``: ``mention_id`` +
    features; ``truth``: unkeyed ``mention_id`` -> ``entity_id``; ``dirt``: mention ->
    planted kind; ``twins``: pairs of entity ids that are twins."""

    known: pa.Table
    unkeyed: pa.Table
    truth: dict[str, str]
    dirt: dict[str, str]
    twins: set[frozenset[str]]


@dataclass
class _Person:
    pid: str
    rid: str
    surname: str
    given: str
    birth: dt.date
    sex: str
    division: str
    mobile: str


def _given(rng: np.random.Generator, sex: str) -> str:
    pool = MALE if sex == "1" else FEMALE
    k = 1 + int(rng.random() < 0.7)
    return "".join(pool[int(i)] for i in rng.integers(0, len(pool), k))


def _rid(county: str, birth: dt.date, seq: int) -> str:
    body = f"{county}{birth:%Y%m%d}{seq:03d}"
    return body + resident_id_check(body)


def _people(n: int, rng: np.random.Generator) -> tuple[list[_Person], set[frozenset[str]]]:
    people: list[_Person] = []
    twins: set[frozenset[str]] = set()
    used: set[str] = set()

    def add(county, birth, seq, surname, given, sex, division) -> _Person:
        rid = _rid(county, birth, seq)
        used.add(rid[:17])
        p = _Person(f"A{len(people):06d}", rid, surname, given, birth, sex, division,
                    f"1{int(rng.integers(3, 10))}{int(rng.integers(0, 10**9)):09d}")  # fmt: skip
        people.append(p)
        return p

    namesakes: list[tuple[str, str, int]] = []
    while len(people) < n:
        county = COUNTIES[int(rng.integers(0, len(COUNTIES)))]
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 70)))
        surname = SURNAMES[int(rng.integers(0, len(SURNAMES)))]
        sex = "1" if rng.random() < 0.5 else "2"
        seq = int(rng.integers(1, 497)) * 2 - (1 if sex == "1" else 0)
        if _rid(county, birth, seq)[:17] in used:
            continue
        r = rng.random()
        if r < 0.12 and len(people) + 2 <= n:  # twins
            sex2 = sex if rng.random() < 0.6 else ("2" if sex == "1" else "1")
            seq2 = seq + (2 if sex2 == sex else 1)
            a = add(county, birth, seq, surname, _given(rng, sex), sex, county)
            given2 = _given(rng, sex2)
            while given2 == a.given:
                given2 = _given(rng, sex2)
            b = add(county, birth, seq2, surname, given2, sex2, county)
            twins.add(frozenset((a.pid, b.pid)))
        elif r < 0.2 and namesakes:  # one more of a namesake group: same name, birth year
            s, g, year = namesakes[int(rng.integers(0, len(namesakes)))]
            b = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
            add(county, b, seq, s, g, sex, county)
        else:
            p = add(county, birth, seq, surname, _given(rng, sex), sex, county)
            if rng.random() < 0.1:
                namesakes.append((p.surname, p.given, p.birth.year))
    return people, twins


def _variant(given: str) -> str:
    """One character of the given name written as its homophone or variant."""
    for i, c in enumerate(given):
        if c in VARIANTS:
            return given[:i] + VARIANTS[c] + given[i + 1 :]
    return given


def _typo(rid: str, kind: str, rng: np.random.Generator) -> str | None:
    """The first 17 characters as written, or None when nothing usable is left."""
    body = rid[:17]
    if kind == "check_only":
        return body
    if kind == "transposed":
        while True:
            i = int(rng.integers(0, 16))
            if body[i] != body[i + 1]:
                return body[:i] + body[i + 1] + body[i] + body[i + 2 :]
    if kind == "one_digit":
        i = int(rng.integers(0, 17))
        d = str((int(body[i]) + int(rng.integers(1, 10))) % 10)
        return body[:i] + d + body[i + 1 :]
    if kind == "excel_lossy":  # 15 significant digits: the last three turn to zeros
        return body[:15] + "00"
    return None  # excel_sci: 4.50721E+17


def _unkeyed_only(people, twins, rows, truth, dirt, n: int, seed: int) -> None:
    """Append the unkeyed-only persons' rows (ids ``B…``) to ``rows``, ``truth``, ``dirt``
    and their twin pairs to ``twins``."""
    rng = np.random.default_rng([seed, 1])
    taken = {p.rid[:17] for p in people}
    extra, extra_twins = _people(max(2, int(n * UNKEYED_ONLY_SHARE)), rng)
    ok = {p.pid for p in extra if p.rid[:17] not in taken}
    twins.update(
        frozenset("B" + x[1:] for x in pair) for pair in extra_twins if all(x in ok for x in pair)
    )
    for p in extra:
        if p.pid not in ok:
            continue
        pid = "B" + p.pid[1:]
        kind = "check_only" if rng.random() < 0.5 else "one_digit"
        id17 = _typo(p.rid, kind, rng)  # one written ID, copied into every row
        for _ in range(2 + int(rng.random() < 0.3)):
            mid = f"u{len(rows):06d}"
            rows.append(
                {
                    "mention_id": mid,
                    "id17": id17,
                    "m_name": p.surname + p.given,
                    "m_birth": p.birth,
                    "m_sex": p.sex,
                    "m_division": p.division if rng.random() < 0.9 else None,
                    "m_mobile": p.mobile if rng.random() < 0.3 else None,
                }
            )
            truth[mid] = pid
            dirt[mid] = f"unkeyed_only_{kind}"


def adversarial_people(n: int = 2000, seed: int = 7) -> AdversarialPeople:
    rng = np.random.default_rng(seed)
    people, twins = _people(n, rng)
    by_pid = {p.pid: p for p in people}
    sibling = {}
    for pair in twins:
        a, b = sorted(pair)
        sibling[a], sibling[b] = b, a

    known_rows: list[dict] = []
    for p in people:
        for k in range(1 + int(rng.integers(0, 3))):
            given = _variant(p.given) if k and rng.random() < 0.1 else p.given
            division = p.division if rng.random() < 0.9 else COUNTIES[int(rng.integers(0, 8))]
            known_rows.append(
                {
                    "entity_id": p.pid,
                    "id17": p.rid[:17],
                    "m_name": p.surname + given,
                    "m_birth": p.birth,
                    "m_sex": p.sex,
                    "m_division": division,
                    "m_mobile": (p.mobile if rng.random() < 0.85 else f"139{k:08d}")
                    if rng.random() < 0.6
                    else None,
                }
            )

    unkeyed_rows: list[dict] = []
    truth: dict[str, str] = {}
    dirt: dict[str, str] = {}
    for p in people:
        if rng.random() > 0.35:
            continue
        kind = DIRT[int(rng.integers(0, len(DIRT)))]
        if kind == "twin_trap":
            if p.pid not in sibling:
                kind = "one_digit"
            else:  # the sibling's first 17 digits, written by (or for) this twin
                id17 = by_pid[sibling[p.pid]].rid[:17]
        if kind != "twin_trap":
            id17 = _typo(p.rid, kind, rng)
        mid = f"u{len(unkeyed_rows):06d}"
        own = rng.random() < 0.7  # the row has its own birth date and sex columns
        unkeyed_rows.append(
            {
                "mention_id": mid,
                "id17": id17,
                "m_name": p.surname + (_variant(p.given) if rng.random() < 0.1 else p.given),
                "m_birth": p.birth if own or id17 is None else None,
                "m_sex": p.sex if own or id17 is None else None,
                "m_division": p.division if rng.random() < 0.8 else None,
                "m_mobile": p.mobile if rng.random() < 0.3 else None,
            }
        )
        truth[mid] = p.pid
        dirt[mid] = kind

    _unkeyed_only(people, twins, unkeyed_rows, truth, dirt, n, seed)

    schema = {
        "id17": pa.string(),
        "m_name": pa.string(),
        "m_birth": pa.date32(),
        "m_sex": pa.string(),
        "m_division": pa.string(),
        "m_mobile": pa.string(),
    }
    known = pa.Table.from_pylist(
        known_rows, pa.schema([("entity_id", pa.string()), *schema.items()])
    )
    unkeyed = pa.Table.from_pylist(
        unkeyed_rows, pa.schema([("mention_id", pa.string()), *schema.items()])
    )
    return AdversarialPeople(known, unkeyed, truth, dirt, twins)
