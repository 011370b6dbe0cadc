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

``comparisons(kind, scoring)``: with ``scoring=False`` the neutral levels never fire — the
form used to learn m and u from pairs of one entity (whose IDs are equal by construction)
and from random pairs; the learned values are then copied level by level into the scoring
form (same levels, same order).
"""

from __future__ import annotations

from jutong.catalog.model import EntityKind

# columns compared, per entity kind (columns of the mention frame)
PERSON_FEATURES = ("id17", "m_name", "m_birth", "m_sex", "m_division", "m_mobile")
ORG_FEATURES = ("id17", "m_name", "m_birth", "m_division", "m_rep")

ID_LEVELS = {
    "exact": "id17_l = id17_r",
    "transposed": "damerau_levenshtein(id17_l, id17_r) = 1 AND hamming(id17_l, id17_r) = 2",
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
        name = cl.JaroWinklerAtThresholds("m_name", [0.9, 0.7])
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
        block_on("m_rep", "m_division"),
    ]
