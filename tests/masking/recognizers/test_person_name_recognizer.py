"""CN_PERSON_NAME: reported where the text says it is a name; ordinary words never."""

import pytest

E = "CN_PERSON_NAME"

POSITIVE = [
    ("姓名：王小明，性别：男", "王小明"),
    ("联系人: 欧阳娜娜 电话", "欧阳娜娜"),
    ("申请人王小明于2026年提出申请", "王小明"),
    ("法定代表人为李四。", "李四"),
    ("户主黄桂兰的户口", "黄桂兰"),
    ("当事人覃某某、", "覃某某"),  # explicit label + separator? no: see below
    ("请张伟先生回电", "张伟"),
    ("感谢欧阳娜女士", "欧阳娜"),
    ("姓名：艾力·买买提", "艾力·买买提"),
    ("户主依明·买买提的银行卡", "依明·买买提"),
    ("投诉人徐鹏雨反映：", "徐鹏雨"),
]
POSITIVE = [p for p in POSITIVE if "某" not in p[0]]

NEGATIVE = [
    "王府井大街游客增多",
    "高速公路沿线张贴了黄色的标语",
    "周年庆期间交通方便，倡导和平",
    "当事人陈述、申辩的权利依法受到保护",
    "申请人应当在十个工作日内补正材料",
    "申请人应当如实提交有关材料",
    "联系人员已到场",
    "当事人于本决定书送达之日起六十日内",
    "中国·东盟博览会在南宁举行",
    "黄色先生",
    "申请人王某于2026年提出",  # already pseudonymised
    "张贴",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive(text, expected, found):
    assert found(E, text) == [expected]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text, found):
    assert found(E, text) == []


def test_a_bare_name_needs_the_column_context():
    """For the patterns; the NER model tags a real name on its own (``王小明``), a word shaped
    like one (``常青``) is left to the column context."""
    from masking.analyzer import FreeTextAnalyzer, analyze

    patterns = FreeTextAnalyzer(ner=False)
    assert patterns.analyze("王小明", entities=[E]) == []
    hits = patterns.analyze("王小明", entities=[E], context=["姓名"])
    assert [(r.start, r.end) for r in hits] == [(0, 3)]
    assert [(r.start, r.end) for r in analyze("王小明", entities=[E])] == [(0, 3)]
    assert analyze("常青", entities=[E]) == []
    assert [(r.start, r.end) for r in analyze("常青", entities=[E], context=["姓名"])] == [(0, 2)]
    assert analyze("黄色", entities=[E], context=["备注"]) == []
