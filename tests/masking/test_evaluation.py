"""``jutong pii evaluate``: recall per type, false positives, throughput; the committed corpus."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jutong.cli import main
from masking.evaluation import evaluate, load_corpus

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "bench" / "data" / "pii_corpus.jsonl"


def test_evaluate_counts_recall_and_false_positives(tmp_path, capsys):
    rows = [
        {"text": "预留手机14457769152", "pii": [{"type": "CN_MOBILE", "value": "14457769152"}]},
        {"text": "王小明提交了申请", "pii": [{"type": "CN_PERSON_NAME", "value": "王小明"}]},
        {"text": "依照第29条第2款", "pii": []},
        {"text": "手机13800138000", "pii": []},  # a wrongly labelled negative: flagged
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    ev = evaluate(load_corpus(path))
    assert ev.recall("CN_MOBILE") == 1.0
    assert ev.expected["CN_PERSON_NAME"] == 1
    assert ev.false_positive_texts == 1 and ev.false_positive_rate == 0.5
    assert ev.texts_per_second > 0
    assert main(["pii", "evaluate", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["recall"]["CN_MOBILE"] == 1.0 and out["clean_texts"] == 2


def test_a_bad_corpus_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text("not json\n", encoding="utf-8")
    assert main(["pii", "evaluate", str(path)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_the_committed_corpus_is_what_its_generator_writes(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    import make_pii_corpus

    out = tmp_path / "corpus.jsonl"
    make_pii_corpus.main(["--out", str(out)])
    assert out.read_bytes() == CORPUS.read_bytes()
    rows = load_corpus(CORPUS)
    assert len(rows) >= 1000
    types = {t for r in rows for t, _ in r["pii"]}
    assert len(types) == 10 and sum(1 for r in rows if not r["pii"]) >= 300
