"""Recall per type, false positives on PII-free texts and throughput of the free-text analyzer
on a labelled corpus (``jutong pii evaluate CORPUS``).

The corpus is JSON Lines: ``{"text": ..., "pii": [{"type": ENTITY, "value": ...}]}``; a text
with ``"pii": []`` is PII-free. A labelled value counts as caught when a result of its type
(at the default threshold) covers its first occurrence in the text; a PII-free text counts as
a false positive when the analyzer reports anything in it. Throughput is ``redact_many`` over
all texts (wall clock, one process; the NER model is loaded before the clock starts, and
tags the names a chunk ahead on a second thread).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


class CorpusError(ValueError):
    """The corpus cannot be read; the message names the file and line."""


def load_corpus(path: str | Path) -> list[dict]:
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"cannot read {path}: no such file")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            text, pii = obj["text"], obj.get("pii", [])
            labels = [(p["type"], p["value"]) for p in pii]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path}: line {n}: not a labelled text ({exc})") from None
        rows.append({"text": text, "pii": labels})
    if not rows:
        raise CorpusError(f"{path}: no texts")
    return rows


@dataclass
class Evaluation:
    texts: int
    pii_texts: int
    clean_texts: int
    expected: dict[str, int] = field(default_factory=dict)
    caught: dict[str, int] = field(default_factory=dict)
    false_positive_texts: int = 0
    texts_per_second: float = 0.0
    misses: list[tuple[str, str]] = field(default_factory=list)  # (type, text), first 20

    def recall(self, entity: str) -> float:
        return self.caught.get(entity, 0) / self.expected[entity] if self.expected[entity] else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.false_positive_texts / self.clean_texts if self.clean_texts else 0.0

    def to_dict(self) -> dict:
        return {
            "texts": self.texts,
            "pii_texts": self.pii_texts,
            "clean_texts": self.clean_texts,
            "recall": {e: round(self.recall(e), 4) for e in sorted(self.expected)},
            "expected": dict(sorted(self.expected.items())),
            "caught": dict(sorted(self.caught.items())),
            "false_positive_texts": self.false_positive_texts,
            "false_positive_rate": round(self.false_positive_rate, 4),
            "texts_per_second": round(self.texts_per_second, 1),
        }

    def render(self) -> str:
        from jutong.textable import render

        rows = [
            [e, self.expected[e], self.caught.get(e, 0), f"{self.recall(e):.3f}"]
            for e in sorted(self.expected)
        ]
        table = render(["type 类型", "labelled", "caught", "recall"], rows, right=(1, 2, 3))
        return (
            f"{self.texts} texts ({self.pii_texts} with PII, {self.clean_texts} PII-free)\n"
            + table
            + f"\nPII-free texts flagged: {self.false_positive_texts} of {self.clean_texts} "
            f"({100 * self.false_positive_rate:.2f} %)\n"
            + f"throughput: {self.texts_per_second:,.0f} texts/s (redact_many, one process)"
        )


def evaluate(
    rows: Sequence[dict],
    *,
    analyze: Callable | None = None,
    redact_many: Callable | None = None,
) -> Evaluation:
    """Recall per type, false positives and throughput of ``analyze``/``redact_many``
    (default: ``masking.analyzer``)."""
    if analyze is None or redact_many is None:
        from masking import analyzer

        analyzer.free_text_analyzer()  # load the NER model before the clock starts
        analyze = analyze or analyzer.analyze
        redact_many = redact_many or analyzer.redact_many
    texts = [r["text"] for r in rows]
    t0 = time.perf_counter()
    redact_many(texts)
    elapsed = time.perf_counter() - t0
    ev = Evaluation(
        texts=len(rows),
        pii_texts=sum(1 for r in rows if r["pii"]),
        clean_texts=sum(1 for r in rows if not r["pii"]),
        texts_per_second=len(rows) / elapsed if elapsed else 0.0,
    )
    for r in rows:
        results = analyze(r["text"])
        if not r["pii"]:
            ev.false_positive_texts += bool(results)
            continue
        for entity, value in r["pii"]:
            ev.expected[entity] = ev.expected.get(entity, 0) + 1
            start = r["text"].find(value)
            end = start + len(value)
            hit = start >= 0 and any(
                x.entity_type == entity and x.start <= start and end <= x.end for x in results
            )
            if hit:
                ev.caught[entity] = ev.caught.get(entity, 0) + 1
            elif len(ev.misses) < 20:
                ev.misses.append((entity, r["text"]))
    return ev
