"""Addresses from the NER model's place tags: a run of places with a house number."""

from __future__ import annotations

import pytest

from masking import ner
from masking.analyzer import redact
from masking.recognizers.ner_address import address_spans


@pytest.mark.parametrize(
    ("clause", "tags", "addresses"),
    [
        # two touching places, then the number
        ("家在万秀区大学路3号", [(2, 5), (5, 8)], ["万秀区大学路3号"]),
        # a one-character gap that is no particle; the number inside the place, then 院
        ("老人住七星区穿山东路12号院", [(3, 6), (7, 14)], ["七星区穿山东路12号院"]),
        # four places and a room number
        (
            "寄往南宁青秀区金浦路22号名都大厦1203",
            [(2, 4), (4, 7), (7, 13), (13, 17)],
            ["南宁青秀区金浦路22号名都大厦1203"],
        ),
        # one place with a number (an office's window), places without a number, a particle
        ("请到大学路3号窗口办理", [(2, 7)], []),
        ("位于民族大道与金湖路交叉口", [(2, 6), (7, 10)], []),
        ("在万秀区的大学路3号", [(1, 4), (5, 8)], []),
        # no word that says a home before it: an office's address is no finding
        ("南宁市青秀区民族大道100号是政府所在地", [(0, 3), (3, 6), (6, 14)], []),
    ],
)
def test_address_spans(clause, tags, addresses):
    entities = [ner.Entity(s, e, "LOCATION", clause[s:e]) for s, e in tags]
    assert [clause[s:e] for s, e in address_spans(clause, entities)] == addresses


def test_the_model_finds_a_home_address_with_no_label():
    for text, kept in [
        ("家在万秀区大学路3号", "大学路3号"),
        ("寄往南宁青秀区金浦路22号名都大厦1203", "金浦路22号"),
    ]:
        assert kept not in redact(text)
    assert redact("会议在三楼会议室召开") == "会议在三楼会议室召开"
