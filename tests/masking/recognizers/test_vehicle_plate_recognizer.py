"""CN_VEHICLE_PLATE."""

import pytest

E = "CN_VEHICLE_PLATE"

POSITIVE = [
    ("车牌桂A12345", "桂A12345"),
    ("号牌：桂A·1234学，", "桂A·1234学"),
    ("新能源车粤BD12345已登记", "粤BD12345"),
    ("车辆京N8P8F8驶入", "京N8P8F8"),
    ("警车桂A1234警停在门口", "桂A1234警"),
    ("领馆车辆沪A1234领", "沪A1234领"),
    ("挂车鲁B5678挂", "鲁B5678挂"),
    ("他的车是粤B12345F", "粤B12345F"),  # new-energy, large vehicle
    ("川A·DA1234", "川A·DA1234"),
    ("停在楼下的琼 A 12345", "琼 A 12345"),
    ("使馆车使014578", "使014578"),
    ("武警WJ桂12345", "WJ桂12345"),
    ("藏A12345", "藏A12345"),
]
NEGATIVE = [
    "新ABCDE",  # no digits
    "桂a12345",  # lower case
    "桂A123",  # too short
    "桂A1234567",  # too long
    "中国·东盟博览会",
    "订单号 2026112100012345678",
    "京津冀协同发展",
    "SWJ桂12345X",  # inside a code
]


@pytest.mark.parametrize(
    "province", list("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
)
def test_every_province(province, found):
    assert found(E, f"车牌{province}A12345") == [f"{province}A12345"]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert found(E, text) == [expected]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text, threshold=0.01) == []
