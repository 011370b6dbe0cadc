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
    "号段15412345678不存在",  # 154 is not issued
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert expected in found(E, text)


def test_two_numbers_in_one_text(found):
    assert found(E, "请拨19912345678或17712345678") == ["19912345678", "17712345678"]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text, threshold=0.01) == []
