"""The Splink comparisons of entity resolution: what is compared and at which levels.

Identifiers go wrong in known ways, and the levels of the identifier comparison follow
them (GB 11643-1999: county 1–6, birth date 7–14, sequence 15–17, check 18; GB 32100-2015:
the first 17 characters and a check character), so that the model learns a weight for each
kind of difference instead of "equal or not":

- equal (the first 17 characters);
- two neighbouring characters swapped (one transposition);
- one character wrong in the county or birth date;
- same county and birth date, one digit of the sequence different — a typo, or a twin
  (twins share the birth date, the address and consecutive sequence numbers);
- same county and birth date, the sequence further apart — siblings born the same day;
- anything else.

A person's birth date and sex are written in the ID (digits 7–14; the 17th digit is odd
for men). When both IDs are there and agree on them, the birth-date and sex comparisons
carry nothing more (a neutral level, weight 0): otherwise twins would be counted three
times as alike — by the ID, the birth date and the sex. Where the IDs disagree, the
record's own birth date and sex (or, without one, the ID's) are compared across: a man
whose mention carries his twin sister's ID digits disagrees on sex.

Organisation names are written with or without the province and the city in front
(``广西``, ``柳州市``/``柳州``) and with ``有限责任公司`` or ``有限公司``: their *core* — the name
without that prefix, the form made one — is compared as a level of its own, below the exact
name, when the cities the two names carry (if both carry one) are the same; and it is a
blocking key. ``柳州市华盛贸易有限公司`` and ``南宁市华盛贸易有限公司`` (one trade name in two
cities) are not core-equal; a head office and its branch (``…有限公司柳州分公司``) never are.

``comparisons(kind, scoring)``: with ``scoring=False`` the neutral levels never fire — the
form used to learn m and u from pairs of one entity (whose IDs are equal by construction)
and from random pairs; the learned values are then copied level by level into the scoring
form (same levels, same order).
"""

from __future__ import annotations

import functools

from jutong.catalog.model import EntityKind

# columns compared, per entity kind (columns of the mention frame)
PERSON_FEATURES = ("id17", "m_name", "m_birth", "m_sex", "m_division", "m_mobile")
ORG_FEATURES = ("id17", "m_name", "m_birth", "m_division", "m_rep")

ID_LEVELS = {
    "exact": "id17_l = id17_r",
    # hamming first, in a CASE: DuckDB evaluates both sides of an AND on every pair, and
    # damerau_levenshtein is ~400x dearer than hamming (13 s on 4 M random pairs, the bulk
    # of u's estimation); CASE computes it only for the pairs two characters apart
    "transposed": (
        "CASE WHEN hamming(id17_l, id17_r) = 2 "
        "THEN damerau_levenshtein(id17_l, id17_r) = 1 ELSE FALSE END"
    ),
}
PERSON_ID_LEVELS = {
    **ID_LEVELS,
    "one digit wrong in county or birth date": (
        "hamming(id17_l, id17_r) = 1 AND substr(id17_l, 1, 14) <> substr(id17_r, 1, 14)"
    ),
    "same county and birth date, one sequence digit apart (typo or twin)": (
        "substr(id17_l, 1, 14) = substr(id17_r, 1, 14) AND hamming(id17_l, id17_r) = 1"
    ),
    "same county and birth date, other sequence (siblings)": (
        "substr(id17_l, 1, 14) = substr(id17_r, 1, 14)"
    ),
}
ORG_ID_LEVELS = {**ID_LEVELS, "one character wrong": "hamming(id17_l, id17_r) = 1"}

# both IDs there and telling the same birth date / sex: already counted by the ID comparison
_SAME_ID_BIRTH = (
    "id17_l IS NOT NULL AND id17_r IS NOT NULL AND substr(id17_l, 7, 8) = substr(id17_r, 7, 8)"
)
_SAME_ID_SEX = (
    "id17_l IS NOT NULL AND id17_r IS NOT NULL "
    "AND (TRY_CAST(substr(id17_l, 17, 1) AS INTEGER) % 2) "
    "= (TRY_CAST(substr(id17_r, 17, 1) AS INTEGER) % 2) AND m_sex_l = m_sex_r"
)

# same number of characters, exactly one of them different (substring counts characters)
_ONE_CHARACTER_APART = (
    "length(m_name_l) = length(m_name_r) AND len(list_filter(range(1, length(m_name_l) + 1), "
    "lambda i: substring(m_name_l, i, 1) <> substring(m_name_r, i, 1))) = 1"
)


@functools.cache
def _places() -> tuple[str, str]:
    """Regex alternations of the province names (full and short: 广西壮族自治区, 广西) and
    of the city names (柳州市, 柳州), longest first, from the division reference."""
    from jutong.reference import load_divisions

    provinces: set[str] = set()
    cities: set[str] = set()
    for d in load_divisions().values():
        if d.level == "province":
            provinces.update({d.name, d.name[:2]})
        elif d.level == "city" and d.name != "市辖区":
            cities.update({d.name, d.name.removesuffix("市")})
    order = functools.partial(sorted, key=lambda x: (-len(x), x))
    return "|".join(order(provinces)), "|".join(order(cities))


def org_name_core(column: str) -> str:
    """SQL: the organisation name without province and city in front, ``有限责任公司`` written
    ``有限公司`` and full-width brackets half-width."""
    provinces, cities = _places()
    form = f"replace(replace(replace({column}, '有限责任公司', '有限公司'), '（', '('), '）', ')')"
    return f"regexp_replace({form}, '^(?:{provinces})?(?:{cities})?', '')"


def org_name_city(column: str) -> str:
    """SQL: the city an organisation name starts with (after the province), without 市."""
    provinces, cities = _places()
    found = f"regexp_extract({column}, '^(?:{provinces})?({cities})', 1)"
    return f"regexp_replace({found}, '市$', '')"


def _core_equal() -> str:
    city_l, city_r = org_name_city("m_name_l"), org_name_city("m_name_r")
    return (
        f"{org_name_core('m_name_l')} = {org_name_core('m_name_r')} "
        f"AND ({city_l} = '' OR {city_r} = '' OR {city_l} = {city_r})"
    )


def features(kind: EntityKind) -> tuple[str, ...]:
    return PERSON_FEATURES if kind is EntityKind.person else ORG_FEATURES


def _custom(name: str, levels: list[dict]):
    import splink.comparison_library as cl

    return cl.CustomComparison(comparison_levels=levels, output_column_name=name)


def _level(sql: str, label: str, **extra) -> dict:
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def identifier(kind: EntityKind):
    levels = PERSON_ID_LEVELS if kind is EntityKind.person else ORG_ID_LEVELS
    return _custom(
        "id17",
        [
            _level("id17_l IS NULL OR id17_r IS NULL", "id null", is_null_level=True),
            *[_level(sql, label) for label, sql in levels.items()],
            _level("ELSE", "other identifier"),
        ],
    )


def _implied(column: str, same_in_ids: str, scoring: bool, label: str):
    """Exact comparison of ``column`` with a neutral first level where both IDs already
    say the same (never firing when ``scoring`` is False)."""
    neutral = same_in_ids if scoring else "FALSE"
    return _custom(
        column,
        [
            _level(neutral, f"{label} as both IDs say", is_null_level=True),
            _level(
                f"{column}_l IS NULL OR {column}_r IS NULL", f"{label} null", is_null_level=True
            ),
            _level(f"{column}_l = {column}_r", f"{label} equal"),
            _level("ELSE", f"{label} different"),
        ],
    )


def comparisons(kind: EntityKind, *, scoring: bool) -> list:
    import splink.comparison_library as cl

    # a Chinese name is two to four characters: one character apart is a homophone or a
    # variant. DuckDB's string distances count UTF-8 bytes (levenshtein('高铭', '高明') = 3),
    # so characters are compared one by one; organisation names are long and Jaro–Winkler
    # (on bytes) still ranks them well
    if kind is EntityKind.person:
        name = _custom(
            "m_name",
            [
                _level("m_name_l IS NULL OR m_name_r IS NULL", "name null", is_null_level=True),
                _level("m_name_l = m_name_r", "name equal"),
                _level(_ONE_CHARACTER_APART, "name one character apart"),
                _level("ELSE", "name different"),
            ],
        )
    else:
        name = _custom(
            "m_name",
            [
                _level("m_name_l IS NULL OR m_name_r IS NULL", "name null", is_null_level=True),
                _level("m_name_l = m_name_r", "name equal"),
                _level(_core_equal(), "name equal without province, city and form"),
                _level("jaro_winkler_similarity(m_name_l, m_name_r) >= 0.9", "name JW >= 0.9"),
                _level("jaro_winkler_similarity(m_name_l, m_name_r) >= 0.7", "name JW >= 0.7"),
                _level("ELSE", "name different"),
            ],
        )
    if kind is EntityKind.person:
        return [
            identifier(kind),
            name,
            _implied("m_birth", _SAME_ID_BIRTH, scoring, "birth date"),
            _implied("m_sex", _SAME_ID_SEX, scoring, "sex"),
            cl.ExactMatch("m_division"),
            cl.ExactMatch("m_mobile"),
        ]
    return [
        identifier(kind),
        name,
        cl.ExactMatch("m_birth"),
        cl.ExactMatch("m_division"),
        cl.ExactMatch("m_rep"),
    ]


def blocking(kind: EntityKind) -> list:
    """Candidate pairs: equal IDs, IDs one wrong digit apart (one of three parts whole), and
    the same name with the same birth date, county or ID county."""
    from splink import block_on

    if kind is EntityKind.person:
        return [
            block_on("id17"),
            block_on("substr(id17, 7, 8)", "m_name"),
            # one wrong digit leaves one of these whole
            block_on("substr(id17, 1, 11)"),
            block_on("substr(id17, 1, 6)", "substr(id17, 12, 6)"),
            block_on("substr(id17, 7, 11)"),
            block_on("m_name", "m_birth"),
            block_on("m_name", "m_division"),
            block_on("m_name", "substr(id17, 1, 6)"),
            block_on("m_mobile"),
        ]
    return [
        block_on("id17"),
        block_on("substr(id17, 1, 8)"),
        block_on("substr(id17, 9, 9)"),
        block_on("m_name"),
        block_on(org_name_core("m_name")),
        block_on("m_rep", "m_division"),
    ]
