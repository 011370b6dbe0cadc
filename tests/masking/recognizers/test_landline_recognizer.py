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
    ("办公电话021-8693044", "021-8693044"),  # 7-digit local number
    ("咨询电话：0771-5551234", "0771-5551234"),  # an office's number is masked too
    ("传真 0771-5551235", "0771-5551235"),
    ("联系0771 5551234转801。", "0771 5551234转801"),
    ("电话0771-5551234-801，", "0771-5551234-801"),
    ("电话(010)62345678分机 12", "(010)62345678分机 12"),
    ("请打 010 6234 5678", "010 6234 5678"),
    ("（021）8693044", "（021）8693044"),
]

NEGATIVE = [
    "热线12345，客服95588",
    "全国统一客服400-820-8820",
    "日期 2026-11-21",
    "邮政编码 530021，区号 0771",
    "请拨打 0771-12345",  # local number too short
    "订单号 07715551234",  # after an order word
    "手机13800138000",
    "货号07715551234",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert found(E, text) == [expected]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text) == []
