"""CN_VEHICLE_PLATE."""

import pytest

E = "CN_VEHICLE_PLATE"

POSITIVE = [
    ("车牌桂A12345", "桂A12345"),
    ("号牌：桂A·1234学，", "桂A·1234学"),
    ("新能源车粤BD12345已登记", "粤BD12345"),
    ("车辆京N8P8F8驶入", "京N8P8F8"),
]
NEGATIVE = [
    "新ABCDE",  # no digits
    "桂a12345",  # lower case
    "桂A123",  # too short
    "桂A1234567",  # too long
    "中国·东盟博览会",
    "订单号 2026112100012345678",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert found(E, text) == [expected]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text, threshold=0.01) == []
