"""CN_RESIDENT_ID: positives in realistic layouts, negatives that look like IDs."""

import pytest

E = "CN_RESIDENT_ID"

POSITIVE = [
    ("身份证号{id18}", "{id18}"),
    ("身份证号码：{id18}，", "{id18}"),
    ("{id18}号码持有人", "{id18}"),  # glued to Chinese on both sides
    ("ID:{id18}", "{id18}"),
    ("证件 {id18_spaced} 有效", "{id18_spaced}"),
    ("证件{id18_hyphen}有效", "{id18_hyphen}"),
    ("证件号{id18_fw}。", "{id18_fw}"),
    ("持证人{id_x}", "{id_x}"),
    ("持证人{id_x_lower}，", "{id_x_lower}"),
    ("旧身份证号{id15}已升级", "{id15}"),
    ("户籍登记 {id15} 。", "{id15}"),  # known county code: no ID word needed
    ("身份证{id18}手机13800138000", "{id18}"),
]

NEGATIVE = [
    "编号{id_wrong}的样本校验位错误",  # 18 digits, wrong check digit
    "订单号 2026112100012345678 已支付",  # 19 digits
    "流水号{id18}9",  # an ID inside a longer number
    "时间戳20261121093000",
    "订单号 450102851203002",  # 15 digits after an order word
    "金额{id18}.50元",  # a decimal
    "请求编号 550e8400-e29b-41d4-a716-446655440000",
    "依照第29条第2款",
    "电话 12345 或 95588",
]


def _values(v):
    return {
        "id18": v.id18,
        "id18_spaced": f"{v.id18[:6]} {v.id18[6:14]} {v.id18[14:]}",
        "id18_hyphen": f"{v.id18[:6]}-{v.id18[6:14]}-{v.id18[14:]}",
        "id18_fw": v.id18.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "id_x": v.id_x,
        "id_x_lower": v.id_x.lower(),
        "id15": v.id15,
        "id_wrong": v.id_wrong,
    }


@pytest.mark.parametrize(("template", "expected"), POSITIVE)
def test_positive(template, expected, v, found):
    vals = _values(v)
    assert found(E, template.format(**vals)) == [expected.format(**vals)]


@pytest.mark.parametrize("template", NEGATIVE)
def test_negative(template, v, found):
    assert found(E, template.format(**_values(v)), threshold=0.01) == []


def test_a_valid_id_is_not_also_a_card_or_credit_code(v, found):
    # an 18-digit ID that passes Luhn too: the ID wins the span
    from jutong.identifiers.checkdigits import resident_id_check
    from jutong.text.luhn import luhn_ok
    from masking.analyzer import analyze

    for seq in range(2000):
        body = f"45010219900101{seq % 1000:03d}"
        cand = body + resident_id_check(body)
        if cand[-1] != "X" and luhn_ok(cand):
            break
    else:
        pytest.fail("no Luhn-valid ID found")
    results = analyze(f"证件{cand}")
    assert [(r.entity_type, r.end - r.start) for r in results] == [("CN_RESIDENT_ID", 18)]
    # an ID ending in X: its first 17 digits are never a card
    assert [r.entity_type for r in analyze(f"卡号{v.id_x}")] == ["CN_RESIDENT_ID"]


def _regno_like_legacy_id() -> str:
    """A 15-digit number that is both a plausible legacy ID (known county, real birth date)
    and a valid business registration number (GB 12264, MOD 11,10)."""
    from jutong.identifiers.checkdigits import regno_check

    return "4501028512030" + "7" + regno_check("45010285120307")


def test_a_registration_number_is_not_a_legacy_id(found):
    regno = _regno_like_legacy_id()
    assert found(E, regno) == []
    assert found(E, f"企业注册号{regno}") == []
    assert found(E, f"户籍登记 {regno} 。") == []
    # an ID word keeps it an ID (one legacy ID in ten passes the registration check)
    assert found(E, f"旧身份证号{regno}") == [regno]


# Residence permits of Hong Kong, Macau and Taiwan residents: address code 810000/820000/830000
PERMITS = ["810000198512030025", "820000200002290048", "830000199001011234"]


@pytest.mark.parametrize("permit", PERMITS)
def test_residence_permits_of_hk_macau_taiwan_residents(permit, found):
    assert found(E, f"居住证号码{permit}，") == [permit]
    assert found(E, f"{permit[:6]} {permit[6:14]} {permit[14:]}") == [
        f"{permit[:6]} {permit[6:14]} {permit[14:]}"
    ]
    # a card or credit code never takes its span
    assert found("CN_BANK_CARD", f"居住证号码{permit}", threshold=0.01) == []


@pytest.mark.parametrize(
    "text",
    [
        "编号811234198512030020",  # 81 with another address code: no such division
        "编号830000199002311239",  # 31 February
        "编号830000199001011235",  # wrong check character
        "编号830000203001011233",  # born in the future
        "身份证830000900101123",  # no 15-digit permit
        "编号8300001990010112345",  # inside a longer number
    ],
)
def test_permit_look_alikes_are_not_ids(text, found):
    assert found(E, text, threshold=0.01) == []
