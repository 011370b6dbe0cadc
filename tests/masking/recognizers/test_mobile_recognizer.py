"""CN_MOBILE: every written form of a mainland mobile number, and look-alikes."""

import pytest

E = "CN_MOBILE"

POSITIVE = [
    ("手机13800138000", "13800138000"),
    ("手机号码：138-0013-8000。", "138-0013-8000"),
    ("电话 138 0013 8000 ", "138 0013 8000"),
    ("联系电话+86 138-0013-8000", "+86 138-0013-8000"),
    ("联系电话+8613800138000", "+8613800138000"),
    ("联系电话008613800138000", "008613800138000"),
    ("回电１３８００１３８０００。", "１３８００１３８０００"),
    ("Tel13912345678", "13912345678"),
    ("请拨19912345678或17712345678", "19912345678"),
    # every block of the numbering plan, with or without a context word
    ("预留手机14457769152", "14457769152"),
    ("手机：+86 169 0604 4319", "+86 169 0604 4319"),
    ("号段15412345678已开通", "15412345678"),
    ("他说16012345678可以找到他", "16012345678"),
    ("19412345678", "19412345678"),
    ("0086-179-1234-5678", "0086-179-1234-5678"),
    ("86 163 1234 5678", "86 163 1234 5678"),
]

NEGATIVE = [
    "订单号 2026112100012345678",  # longer number
    "时间戳 20261121093000",
    "热线12345，客服95588，400-820-8820",
    "金额13800138000.50元",  # decimal
    "编号12345678901",  # 12x is not a mobile block
    "产品SKU13800138000A",  # inside a code
    "依照第29条第2款",
    "版本 v13.800.138000",
    "订单号：13800138000",  # after an order word, no phone word
    "产品型号 15912345678",
    "SKU 13912345678",
    "流水号1381234567890123",  # longer run
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert expected in found(E, text)


def test_two_numbers_in_one_text(found):
    assert found(E, "请拨19912345678或17712345678") == ["19912345678", "17712345678"]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text, threshold=0.01) == []


def test_context_word_raises_the_score():
    from masking.analyzer import analyze

    (plain,) = analyze("16012345678", entities=[E])
    (labelled,) = analyze("手机16012345678", entities=[E])
    assert 0.5 < plain.score < labelled.score


def test_phone_word_wins_over_an_order_word(found):
    assert found(E, "订单联系电话13800138000") == ["13800138000"]
