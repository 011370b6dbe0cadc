"""Credit-code rule (GB 32100-2015) and legacy codes: table cases, stdnum oracle, scalar == vector."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as std_uscc

from jutong.identifiers.checkdigits import USCC_CHARSET, orgcode_check, regno_check, uscc_check
from jutong.identifiers.uscc import AUTHORITY_CATEGORIES, REASONS, check_uscc, check_usccs


def make(prefix: str = "91", division: str = "450202", org8: str = "MA5L0A1B") -> str:
    body = prefix + division + org8 + orgcode_check(org8)
    return body + uscc_check(body)


def with_check(body17: str) -> str:
    return body17 + uscc_check(body17)


def make_regno(body14: str = "45020000001234") -> str:
    return body14 + regno_check(body14)


def make_org(body8: str = "12345678") -> str:
    return body8 + orgcode_check(body8)


GOOD = make()
ORG = make_org()
REGNO = make_regno()

CASES = [
    # (value, valid, kind, reasons, warnings, repairs, normalized)
    (GOOD, True, "uscc", (), (), (), GOOD),
    ("91110000600037341L", True, "uscc", (), (), (), "91110000600037341L"),
    (GOOD.lower(), True, "uscc", (), (), ("lower_case",), GOOD),
    (" " + GOOD[:8] + "-" + GOOD[8:], True, "uscc", (), (), ("whitespace", "punctuation"), GOOD),
    (
        GOOD.translate({ord(c): ord(c) + 0xFEE0 for c in GOOD}),
        True,
        "uscc",
        (),
        (),
        ("fullwidth",),
        GOOD,
    ),
    (make(division="450221"), True, "uscc", (), ("abolished_county",), (), make(division="450221")),
    (make(division="450299"), True, "uscc", (), ("unknown_county",), (), make(division="450299")),
    (make(division="100000"), True, "uscc", (), (), (), make(division="100000")),
    (make(division="990202"), False, "uscc", ("bad_division",), (), (), make(division="990202")),
    (make("Y1"), True, "uscc", (), (), (), make("Y1")),
    (make("N2"), True, "uscc", (), (), (), make("N2")),
    (make("A1"), True, "uscc", (), (), (), make("A1")),
    (make("94"), False, "uscc", ("bad_category",), (), (), make("94")),
    (make("Y2"), False, "uscc", ("bad_category",), (), (), make("Y2")),
    (make("B1"), False, "uscc", ("bad_authority",), (), (), make("B1")),
    (make("01"), False, "uscc", ("bad_authority",), (), (), make("01")),
    # embedded GB 11714 check wrong (outer MOD 31 recomputed, so only the inner one fails)
    (
        with_check(GOOD[:16] + ("0" if GOOD[16] != "0" else "1")),
        False,
        "uscc",
        ("bad_orgcode_check",),
        (),
        (),
        with_check(GOOD[:16] + ("0" if GOOD[16] != "0" else "1")),
    ),
    (GOOD[:17] + ("0" if GOOD[17] != "0" else "1"), False, "uscc", ("bad_check",), (), (), None),
    # I O S V Z are never used (GB 32100-2015 §4.1)
    ("91450202MA5L0A1BI1", False, "uscc", ("bad_chars",), (), (), "91450202MA5L0A1BI1"),
    ("9145020OMA5L0A1B11", False, "uscc", ("bad_chars",), (), (), "9145020OMA5L0A1B11"),
    ("91450202SA5L0A1B11", False, "uscc", ("bad_chars",), (), (), "91450202SA5L0A1B11"),
    ("91450202VA5L0A1B11", False, "uscc", ("bad_chars",), (), (), "91450202VA5L0A1B11"),
    ("Z1450202MA5L0A1B11", False, "uscc", ("bad_chars",), (), (), "Z1450202MA5L0A1B11"),
    # legacy codes, with their own validity
    (REGNO, True, "legacy_regno", (), (), (), REGNO),
    (
        REGNO[:14] + str((int(REGNO[14]) + 1) % 10),
        False,
        "legacy_regno",
        ("bad_check",),
        (),
        (),
        None,
    ),
    (ORG, True, "legacy_orgcode", (), (), (), ORG),
    (ORG[:8] + "-" + ORG[8], True, "legacy_orgcode", (), (), (), ORG),
    (ORG[:8] + "－" + ORG[8], True, "legacy_orgcode", (), (), ("fullwidth",), ORG),
    (
        make_org("MA5L0A1B").lower(),
        True,
        "legacy_orgcode",
        (),
        (),
        ("lower_case",),
        make_org("MA5L0A1B"),
    ),
    (
        ORG[:8] + ("0" if ORG[8] != "0" else "1"),
        False,
        "legacy_orgcode",
        ("bad_check",),
        (),
        (),
        None,
    ),
    (None, False, None, ("empty",), (), (), None),
    ("", False, None, ("empty",), (), (), None),
    ("无", False, None, ("placeholder",), (), (), None),
    ("000000000000000000", False, None, ("placeholder",), (), (), None),
    ("12345", False, None, ("bad_length",), (), (), "12345"),
    ("某某公司", False, None, ("bad_chars",), (), (), "某某公司"),
]


@pytest.mark.parametrize(
    ("value", "valid", "kind", "reasons", "warnings", "repairs", "normalized"), CASES
)
def test_scalar_cases(value, valid, kind, reasons, warnings, repairs, normalized):
    r = check_uscc(value)
    assert (r.valid, r.kind, r.reasons, r.warnings, r.repairs) == (
        valid,
        kind,
        reasons,
        warnings,
        repairs,
    )
    if normalized is not None:
        assert r.normalized == normalized


def test_vectorized_cases_match_scalar():
    values = [c[0] for c in CASES]
    cols = check_usccs(values)
    assert cols.valid.tolist() == [c[1] for c in CASES]
    assert cols.kinds() == [c[2] for c in CASES]
    assert [tuple(x) for x in cols.reasons()] == [c[3] for c in CASES]
    assert [tuple(x) for x in cols.warnings()] == [c[4] for c in CASES]
    assert [tuple(x) for x in cols.repairs()] == [c[5] for c in CASES]
    assert cols.normalized.to_pylist() == [check_uscc(v).normalized for v in values]


def test_division_and_orgcode_fields():
    r = check_uscc(GOOD)
    assert (r.division, r.orgcode) == ("450202", GOOD[8:17])
    frame = check_usccs([GOOD, REGNO, ORG, "bad"]).to_pandas()
    assert frame["division"].tolist() == ["450202", REGNO[:6], None, None]
    assert frame["orgcode"].tolist() == [GOOD[8:17], None, ORG, None]
    assert frame["kind"].tolist() == ["uscc", "legacy_regno", "legacy_orgcode", None]


def test_authority_table_is_the_documented_one():
    assert AUTHORITY_CATEGORIES == {
        "1": "1239",
        "2": "19",
        "3": "123459",
        "4": "19",
        "5": "1239",
        "6": "129",
        "7": "1239",
        "8": "19",
        "9": "123",
        "A": "19",
        "N": "1239",
        "Y": "1",
    }
    assert "bad_orgcode_check" in REASONS


@pytest.mark.parametrize("prefix", ["Y1", "N1", "N2", "N3", "N9", "A1", "A9"])
def test_stdnum_too_strict_on_letter_prefixes(prefix):
    """stdnum rejects codes whose first two characters are letters; GB 32100 allows them."""
    code = make(prefix)
    assert not std_uscc.is_valid(code)
    assert check_uscc(code).valid


org_bodies = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)


@given(org_bodies, st.sampled_from(["91", "92", "93", "51", "11", "12"]))
@settings(max_examples=300, deadline=None)
def test_check_characters_agree_with_stdnum(org8, prefix):
    code = make(prefix, "450202", org8)
    # stdnum's calc_check_digit takes the first 17 characters
    assert std_uscc.calc_check_digit(code[:17]) == code[17]
    assert std_uscc.is_valid(code)
    assert check_uscc(code).valid


# ---- vectorized == scalar -----------------------------------------------------------------

chars = USCC_CHARSET + "IOSVZabcxyz -'\u3000０１Ａ"


@st.composite
def code_like(draw):
    kind = draw(st.integers(0, 5))
    prefix = draw(st.sampled_from([a + c for a in "123456789ANYB0" for c in "12349"]))
    division = draw(st.sampled_from(["450202", "450221", "450299", "100000", "990000", "45A202"]))
    code = make(prefix, division, draw(org_bodies))
    if kind == 0:
        return code
    if kind == 1:
        pos = draw(st.integers(0, 17))
        return code[:pos] + draw(st.sampled_from(USCC_CHARSET)) + code[pos + 1 :]
    if kind == 2:
        return draw(
            st.sampled_from([make_regno(), make_org(), ORG[:8] + "-" + ORG[8], "123456789"])
        )
    if kind == 3:
        return draw(st.sampled_from(["", " ", "-"])) + draw(st.sampled_from([code, code.lower()]))
    if kind == 4:
        return draw(st.none() | st.sampled_from(["", "无", "Y" * 18]))
    return draw(st.text(alphabet=chars, max_size=20))


@given(st.lists(code_like(), max_size=40))
@settings(max_examples=200, deadline=None)
def test_vectorized_equals_scalar(values):
    cols = check_usccs(values)
    frame = cols.to_pandas()
    for i, v in enumerate(values):
        r = check_uscc(v)
        assert cols.valid[i] == r.valid, v
        assert cols.kinds()[i] == r.kind, v
        assert tuple(cols.reasons()[i]) == r.reasons, v
        assert tuple(cols.warnings()[i]) == r.warnings, v
        assert tuple(cols.repairs()[i]) == r.repairs, v
        assert cols.normalized[i].as_py() == r.normalized, v
        assert frame["division"][i] == r.division, v
        assert frame["orgcode"][i] == r.orgcode, v


@pytest.mark.parametrize(
    ("division", "ok"), [("100000", True), ("101000", False), ("010000", False), ("450202", True)]
)
def test_national_division_is_exactly_100000_in_both_paths(division, ok):
    # found by the property test: the vectorized path once accepted any "10xxxx"
    code = make(division=division)
    scalar = check_uscc(code)
    vector = check_usccs([code])
    assert ("bad_division" not in scalar.reasons) is ok
    assert tuple(vector.reasons()[0]) == scalar.reasons
    assert bool(vector.valid[0]) == scalar.valid == ok
