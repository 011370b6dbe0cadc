"""Resident ID rule (GB 11643-1999): table-driven cases, stdnum oracle, scalar == vectorized."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from jutong.identifiers.checkdigits import resident_id_check
from jutong.identifiers.resident_id import (
    REASONS,
    REPAIRS,
    WARNINGS,
    check_resident_id,
    check_resident_ids,
)

AS_OF = dt.date(2026, 11, 21)


def make_id(region: str = "450202", birth: str = "19900101", seq: str = "123") -> str:
    body = region + birth + seq
    return body + resident_id_check(body)


def wrong_check(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


GOOD = make_id()  # 柳州市城中区, male
GOOD_X = next(make_id(seq=f"{s:03d}") for s in range(1000) if make_id(seq=f"{s:03d}")[17] == "X")
FULLWIDTH = GOOD.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})

CASES = [
    # (value, valid, reasons, warnings, repairs, normalized)
    (GOOD, True, (), (), (), GOOD),
    (GOOD_X, True, (), (), (), GOOD_X),
    (GOOD_X.lower(), True, (), (), ("lower_x",), GOOD_X),
    (FULLWIDTH, True, (), (), ("fullwidth",), GOOD),
    (" " + GOOD + "\u3000", True, (), (), ("fullwidth", "whitespace"), GOOD),
    (GOOD[:6] + " " + GOOD[6:14] + " " + GOOD[14:], True, (), (), ("whitespace",), GOOD),
    (GOOD[:6] + "-" + GOOD[6:14] + "-" + GOOD[14:], True, (), (), ("punctuation",), GOOD),
    ("'" + GOOD, True, (), (), ("punctuation",), GOOD),
    ("450202900101123", True, (), (), ("upgraded_15",), make_id(birth="19900101")),
    (wrong_check(GOOD), False, ("bad_check",), (), (), wrong_check(GOOD)),
    # 29 February: leap 2000 and 1996, not 1900 (century) nor 2001
    (make_id(birth="20000229"), True, (), (), (), make_id(birth="20000229")),
    (make_id(birth="19960229"), True, (), (), (), make_id(birth="19960229")),
    (make_id(birth="19000229"), False, ("bad_birth_date",), (), (), make_id(birth="19000229")),
    (make_id(birth="20010229"), False, ("bad_birth_date",), (), (), make_id(birth="20010229")),
    (make_id(birth="19901301"), False, ("bad_birth_date",), (), (), make_id(birth="19901301")),
    (make_id(birth="19900100"), False, ("bad_birth_date",), (), (), make_id(birth="19900100")),
    (make_id(birth="20261121"), True, (), (), (), make_id(birth="20261121")),  # = as_of
    (make_id(birth="20261122"), False, ("future_birth_date",), (), (), make_id(birth="20261122")),
    (make_id(birth="18791231"), False, ("birth_before_1880",), (), (), make_id(birth="18791231")),
    (make_id(birth="18800101"), True, (), (), (), make_id(birth="18800101")),
    (make_id(region="990202"), False, ("bad_province",), (), (), make_id(region="990202")),
    (make_id(region="000202"), False, ("bad_province",), (), (), make_id(region="000202")),
    # abolished county 450221 柳江县 (2016 -> 450206): valid, with a warning
    (make_id(region="450221"), True, (), ("abolished_county",), (), make_id(region="450221")),
    (make_id(region="450299"), True, (), ("unknown_county",), (), make_id(region="450299")),
    (None, False, ("empty",), (), (), None),
    ("", False, ("empty",), (), (), None),
    ("  \u3000", False, ("empty",), (), (), None),
    ("无", False, ("placeholder",), (), (), None),
    ("/", False, ("placeholder",), (), (), None),
    ("-", False, ("placeholder",), (), (), None),
    ("NULL", False, ("placeholder",), (), (), None),
    ("null", False, ("placeholder",), (), (), None),
    ("000000000000000000", False, ("placeholder",), (), (), None),
    ("111111111111111111", False, ("placeholder",), (), (), None),
    ("123456789012345678", False, ("placeholder",), (), (), None),
    ("000000000000000", False, ("placeholder",), (), (), None),
    ("4502021990010112", False, ("bad_length",), (), (), "4502021990010112"),
    (GOOD + "1", False, ("bad_length",), (), (), GOOD + "1"),
    ("45020219900101123A", False, ("bad_chars",), (), (), "45020219900101123A"),
    ("4502X2199001011234", False, ("bad_chars",), (), (), "4502X2199001011234"),
    ("张三", False, ("bad_chars",), (), (), "张三"),
    (
        make_id(region="990202", birth="20010229"),
        False,
        ("bad_province", "bad_birth_date"),
        (),
        (),
        make_id(region="990202", birth="20010229"),
    ),
]


@pytest.mark.parametrize(("value", "valid", "reasons", "warnings", "repairs", "normalized"), CASES)
def test_scalar_cases(value, valid, reasons, warnings, repairs, normalized):
    r = check_resident_id(value, AS_OF)
    assert (r.valid, r.reasons, r.warnings, r.repairs, r.normalized) == (
        valid,
        reasons,
        warnings,
        repairs,
        normalized,
    )


def test_vectorized_cases_match_table():
    values = [c[0] for c in CASES]
    cols = check_resident_ids(values, AS_OF)
    assert cols.valid.tolist() == [c[1] for c in CASES]
    assert [tuple(x) for x in cols.reasons()] == [c[2] for c in CASES]
    assert [tuple(x) for x in cols.warnings()] == [c[3] for c in CASES]
    assert [tuple(x) for x in cols.repairs()] == [c[4] for c in CASES]
    assert cols.normalized.to_pylist() == [c[5] for c in CASES]


def test_derived_fields():
    female = make_id(region="450221", birth="19850315", seq="124")
    r = check_resident_id(female, "2026-11-21")
    assert (r.birth_date, r.sex, r.province) == (dt.date(1985, 3, 15), "2", "450000")
    male = check_resident_id(make_id(seq="125"), AS_OF)
    assert male.sex == "1"
    cols = check_resident_ids([female, "bad", make_id(seq="125")], AS_OF).to_pandas()
    assert cols["sex"].tolist() == ["2", None, "1"]
    assert cols["province"].tolist() == ["450000", None, "450000"]
    assert cols["birth_date"].tolist()[0] == dt.date(1985, 3, 15)
    assert cols["birth_date"].isna().tolist() == [False, True, False]


def test_as_of_is_required_and_parsed():
    with pytest.raises(TypeError):
        check_resident_id(GOOD, 20261121)  # type: ignore[arg-type]
    late = make_id(birth="20300101")
    assert check_resident_id(late, "2031-01-01").valid
    assert not check_resident_id(late, dt.date(2029, 12, 31)).valid


def test_input_types_accepted():
    values = [GOOD, None, wrong_check(GOOD)]
    expected = [True, False, False]
    for form in (
        values,
        np.array(values, dtype=object),
        pa.array(values),
        pa.chunked_array([values]),
    ):
        assert check_resident_ids(form, AS_OF).valid.tolist() == expected
    assert check_resident_ids(pa.array(values, pa.large_string()), AS_OF).valid.tolist() == expected
    sliced = pa.array(["x", *values])[1:]
    assert check_resident_ids(sliced, AS_OF).valid.tolist() == expected
    assert len(check_resident_ids([], AS_OF)) == 0


def test_many_blocks_and_mixed_lengths():
    # more than one 64Ki block, with dirty rows scattered through the blocks
    n = 150_000
    values = [GOOD] * n
    for i in range(0, n, 997):
        values[i] = " " + GOOD
    for i in range(5, n, 1009):
        values[i] = wrong_check(GOOD)
    cols = check_resident_ids(values, AS_OF)
    bad = np.zeros(n, bool)
    bad[5::1009] = True
    assert (cols.valid == ~bad).all()
    assert cols.counts()["repairs"]["whitespace"] == len(range(0, n, 997))


# ---- python-stdnum as the oracle of the check digit ----------------------------------------

bodies = st.text(alphabet="0123456789", min_size=17, max_size=17)


@given(bodies)
@settings(max_examples=300, deadline=None)
def test_check_digit_agrees_with_stdnum(body):
    # stdnum's calc_check_digit takes the full 18-character number (it ignores the last one)
    assert resident_id_check(body) == ric.calc_check_digit(body + "0")


@given(bodies)
@settings(max_examples=300, deadline=None)
def test_bad_check_iff_stdnum_check_differs(body):
    code = body[:6] + "19900101" + body[14:]
    full = code + ric.calc_check_digit(code + "0")
    code = "45" + full[2:17]  # a real province so that only the check decides
    full = code + ric.calc_check_digit(code + "0")
    assert "bad_check" not in check_resident_id(full, AS_OF).reasons
    assert "bad_check" in check_resident_id(wrong_check(full), AS_OF).reasons


@pytest.mark.parametrize(
    ("region", "warnings"),
    [
        ("451281", ("abolished_county",)),  # 宜州市, abolished 2016 (-> 451203 宜州区)
        ("451025", ("abolished_county",)),  # 靖西县, abolished 2015 (-> 451081 靖西市)
        ("450206", ()),  # 柳江区, current since 2016: stdnum's division data predates it
    ],
)
def test_stdnum_too_strict_on_division_codes(region, warnings):
    """stdnum checks the county against its own (dated) list; GB 11643 keeps the code in force
    at registration, so only the province is a hard check here."""
    code = make_id(region=region)
    assert not ric.is_valid(code)
    r = check_resident_id(code, AS_OF)
    assert r.valid and r.warnings == warnings


# ---- the vectorized path agrees with the scalar reference --------------------------------

dirty_chars = "0123456789Xx -'\u3000０１２３４５６７８９Ｘ\"/无a"
regions = st.sampled_from(["450202", "450221", "450299", "110101", "990000", "000000", "820000"])
births = st.one_of(
    st.dates(dt.date(1870, 1, 1), dt.date(2035, 12, 31)).map(lambda d: d.strftime("%Y%m%d")),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
seqs = st.text(alphabet="0123456789", min_size=3, max_size=3)


@st.composite
def id_like(draw):
    kind = draw(st.integers(0, 5))
    code = make_id(draw(regions), draw(births), draw(seqs))
    if kind == 0:
        return code
    if kind == 1:
        return wrong_check(code)
    if kind == 2:  # legacy 15 digits
        return code[:6] + code[8:17]
    if kind == 3:  # dirty forms of a real one
        pre = draw(st.sampled_from(["", " ", "'", "\u3000", "-"]))
        body = draw(st.sampled_from([code, code.lower(), code[:6] + " " + code[6:]]))
        return pre + body
    if kind == 4:
        return draw(st.none() | st.sampled_from(["", "无", "NULL", "1" * 18, "0" * 15]))
    return draw(st.text(alphabet=dirty_chars, max_size=20))


@given(st.lists(id_like(), max_size=40))
@settings(max_examples=200, deadline=None)
def test_vectorized_equals_scalar(values):
    cols = check_resident_ids(values, AS_OF)
    frame = cols.to_pandas()
    for i, v in enumerate(values):
        r = check_resident_id(v, AS_OF)
        assert cols.valid[i] == r.valid, v
        assert tuple(cols.reasons()[i]) == r.reasons, v
        assert tuple(cols.warnings()[i]) == r.warnings, v
        assert tuple(cols.repairs()[i]) == r.repairs, v
        assert cols.normalized[i].as_py() == r.normalized, v
        assert frame["sex"][i] == r.sex or (frame["sex"][i] is None and r.sex is None)
        assert frame["province"][i] == r.province or r.province is None
        bd = frame["birth_date"][i]
        assert (bd if bd is not None and bd == bd else None) == r.birth_date, v


def test_code_tuples_are_the_documented_ones():
    assert REASONS == (
        "empty",
        "placeholder",
        "bad_chars",
        "bad_length",
        "bad_province",
        "bad_birth_date",
        "future_birth_date",
        "birth_before_1880",
        "bad_check",
    )
    assert WARNINGS == ("unknown_county", "abolished_county")
    assert REPAIRS == ("fullwidth", "whitespace", "punctuation", "lower_x", "upgraded_15")
