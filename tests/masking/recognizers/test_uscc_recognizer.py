"""CN_USCC: unified social credit codes (GB 32100 check characters)."""

import pytest

E = "CN_USCC"


def _pos(v):
    return [
        (f"统一社会信用代码{v.uscc}", v.uscc),
        (f"信用代码：{v.uscc}。", v.uscc),
        (f"企业{v.uscc.lower()}已注销", v.uscc.lower()),
        (f"机关{v.uscc_gov}", v.uscc_gov),
        (
            "代码" + v.uscc.translate(str.maketrans("0123456789AK", "０１２３４５６７８９ＡＫ")),
            v.uscc.translate(str.maketrans("0123456789AK", "０１２３４５６７８９ＡＫ")),
        ),
    ]


def _neg(v):
    wrong = v.uscc[:17] + ("0" if v.uscc[17] != "0" else "1")
    return [
        f"信用代码{wrong}",  # wrong check character
        f"代码{v.uscc}X",  # part of a longer code
        "请求编号 550e8400-e29b-41d4-a716-446655440000",
        "订单号 2026112100012345678",
        f"身份证{v.id18}",  # a resident ID is not reported as a credit code
        "合同编号HT-2026-000123",
    ]


@pytest.mark.parametrize("case", range(5))
def test_positive(case, v, found):
    text, expected = _pos(v)[case]
    assert found(E, text) == [expected]


@pytest.mark.parametrize("case", range(6))
def test_negative(case, v, found):
    assert found(E, _neg(v)[case], threshold=0.01) == []


def test_steps_aside_for_a_valid_resident_id():
    """An all-digit value valid as both (Tianjin ID 124501…, credit code authority 1 category
    2, division 450119): reported as the resident ID only."""
    import datetime as dt

    from jutong.identifiers.checkdigits import resident_id_check
    from masking.analyzer import analyze
    from masking.recognizers.resident_id import is_resident_id
    from masking.recognizers.uscc import is_uscc

    day = dt.date(1960, 1, 1)
    both = None
    while both is None and day.year < 2000:
        for seq in range(1000):
            body = f"124501{day:%Y%m%d}{seq:03d}"
            cand = body + resident_id_check(body)
            if is_uscc(cand) and is_resident_id(cand):
                both = cand
                break
        day += dt.timedelta(days=1)
    assert both is not None
    assert [r.entity_type for r in analyze(f"号码{both}")] == ["CN_RESIDENT_ID"]
