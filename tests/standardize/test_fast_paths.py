"""The column forms' Arrow fast paths (``_vector.with_fast_path``) give exactly what the
scalar rules give, row by row: the clean shapes they answer, the near misses they must leave
to the scalar rule, and mixed columns (row order, nulls, repeats)."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jutong.standardize import (
    address_division_codes,
    split_address,
    standardize_date,
    standardize_dates,
    standardize_name,
    standardize_names,
    standardize_phone,
    standardize_phones,
    tag_code_lists,
)
from jutong.standardize.addresses import _names_by_level

NAMES = [
    "张三",
    "欧阳娜娜",
    "买买提·艾力",
    "阿·",
    "·阿",
    "张 三",
    " 张三",
    "张三 ",
    "无",
    "不详",
    "暂无",
    "张三3",
    "Li Ming",
    "张．三",
    "张・三",
    "𠀀明",
    "張三",
    "豈",
    "",
    None,
]
PHONES = [
    "13812345678",
    "12812345678",
    "138-1234-5678",
    "138 1234 5678",
    "138-1234 5678",
    "128-1234-5678",
    "138-1234-567",
    "1381-234-5678",
    "0772-2812345",
    "077-22812345",
    "010-62345678",
    "0101-2345678",
    "021-1234567",
    "0311-12345678",
    "0772-0812345",
    "0772-28123456789",
    "+8613812345678",
    "0",
    "",
    None,
]
DATES = [
    "1990-01-02",
    "1990-02-30",
    "2000-02-29",
    "1900-02-29",
    "0999-01-01",
    "0000-01-01",
    "9999-12-31",
    "1000-01-01",
    "1990-1-2",
    "2024-13-01",
    "2024-00-10",
    "19900102",
    "1990/01/02",
    " 1990-01-02",
    "1990-01-02 ",
    "32875",
    "",
    None,
]


def _scalar_rows(fn, values, fields):
    return [{f: getattr(fn(v), f) for f in fields} for v in values]


def _column_rows(arr):
    rows = arr.to_pylist()
    for r in rows:
        if "repairs" in r:
            r["repairs"] = tuple(r["repairs"])
    return rows


@pytest.mark.parametrize(
    ("column", "scalar", "values"),
    [
        (standardize_names, standardize_name, NAMES),
        (standardize_phones, standardize_phone, PHONES),
        (standardize_dates, standardize_date, DATES),
    ],
)
def test_fast_path_equals_scalar_rule(column, scalar, values):
    mixed = values * 3
    random.Random(1).shuffle(mixed)
    got = _column_rows(column(mixed))
    fields = list(got[0])
    assert got == _scalar_rows(scalar, mixed, fields)
    assert len(column([])) == 0


@given(st.lists(st.text(alphabet="1380-2 7５", max_size=14), max_size=30))
@settings(max_examples=60, deadline=None)
def test_phone_fast_path_equals_scalar_on_digit_strings(values):
    got = _column_rows(standardize_phones(values))
    assert got == _scalar_rows(standardize_phone, values, list(got[0]) if got else [])


def _addresses(n: int, seed: int = 3) -> list[str | None]:
    rng = random.Random(seed)
    names = [name for level in _names_by_level().values() for name, _ in level]
    out: list[str | None] = []
    for _ in range(n):
        s = "".join(rng.choice(names) for _ in range(rng.randint(0, 3)))
        s += rng.choice(["", "民主路12号", "1号", "\u3000", " x", "某某村"])
        if rng.random() < 0.1:
            s = rng.choice([" ", "\u3000", "12", "\u200b", "Ａ"]) + s
        if rng.random() < 0.05:
            s = s[: rng.randint(0, len(s))]
        out.append(s if rng.random() > 0.03 else None)
    return out


def test_address_division_codes_equal_split_address():
    values = _addresses(3000)
    got = address_division_codes(values).to_pylist()
    want = [split_address(v).division_code for v in values]
    assert got == want
    assert sum(g is not None for g in got) > 1000  # the corpus does reach the divisions
    assert address_division_codes([]).to_pylist() == []


def test_tag_code_lists():
    lists = pa.array(
        [["empty"], None, [], ["bad_check", "empty", None], ["x"]], pa.list_(pa.string())
    )
    assert tag_code_lists(lists, "id:").to_pylist() == [
        ["id:empty"],
        [],
        [],
        ["id:bad_check", "id:empty", None],
        ["id:x"],
    ]
    assert tag_code_lists(lists, "id:", drop="empty").to_pylist() == [
        [],
        [],
        [],
        ["id:bad_check"],
        ["id:x"],
    ]
    assert tag_code_lists(lists.slice(3), "id:", drop="empty").to_pylist() == [
        ["id:bad_check"],
        ["id:x"],
    ]
