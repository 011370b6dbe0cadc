"""Phones, names and sex codes: table cases; the column forms equal the scalar forms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jutong.standardize import (
    standardize_name,
    standardize_names,
    standardize_phone,
    standardize_phones,
    standardize_sex,
    standardize_sexes,
)

PHONES = [
    # (value, normalized, kind, extension, valid, reason)
    ("13812345678", "13812345678", "mobile", None, True, None),
    ("+86 138 1234 5678", "13812345678", "mobile", None, True, None),
    ("+86-138-1234-5678", "13812345678", "mobile", None, True, None),
    ("0086 13812345678", "13812345678", "mobile", None, True, None),
    ("8613812345678", "13812345678", "mobile", None, True, None),
    ("138 1234 5678", "13812345678", "mobile", None, True, None),
    ("１３８１２３４５６７８", "13812345678", "mobile", None, True, None),
    ("12812345678", "12812345678", "mobile", None, False, "bad_mobile"),
    ("1381234567", "1381234567", "mobile", None, False, "bad_mobile"),
    ("0772-2812345", "0772-2812345", "landline", None, True, None),
    ("(0772)2812345", "0772-2812345", "landline", None, True, None),
    ("（0772）28123456", "0772-28123456", "landline", None, True, None),
    ("07722812345", "0772-2812345", "landline", None, True, None),
    ("010-62345678", "010-62345678", "landline", None, True, None),
    ("020 82345678", "020-82345678", "landline", None, True, None),
    ("+86 772 2812345", "0772-2812345", "landline", None, True, None),
    ("0772-2812345-801", "0772-2812345", "landline", "801", True, None),
    ("0772-2812345转801", "0772-2812345", "landline", "801", True, None),
    ("0772-2812345 ext. 12", "0772-2812345", "landline", "12", True, None),
    ("2812345", "2812345", "landline", None, False, "no_area_code"),
    ("0772-12345", "077212345", "landline", None, False, "bad_length"),
    ("电话", "电话", None, None, False, "bad_chars"),
    ("", None, None, None, False, "empty"),
    (None, None, None, None, False, "empty"),
    ("无", None, None, None, False, "placeholder"),
]


@pytest.mark.parametrize(("value", "normalized", "kind", "ext", "valid", "reason"), PHONES)
def test_phone_cases(value, normalized, kind, ext, valid, reason):
    r = standardize_phone(value)
    assert (r.normalized, r.kind, r.extension, r.valid, r.reason) == (
        normalized,
        kind,
        ext,
        valid,
        reason,
    )


def test_phone_column_equals_scalar():
    values = [p[0] for p in PHONES] * 3
    col = standardize_phones(values).to_pylist()
    assert [c["normalized"] for c in col] == [standardize_phone(v).normalized for v in values]
    assert [c["valid"] for c in col] == [standardize_phone(v).valid for v in values]


NAMES = [
    ("张三", "张三", True, ()),
    ("  张三 ", "张三", True, ("trimmed",)),
    ("张 三", "张三", True, ("spaces",)),
    ("欧阳  娜娜", "欧阳娜娜", True, ("spaces",)),
    ("阿依古丽·买买提", "阿依古丽·买买提", True, ()),
    ("阿依古丽•买买提", "阿依古丽·买买提", True, ("middle_dot",)),  # U+2022
    ("阿依古丽・买买提", "阿依古丽·买买提", True, ("middle_dot",)),  # U+30FB
    ("阿依古丽‧买买提", "阿依古丽·买买提", True, ("middle_dot",)),  # U+2027
    ("阿依古丽･买买提", "阿依古丽·买买提", True, ("middle_dot",)),  # U+FF65
    ("阿依古丽∙买买提", "阿依古丽·买买提", True, ("middle_dot",)),  # U+2219
    ("阿依古丽.买买提", "阿依古丽·买买提", True, ("middle_dot",)),
    ("阿依古丽 · 买买提", "阿依古丽·买买提", True, ("middle_dot",)),
    ("Ｌｉ Ｍｉｎｇ", "Li Ming", True, ("fullwidth",)),
    ("Li   Ming", "Li Ming", True, ("spaces",)),
    ("张三1", "张三1", False, ()),
    ("", None, False, ()),
    ("无", None, False, ()),
]


@pytest.mark.parametrize(("value", "normalized", "valid", "repairs"), NAMES)
def test_name_cases(value, normalized, valid, repairs):
    r = standardize_name(value)
    assert (r.normalized, r.valid, r.repairs) == (normalized, valid, repairs)


@given(st.lists(st.text(alphabet="张三李四阿依古丽·•・‧･ .LiMng１　", max_size=12), max_size=30))
@settings(max_examples=100, deadline=None)
def test_name_column_equals_scalar(values):
    col = standardize_names(values).to_pylist()
    for v, c in zip(values, col, strict=True):
        r = standardize_name(v)
        assert (c["normalized"], c["valid"], c["reason"], tuple(c["repairs"])) == (
            r.normalized,
            r.valid,
            r.reason,
            r.repairs,
        )


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("男", "1"),
        ("男性", "1"),
        ("M", "1"),
        ("male", "1"),
        ("1", "1"),
        (1, "1"),
        ("1.0", "1"),
        ("女", "2"),
        ("F", "2"),
        ("Female", "2"),
        ("2", "2"),
        ("０", "0"),
        ("未知", "0"),
        ("9", "9"),
        ("未说明", "9"),
    ],
)
def test_sex_codes_gbt_2261_1(value, code):
    r = standardize_sex(value)
    assert r.valid and r.code == code


def test_sex_invalid_and_column():
    assert standardize_sex("3").reason == "unknown_value"
    assert standardize_sex(None).reason == "empty"
    col = standardize_sexes(["男", "女", None, "x", "男"]).to_pylist()
    assert [c["code"] for c in col] == ["1", "2", None, None, "1"]
