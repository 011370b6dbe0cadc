"""CN_BANK_CARD: Luhn-valid card numbers; order numbers, IDs and codes are not cards."""

import pytest

E = "CN_BANK_CARD"


def _pos(v):
    spaced = " ".join(v.card19[i : i + 4] for i in range(0, 19, 4))
    return [
        (f"银行卡号{v.card16}", v.card16),
        (f"卡号：{v.card19}。", v.card19),
        (f"账号 {spaced} 已冻结", spaced),
        (f"收款账户{v.card16}，户名王小明", v.card16),
        (f"{v.card19}卡已挂失", v.card19),
    ]


def _neg(v):
    return [
        f"银行卡号{v.card_bad}",  # Luhn fails
        "订单号 2026112100012345678",
        f"订单号 {v.card16}",  # an order word before a Luhn-valid number
        f"身份证{v.id_wrong}",  # ID-shaped, wrong check digit
        f"身份证{v.id_x}",  # first 17 digits of an ID ending in X
        f"产品SKU{v.card16}",  # glued to a code
        "时间20261121093000123",  # starts like no card
        "请求编号 550e8400-e29b-41d4-a716-446655440000",
        f"{v.uscc_luhn}",  # a valid all-digit credit code that happens to pass Luhn
    ]


@pytest.mark.parametrize("case", range(5))
def test_positive(case, v, found):
    text, expected = _pos(v)[case]
    assert found(E, text) == [expected]


@pytest.mark.parametrize("case", range(9))
def test_negative(case, v, found):
    assert found(E, _neg(v)[case], threshold=0.01) == []
