"""EMAIL_ADDRESS."""

import pytest

E = "EMAIL_ADDRESS"

POSITIVE = [
    ("邮箱zhang.san@163.com联系", "zhang.san@163.com"),
    ("E-mail: li_si+gov@gxzf.gov.cn。", "li_si+gov@gxzf.gov.cn"),
    ("发送至13800138000@qq.com", "13800138000@qq.com"),
]
NEGATIVE = ["关注@广西发布", "user@localhost", "版本 v2.2.366", "a@b"]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert found(E, text) == [expected]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text, threshold=0.01) == []


def test_email_wins_over_the_mobile_inside_it():
    from masking.analyzer import analyze

    text = "发送至13800138000@qq.com"
    assert [r.entity_type for r in analyze(text)] == ["EMAIL_ADDRESS"]
