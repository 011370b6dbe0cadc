"""CN_LANDLINE: area code + local number; service numbers and dates are not landlines."""

import pytest

E = "CN_LANDLINE"

POSITIVE = [
    ("联系电话0771-5551234", "0771-5551234"),
    ("电话：010-62345678，", "010-62345678"),
    ("座机 0771 5551234", "0771 5551234"),
    ("电话(0771)5551234", "(0771)5551234"),
    ("电话（020）87654321", "（020）87654321"),
    ("固话07715551234", "07715551234"),
]

NEGATIVE = [
    "热线12345，客服95588",
    "全国统一客服400-820-8820",
    "日期 2026-11-21",
    "邮政编码 530021，区号 0771",
    "请拨打 0771-12345",  # local number too short
    "订单号 07715551234",  # after an order word
    "手机13800138000",
    "咨询电话：0771-5551234",  # an office's number: 0.3
    "传真 0771-5551235",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert found(E, text) == [expected]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text) == []


def test_office_numbers_are_reported_below_the_threshold(found):
    assert found(E, "咨询电话：0771-5551234", threshold=0.2) == ["0771-5551234"]
