"""CN_PASSPORT: redacted by default only after a passport word."""

import pytest

E = "CN_PASSPORT"

POSITIVE = [
    ("护照号码E12345678", "E12345678"),
    ("护照：EA1234567。", "EA1234567"),
    ("Passport No. G12345678", "G12345678"),
    ("往来港澳通行证C12345678", "C12345678"),
]
NEGATIVE = [
    "产品型号 E12345678",  # no passport word: below the threshold
    "护照号码E1234567",  # too short
    "护照号码E123456789",  # too long
    "护照号码e12345678",  # lower case
    "订单号 2026112100012345678",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert found(E, text) == [expected]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text) == []


def test_without_context_below_threshold(found):
    assert found(E, "产品型号 E12345678", threshold=0.1) == ["E12345678"]
