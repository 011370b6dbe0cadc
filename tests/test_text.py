"""The text toolkit: full/half width, cells, group separators, Luhn, mobile patterns."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jutong.text import cells
from jutong.text.layout import GROUP_SEPARATORS, compact, compact_array
from jutong.text.luhn import luhn_check_digit, luhn_check_digits, luhn_ok
from jutong.text.phones import (
    COUNTRY_CODE_PATTERN,
    EXTENSION_RE,
    INTERNATIONAL_MOBILE_RE,
    LANDLINE_PATTERN,
    MOBILE_PATTERN,
    MOBILE_RE,
    area_code_length,
    is_landline,
    national_mobile,
)
from jutong.text.width import (
    FULLWIDTH_CLASS,
    to_fullwidth,
    to_halfwidth,
    to_halfwidth_array,
)

printable_ascii = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E))
digits = st.text(alphabet="0123456789", min_size=1, max_size=25)


# ---- width -----------------------------------------------------------------------------------


@given(printable_ascii)
def test_halfwidth_of_ascii_is_identity(text):
    assert to_halfwidth(text) == text


@given(printable_ascii)
def test_fullwidth_round_trip(text):
    wide = to_fullwidth(text)
    assert all(not ("\x20" <= c <= "\x7e") for c in wide)
    assert to_halfwidth(wide) == text


def test_halfwidth_examples_and_what_it_leaves():
    assert to_halfwidth("４５０１０２\u3000１９９０ＸＡｂ－") == "450102 1990XAb-"
    # neither NFKC's other foldings nor the neighbours of the block
    for c in "①²ﬁ\uff00\uff5f\uff61ｶ":
        assert to_halfwidth(c) == c
    # exactly the characters NFKC maps to printable ASCII in the block, plus U+3000
    mapped = {chr(c) for c in range(0xFF00, 0xFFF0) if to_halfwidth(chr(c)) != chr(c)}
    assert mapped == {chr(c) for c in range(0xFF01, 0xFF5F)}
    assert all(unicodedata.normalize("NFKC", c) == to_halfwidth(c) for c in mapped)


def test_fullwidth_of_some_characters_only():
    assert to_fullwidth("91X x-1", only="0123456789Xx") == "９１Ｘ ｘ-１"


def test_fullwidth_class_matches_exactly_the_mapped_characters():
    pattern = re.compile(FULLWIDTH_CLASS)
    for cp in range(0x2F00, 0x10000):
        c = chr(cp)
        assert bool(pattern.fullmatch(c)) == (to_halfwidth(c) != c), hex(cp)


wide_text = st.text(
    alphabet=st.sampled_from(list("Ａｚ０９！～\u3000\uff00\uff5f中文 ab1\u00e9\U0001f600")),
    max_size=12,
)


@given(st.lists(wide_text | st.none(), max_size=20), st.integers(0, 3))
@settings(max_examples=150, deadline=None)
def test_halfwidth_array_equals_scalar(values, start):
    for arr in (
        pa.array(["pad"] * start + values, pa.string())[start:],
        pa.array(values, pa.large_string()),
    ):
        half, changed = to_halfwidth_array(arr)
        assert half.type == arr.type
        expected = [None if v is None else to_halfwidth(v) for v in values]
        assert half.to_pylist() == expected
        assert changed.tolist() == [v is not None and to_halfwidth(v) != v for v in values]


def test_halfwidth_array_of_empty_and_all_null():
    for arr in (pa.array([], pa.string()), pa.array([None, None], pa.string())):
        half, changed = to_halfwidth_array(arr)
        assert half.to_pylist() == arr.to_pylist()
        assert not changed.any()


# ---- layout ----------------------------------------------------------------------------------


def test_compact_removes_group_separators_after_halfwidth():
    assert compact("+86 138-0013\u30008000") == "+8613800138000"
    assert compact("４５０１０２－１９９００１０１\u00a0１２３Ｘ") == "45010219900101123X"
    assert compact("".join(GROUP_SEPARATORS)) == ""


@given(st.lists(wide_text | st.sampled_from(["１３８\u2013００", "a\u2014b"]) | st.none()))
@settings(max_examples=100, deadline=None)
def test_compact_array_equals_scalar(values):
    got = compact_array(pa.array(values, pa.string())).to_pylist()
    assert got == [None if v is None else compact(v) for v in values]


# ---- cells -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, None), (float("nan"), None), (12, "12"), (b"\xe6\x97\xa0", "无"), ("x", "x")],
)
def test_as_text(value, text):
    assert cells.as_text(value) == text


def test_strip_all_and_placeholders():
    assert cells.strip_all("\u200b 张三\u3000\ufeff ") == "张三"
    for t in ["无", "NULL", "n/a", "--", "- -", "''", "——"]:
        assert cells.is_placeholder_text(t), t
    for t in ["张三", "0772", "x1"]:
        assert not cells.is_placeholder_text(t), t


def test_clean_code_reports_its_repairs():
    assert cells.clean_code("４５０１ 02-'X", 1, 2, 4) == ("450102X", 7)
    assert cells.clean_code("450102", 1, 2, 4) == ("450102", 0)


# ---- luhn ------------------------------------------------------------------------------------


@given(digits)
def test_luhn_completed_numbers_pass(body):
    assert luhn_ok(body + luhn_check_digit(body))


@given(digits)
def test_luhn_catches_every_single_digit_error(body):
    number = body + luhn_check_digit(body)
    i = len(number) // 2
    for d in "0123456789":
        if d != number[i]:
            assert not luhn_ok(number[:i] + d + number[i + 1 :])


@given(st.lists(st.lists(st.integers(0, 9), min_size=15, max_size=15), min_size=1, max_size=20))
def test_luhn_check_digits_of_a_matrix_equal_the_scalar(rows):
    got = luhn_check_digits(np.array(rows))
    assert [str(d) for d in got] == [luhn_check_digit("".join(map(str, r))) for r in rows]


def test_luhn_known_numbers_and_bad_input():
    assert luhn_ok("4111111111111111")  # the well-known Visa test number
    assert luhn_ok("79927398713")  # the worked example of ISO/IEC 7812-1
    assert not luhn_ok("79927398710")
    for bad in ["", "4111 1111 1111 1111", "４１１１１１１１１１１１１１１１", "1234567X"]:
        assert not luhn_ok(bad)
    with pytest.raises(ValueError):
        luhn_check_digit("12a")


# ---- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix", ["130", "140", "144", "145", "154", "160", "162", "168", "179", "194", "199"]
)
def test_every_block_of_the_numbering_plan_is_a_mobile(prefix):
    # no allow-list of issued blocks: it goes stale as carriers open new ones
    number = prefix + "00138000"
    assert MOBILE_RE.fullmatch(number)
    assert national_mobile(number) == number


def test_numbering_plan_and_country_codes():
    assert not MOBILE_RE.fullmatch("12800138000")
    assert not MOBILE_RE.fullmatch("1380013800")
    for written in ["13800138000", "8613800138000", "+8613800138000", "008613800138000"]:
        assert INTERNATIONAL_MOBILE_RE.fullmatch(written), written
    assert not INTERNATIONAL_MOBILE_RE.fullmatch("+0013800138000")
    assert re.fullmatch(COUNTRY_CODE_PATTERN, "0086")


def test_national_mobile():
    assert national_mobile("13800138000") == "13800138000"
    assert national_mobile("8613800138000") == "13800138000"
    assert national_mobile("008613800138000") == "13800138000"
    assert national_mobile("19400138000") == "19400138000"
    assert national_mobile("12800138000") is None
    assert national_mobile("861380013800") is None


def test_patterns_are_plain_ascii_classes():
    # the same strings serve Python re, RE2 (Arrow) and Spark's Java regex
    for pattern in (MOBILE_PATTERN, LANDLINE_PATTERN):
        assert "\\d" not in pattern and pattern.isascii()
    arr = pa.array(["13800138000", "12800138000", None])
    got = pc.match_substring_regex(arr, f"^{MOBILE_PATTERN}$").to_pylist()
    assert got == [True, False, None]


@pytest.mark.parametrize(
    ("digits", "ok", "area"),
    [
        ("01062345678", True, 3),
        ("0218693044", True, 3),  # 7-digit local number after a 3-digit area code
        ("07715551234", True, 4),
        ("077155512345", True, 4),
        ("0771155123", False, 4),  # local number starting with 1
        ("077112345", False, 4),  # too short
        ("13800138000", False, 4),
    ],
)
def test_landline(digits, ok, area):
    assert is_landline(digits) is ok
    assert area_code_length(digits) == area


@pytest.mark.parametrize(
    ("tail", "ext"), [("转801", "801"), (" 分机 12", "12"), ("-801", "801"), (" ext. 9", "9")]
)
def test_extension(tail, ext):
    m = EXTENSION_RE.match(tail)
    assert m and m[1] == ext
