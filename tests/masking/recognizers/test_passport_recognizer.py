"""CN_PASSPORT: redacted by default only after a passport word."""

import pytest

E = "CN_PASSPORT"

POSITIVE = [
    ("护照号码E12345678", "E12345678"),
    ("护照：EA1234567。", "EA1234567"),
    ("Passport No. G12345678", "G12345678"),
    ("往来港澳通行证C12345678", "C12345678"),
    ("往来港澳通行证号码：CA1234567", "CA1234567"),  # electronic permit
    ("回乡证H1234567801已过期", "H1234567801"),
    ("港澳居民来往内地通行证 M12345678", "M12345678"),
    ("大陆居民往来台湾通行证L12345678", "L12345678"),
    ("台胞证号码：12345678", "12345678"),
    ("台湾居民来往大陆通行证1234567890(B)", "1234567890(B)"),
]
NEGATIVE = [
    "产品型号 E12345678",  # no passport word: below the threshold
    "护照号码E1234567",  # too short
    "护照号码E123456789",  # too long
    "护照号码e12345678",  # lower case
    "订单号 2026112100012345678",
    "批次 12345678 已入库",  # 8 digits without the Taiwan permit word
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert found(E, text) == [expected]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text) == []


def test_without_context_below_threshold(found):
    assert found(E, "产品型号 E12345678", threshold=0.1) == ["E12345678"]
