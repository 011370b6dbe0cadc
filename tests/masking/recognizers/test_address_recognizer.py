"""CN_ADDRESS: after an address label (or in an address column); offices in prose are not."""

import pytest

E = "CN_ADDRESS"

POSITIVE = [
    ("住址：广西南宁市青秀区民族大道100号，电话", "广西南宁市青秀区民族大道100号"),
    ("家住南宁市兴宁区那坡村3组。", "南宁市兴宁区那坡村3组"),
    (
        "户籍地址广西壮族自治区柳州市柳江区拉堡镇新兴路8号",
        "广西壮族自治区柳州市柳江区拉堡镇新兴路8号",
    ),
    ("联系地址：桂林市七星区育才路12号3栋201室；", "桂林市七星区育才路12号3栋201室"),
    # down to the building and room: a home, no label needed
    ("快递放在阳光花园3栋2单元501室门口", "阳光花园3栋2单元501室"),
    ("南宁市青秀区民族大道100号5栋302室有人投诉", "南宁市青秀区民族大道100号5栋302室"),
    ("柳州市城中区文惠路8号院2号楼1单元302", "柳州市城中区文惠路8号院2号楼1单元302"),
]
NEGATIVE = [
    "南宁市青秀区民族大道100号是自治区政府所在地",  # no label: below the threshold
    "地址不详",
    "根据地址变更规定办理",
    "邮政编码 530021",
    "广西壮族自治区人民政府办公厅",
    "会议于14:30在三楼会议室召开",
    "本小区共有12栋楼",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert found(E, text) == [expected]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text) == []


def test_an_address_cell_needs_the_column_context():
    from masking.analyzer import analyze

    cell = "广西南宁市青秀区民族大道100号"
    assert analyze(cell, entities=[E]) == []
    assert [(r.start, r.end) for r in analyze(cell, entities=[E], context=["住址"])] == [
        (0, len(cell))
    ]


def test_an_address_glued_to_a_mobile_keeps_its_part():
    from masking.analyzer import analyze

    text = "住址：广西南宁市青秀区民族大道100号13800138000"
    got = [(r.entity_type, text[r.start : r.end]) for r in analyze(text)]
    assert got == [
        ("CN_ADDRESS", "广西南宁市青秀区民族大道100号"),
        ("CN_MOBILE", "13800138000"),
    ]
