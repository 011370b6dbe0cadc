"""The analyzer as a whole: display masks, overlap resolution, and the corpus test of the
acceptance rule: ``redact`` leaves no checksummed identifier behind in realistic sentences
and changes none of the PII-free ones (GX-Reg art. 25; PIPL art. 73)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import time

import pytest

from jutong.identifiers import is_valid_resident_id, is_valid_uscc
from jutong.text.layout import compact
from jutong.text.luhn import luhn_ok
from jutong.text.phones import MOBILE_RE
from masking import formats as F
from masking.analyzer import (
    CHECKSUMMED,
    analyze,
    get_analyzer,
    might_contain_pii,
    redact,
    redact_many,
)
from masking.recognizers import ENTITIES


@pytest.fixture(scope="module")
def corpus(repo_root):
    spec = importlib.util.spec_from_file_location("free_text", repo_root / "bench" / "free_text.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---- display masks ----------------------------------------------------------------------

MASKS = [
    (F.mask_resident_id, "450102 19851203 002x", "4****************X"),
    (F.mask_resident_id, "450102851203002", "4*************2"),
    (F.mask_mobile, "13800138000", "138****8000"),
    (F.mask_mobile, "+86 138-0013-8000", "+86 138****8000"),
    (F.mask_mobile, "１３８００１３８０００", "138****8000"),
    (F.mask_landline, "0771-5551234", "0771-*****34"),
    (F.mask_landline, "(010)62345678", "010-******78"),
    (F.mask_uscc, "91450100ma5k00004p", "91***************P"),
    (F.mask_bank_card, "6222 0212 3456 7890", "************7890"),
    (F.mask_email, "zhang.san@163.com", "z***@163.com"),
    (F.mask_passport, "E12345678", "E******78"),
    (F.mask_plate, "桂A·12345", "桂A****5"),
    (F.mask_name, "王小明", "王**"),
    (F.mask_name, "王明", "王*"),
    (F.mask_name, "欧阳娜娜", "欧阳**"),
    (F.mask_name, "艾力·买买提", "艾*"),
    (F.mask_address, "广西南宁市青秀区民族大道100号", "广西南宁市青秀区"),
    (F.mask_address, "广西壮族自治区柳州市柳江区拉堡镇新兴路8号", "广西壮族自治区柳州市柳江区"),
    (F.mask_address, "广东省佛山市南海区桂城街道", "广东省佛山市南海区"),
    (F.mask_address, "人民路8号", "***"),
]


@pytest.mark.parametrize(("fn", "value", "expected"), MASKS)
def test_display_masks(fn, value, expected):
    assert fn(value) == expected
    assert fn(None) is None


def test_every_entity_has_a_mask():
    assert set(F.MASKS) == set(ENTITIES)
    assert {"CN_RESIDENT_ID", "CN_MOBILE", "CN_USCC", "CN_BANK_CARD"} == CHECKSUMMED


# ---- engine and API ---------------------------------------------------------------------


def test_engine_is_model_free_and_cached():
    eng = get_analyzer()
    assert eng is get_analyzer() is get_analyzer(ner=True)
    assert get_analyzer(ner=False) is not eng
    assert eng.supported_languages == ["zh"]
    assert type(eng.nlp_engine).__name__ == "NoOpNlpEngine"
    assert set(eng.get_supported_entities("zh")) == set(ENTITIES)


def test_plain_loop_agrees_with_the_presidio_engine(corpus):
    """``analyze`` runs the registry's recognizers itself; ``AnalyzerEngine.analyze`` gives
    the same results (thresholds, context boost, overlaps)."""
    from masking.analyzer import analyze_with_engine

    def key(results):
        return [(r.entity_type, r.start, r.end, round(r.score, 6)) for r in results]

    texts = [t for t, _ in corpus.make_pii_texts(60, seed=9)] + list(corpus.CLEAN_TEXTS)
    for t in texts:
        assert key(analyze(t)) == key(analyze_with_engine(t)), t
        assert key(analyze(t, threshold=0.2)) == key(analyze_with_engine(t, threshold=0.2)), t
    for cell, column in (("王小明", "姓名"), ("广西南宁市青秀区民族大道100号", "住址")):
        assert key(analyze(cell, context=[column])) == key(
            analyze_with_engine(cell, context=[column])
        )
        assert analyze(cell, context=[column])


def test_unknown_entity_is_an_error():
    with pytest.raises(ValueError, match="CN_NOPE"):
        analyze("x", entities=["CN_NOPE"])


def test_entities_filter_and_threshold():
    text = "户主王小明手机13800138000，型号E12345678"
    assert [r.entity_type for r in analyze(text)] == ["CN_PERSON_NAME", "CN_MOBILE"]
    assert [r.entity_type for r in analyze(text, entities=["CN_MOBILE"])] == ["CN_MOBILE"]
    assert "CN_PASSPORT" in [r.entity_type for r in analyze(text, threshold=0.3)]


def test_redact_and_redact_many():
    text = "户主王小明手机+86 138-0013-8000"
    assert redact(text) == "户主王**手机+86 138****8000"
    assert redact(text, entities=["CN_MOBILE"]) == "户主王小明手机+86 138****8000"
    out = redact_many([text, None, "", "没有个人信息的句子。"])
    assert out == ["户主王**手机+86 138****8000", None, "", "没有个人信息的句子。"]


def test_fast_path_never_hides_a_hit(corpus):
    """Every text the fast path skips has no hit above the threshold."""
    texts = [t for t, _ in corpus.make_pii_texts(60, seed=3)] + list(corpus.CLEAN_TEXTS)
    texts += ["王小明", "南宁市青秀区民族大道100号", "中国·东盟", "姓名：李四"]
    for t in texts:
        if not might_contain_pii(t):
            assert analyze(t) == [], t


# ---- corpus: the acceptance rule --------------------------------------------------------

_RUN = re.compile(r"[0-9X]+")
_ALNUM = re.compile(r"[0-9A-Z]+")


def residual_identifiers(text: str) -> list[str]:
    """Checksummed identifiers left in ``text``, found with the validators (not the
    analyzer): every window of every digit run (layout removed) and every 18-character
    alphanumeric window."""
    flat = compact(text).upper()
    today = dt.date.today()
    left = []
    for m in _RUN.finditer(flat):
        run = m.group()
        for n in (15, 18):
            for i in range(len(run) - n + 1):
                w = run[i : i + n]
                if "X" not in w[:-1] and is_valid_resident_id(w, today):
                    left.append(w)
        digits = run.replace("X", "")
        for i in range(len(digits) - 10):
            if MOBILE_RE.fullmatch(digits[i : i + 11]):
                left.append(digits[i : i + 11])
        for n in (16, 19):
            for i in range(len(digits) - n + 1):
                w = digits[i : i + n]
                if w.startswith("62") and luhn_ok(w):
                    left.append(w)
    for m in _ALNUM.finditer(flat):
        code = m.group()
        for i in range(len(code) - 17):
            if is_valid_uscc(code[i : i + 18]):
                left.append(code[i : i + 18])
    return left


def test_corpus_redaction_leaves_no_checksummed_identifier(corpus):
    pii = corpus.make_pii_texts(120, seed=11)
    redacted = redact_many([t for t, _ in pii])
    # the residual sweep does find them before redaction
    assert all(residual_identifiers(t) for t, _ in pii)
    for (text, truth), out in zip(pii, redacted, strict=True):
        assert residual_identifiers(out) == [], (text, out)
        flat = compact(out).upper()
        for kind, values in truth.items():
            if kind == "bare_name":
                continue  # names without a cue word: measured (bench), not all guaranteed
            for value in values:
                assert compact(value).upper() not in flat, (text, out)
        assert analyze(out, entities=sorted(CHECKSUMMED)) == []


def test_corpus_pii_free_texts_are_unchanged(corpus):
    clean = list(corpus.CLEAN_TEXTS)
    assert len(clean) >= 25
    assert redact_many(clean) == clean
    assert [redact(t) for t in clean] == clean


def test_corpus_names_and_addresses_after_labels_are_masked(corpus):
    for text, _ in corpus.make_pii_texts(40, seed=5):
        out = redact(text)
        if text.startswith(("申请人", "户主", "投诉人", "联系人：")):
            label = re.match(r"(申请人|户主|投诉人|联系人：)", text).group()
            name = re.match(rf"{label}([^，（的反 ]+)", text).group(1)
            assert name not in out, (text, out)
        if "家住" in text or "住址：" in text:
            assert re.search(r"(路|街|巷|道)\d+号", out) is None, (text, out)


def test_free_text_throughput_is_reported(corpus):
    """Not a benchmark (bench/free_text.py is): a floor that catches a 10x regression."""
    texts = [t for t, _ in corpus.make_pii_texts(200, seed=2)] + corpus.make_clean_texts(200)
    redact_many(texts[:20])
    t0 = time.process_time()
    redact_many(texts)
    rate = len(texts) / max(time.process_time() - t0, 1e-9)
    assert rate > 500, f"{rate:.0f} texts/s"


# ---- names without a cue word: the NER model --------------------------------------------


def test_names_without_a_cue_word_are_masked_by_default():
    from masking.analyzer import FreeTextAnalyzer

    text = "经核实，黄秀英已于上月搬离该处，覃丽华和蒙建国共同签署了协议。"
    assert redact(text) == "经核实，黄**已于上月搬离该处，覃**和蒙**共同签署了协议。"
    # the analyzer without the model (the benchmark's "before") leaves them
    assert FreeTextAnalyzer(ner=False).redact(text) == text
    # the cue-word patterns stay as the fallback: a label still decides the span
    assert redact("申请人：韦小宝，电话13800138000") == "申请人：韦**，电话138****8000"


def test_the_fast_path_lets_name_candidates_through():
    from masking.analyzer import FreeTextAnalyzer

    assert might_contain_pii("黄秀英已搬离")
    assert not FreeTextAnalyzer(ner=False).might_contain_pii("黄秀英已搬离")
    assert not might_contain_pii("依照规定办理。")


def test_redact_many_in_chunks_equals_redact(corpus, monkeypatch):
    """Names tagged a chunk ahead on the second thread give the same text as one by one."""
    from masking import analyzer

    texts = [t for t, _ in corpus.make_pii_texts(40, seed=4)] + list(corpus.CLEAN_TEXTS)
    texts += ["黄秀英已于上月搬离该处。", None, "", "据韦志强反映，小区路灯损坏。"]
    monkeypatch.setattr(analyzer, "CHUNK", 7)
    analyzer.free_text_analyzer().ner._cache.clear()
    out = redact_many(texts)
    assert out == [t if not t else redact(t) for t in texts]
    assert "韦志强" not in out[-1] and "黄秀英" not in out[-4]
    assert redact_many(texts, entities=["CN_MOBILE"])[-1] == texts[-1]


def test_overlapping_names_are_masked_as_one():
    """The model reads 高全 and the pattern 高全勇 (before 先生): both readings overlap and the
    name is masked whole, never half; other entities still keep the higher-scored hit."""
    from presidio_analyzer import RecognizerResult

    from masking.analyzer import resolve_overlaps

    text = "请高全勇先生回电"
    hits = [
        RecognizerResult("CN_PERSON_NAME", 1, 3, 0.8),
        RecognizerResult("CN_PERSON_NAME", 1, 4, 0.7),
    ]
    (one,) = resolve_overlaps(hits)
    assert text[one.start : one.end] == "高全勇" and one.score == 0.8
    mixed = [
        RecognizerResult("CN_MOBILE", 0, 11, 0.9),
        RecognizerResult("CN_BANK_CARD", 0, 16, 0.6),
    ]
    assert [(r.entity_type, r.end) for r in resolve_overlaps(mixed)] == [("CN_MOBILE", 11)]
    assert "高全勇" not in redact("请高全勇先生回电") and "勇" not in redact("请高全勇先生回电")
