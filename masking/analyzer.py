"""The free-text PII analyzer: Presidio's ``AnalyzerEngine`` with the Chinese recognizers and
the NER model for names (GX-Reg art. 25; GX-Open art. 16, 19, 22; PIPL art. 73).

- ``get_analyzer(ner=True)``: the engine (cached): ``no_op`` NLP engine for language ``zh``, a
  registry holding ``masking.recognizers`` and, with ``ner``, the NER name recognizer
  (``masking.recognizers.ner_name``: names without a cue word; the pattern recognizer stays
  as the cue-word fallback), and a context enhancer that leaves scores alone (the recognizers
  look up their own context words; Presidio's lemma enhancer needs a model). The NER model
  is part of the default: when it cannot load, ``masking.ner.NerUnavailable`` is raised —
  names are never silently left to the patterns alone. ``ner=False`` is the analyzer without
  the model (the benchmark's "before").
- ``FreeTextAnalyzer``: one configuration's ``analyze``, ``redact``, ``redact_many`` and
  ``might_contain_pii``; ``free_text_analyzer(ner=True)`` is the cached one, and the
  module-level functions below are its methods.
- ``analyze(text, entities=, threshold=, context=)``: results at or above the threshold
  (default ``DEFAULT_THRESHOLD`` = 0.5), overlaps resolved. It runs the engine's registry
  recognizers (``analyze`` then ``enhance_using_context``) in a plain loop: the engine's own
  per-call work (entity lists, empty NLP artifacts, result bookkeeping) was half the time of a
  short text; ``analyze_with_engine`` goes through ``AnalyzerEngine.analyze`` and gives the same
  results (tested). Overlaps: higher score first, then the longer
  span, then ``ENTITIES`` order (a valid resident ID beats a card or credit code on the same
  span); an address cut by a stronger hit keeps the part before it.
- ``redact(text, entities=)``: every hit replaced by its display mask (``masking.formats``).
- ``redact_many(texts)``: the batch form; ``None`` passes through, and texts without a digit,
  ``@``, middle dot, label/title word or (with the NER model) surname candidate — nothing
  above the threshold can match them — are returned as they are without calling Presidio,
  and a text with only a surname candidate goes to the NER recognizer alone (the same
  reasoning: no pattern can score above the threshold there).
  With the NER model, the texts are taken in chunks of ``CHUNK``: the name clauses of the next
  chunk are tagged in one batch on a second thread (ONNX Runtime releases the GIL) while this
  one runs the pattern recognizers, so two cores are used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngineProvider

from masking.formats import mask_value
from masking.recognizers import (
    CHECKSUMMED,
    DEFAULT_THRESHOLD,
    ENTITIES,
    LANGUAGE,
    all_recognizers,
)
from masking.recognizers import address as _address
from masking.recognizers import person_name as _person_name
from masking.recognizers.ner_address import CnNerAddressRecognizer
from masking.recognizers.ner_name import CnNerPersonRecognizer, might_hold_name

__all__ = [
    "CHECKSUMMED",
    "DEFAULT_THRESHOLD",
    "ENTITIES",
    "LANGUAGE",
    "FreeTextAnalyzer",
    "analyze",
    "analyze_with_engine",
    "free_text_analyzer",
    "get_analyzer",
    "might_contain_pii",
    "redact",
    "redact_many",
]

NLP_CONFIG = {"nlp_engine_name": "no_op", "models": [{"lang_code": LANGUAGE, "model_name": "none"}]}
_PRIORITY = {e: i for i, e in enumerate(ENTITIES)}
_TRIMMABLE = {"CN_ADDRESS": 4}  # entity -> shortest part kept when cut by a stronger hit
#: texts per chunk of ``redact_many`` whose names are tagged in one batch
CHUNK = 512


class _KeepScores(ContextAwareEnhancer):
    """Context enhancer that changes nothing (recognizers score their own context)."""

    def __init__(self) -> None:
        super().__init__(
            context_similarity_factor=0.0,
            min_score_with_context_similarity=0.0,
            context_prefix_count=0,
            context_suffix_count=0,
        )

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        return raw_results


def get_analyzer(*, ner: bool = True) -> AnalyzerEngine:
    """The analyzer engine (one per process and configuration): no NLP model, language ``zh``,
    our recognizers, and with ``ner`` the NER name recognizer (``NerUnavailable`` when its
    model cannot load)."""
    return _engine(bool(ner))


@cache
def _engine(ner: bool) -> AnalyzerEngine:
    return build_engine(ner=ner)


def build_engine(*, ner: bool = True) -> AnalyzerEngine:
    """A new analyzer engine (``get_analyzer`` keeps one per process)."""
    nlp_engine = NlpEngineProvider(nlp_configuration=NLP_CONFIG).create_engine()
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for recognizer in all_recognizers():
        registry.add_recognizer(recognizer)
    if ner:
        registry.add_recognizer(CnNerPersonRecognizer())
        registry.add_recognizer(CnNerAddressRecognizer())
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[LANGUAGE],
        default_score_threshold=DEFAULT_THRESHOLD,
        context_aware_enhancer=_KeepScores(),
    )


# entities whose overlapping hits are widened to their union instead of one dropped: a name
# over-masked by a character costs nothing, a name half masked is a leak
_WIDENED = frozenset({"CN_PERSON_NAME"})


def _span(r: RecognizerResult, start: int, end: int) -> RecognizerResult:
    return RecognizerResult(r.entity_type, start, end, r.score, None, r.recognition_metadata)


def resolve_overlaps(results: Sequence[RecognizerResult]) -> list[RecognizerResult]:
    """Non-overlapping results in text order: higher score, then longer, then ``ENTITIES``
    order wins; an address overlapped by a winner keeps its part before it; overlapping names
    are one name spanning both."""
    ranked = sorted(
        results,
        key=lambda r: (-r.score, -(r.end - r.start), _PRIORITY.get(r.entity_type, 99), r.start),
    )
    kept: list[RecognizerResult] = []
    for r in ranked:
        start, end = r.start, r.end
        clash = [k for k in kept if start < k.end and k.start < end]
        if (
            clash
            and r.entity_type in _WIDENED
            and all(k.entity_type == r.entity_type for k in clash)
        ):
            # two readings of one name (高全 by the model, 高全勇 before 先生): mask both
            lo, hi = min(start, *(k.start for k in clash)), max(end, *(k.end for k in clash))
            rest = [k for k in kept if k not in clash]
            if not any(lo < k.end and k.start < hi for k in rest):
                best = clash[0]
                kept = [*rest, _span(best, lo, hi)]
            continue
        if clash:
            shortest = _TRIMMABLE.get(r.entity_type)
            first = min(k.start for k in clash)
            if shortest is None or first - start < shortest:
                continue
            end = first
            if any(start < k.end and k.start < end for k in kept):
                continue
            r = RecognizerResult(r.entity_type, start, end, r.score, None, r.recognition_metadata)
        kept.append(r)
    return sorted(kept, key=lambda r: r.start)


_TRIGGER = re.compile(
    "[0-9\uff10-\uff19@＠·•・]|"
    + "|".join(
        sorted(
            set(_person_name.LABELS) | set(_person_name.TITLES) | set(_address.LABELS),
            key=len,
            reverse=True,
        )
    )
)


def _check_entities(entities: Iterable[str] | None) -> list[str] | None:
    wanted = list(entities) if entities is not None else None
    if wanted is not None:
        unknown = set(wanted) - set(ENTITIES)
        if unknown:
            raise ValueError(f"unknown entity types {sorted(unknown)}; known: {list(ENTITIES)}")
    return wanted


class FreeTextAnalyzer:
    """``analyze``/``redact``/``redact_many`` over the recognizers of ``get_analyzer(ner=)``."""

    def __init__(self, *, ner: bool = True) -> None:
        self.engine = get_analyzer(ner=ner)
        self.recognizers = tuple(
            self.engine.registry.get_recognizers(language=LANGUAGE, all_fields=True)
        )
        self.ner: CnNerPersonRecognizer | None = next(
            (r for r in self.recognizers if isinstance(r, CnNerPersonRecognizer)), None
        )
        self._empty_artifacts: NlpArtifacts = self.engine.nlp_engine.process_text("", LANGUAGE)

    def might_contain_pii(self, text: str) -> bool:
        """False when no recognizer can score a hit above the default threshold in ``text``:
        no digit, no ``@``, no middle dot, no name/address label or form of address, and (with
        the NER model) no surname character followed by a Chinese character."""
        if _TRIGGER.search(text):
            return True
        return self.ner is not None and might_hold_name(text)

    def analyze(
        self,
        text: str,
        *,
        entities: Iterable[str] | None = None,
        threshold: float | None = None,
        context: Sequence[str] | None = None,
    ) -> list[RecognizerResult]:
        """PII in ``text`` scoring at least ``threshold`` (default ``DEFAULT_THRESHOLD``),
        overlaps resolved, in text order. ``context``: extra words (e.g. a column name) that
        raise the recognizers whose context they name."""
        if not text:
            return []
        return self._analyze(text, _check_entities(entities), threshold, context)

    def _analyze(self, text, wanted, threshold=None, context=None, recognizers=None):
        limit = DEFAULT_THRESHOLD if threshold is None else threshold
        ctx = list(context) if context else None
        results = []
        for recognizer in self.recognizers if recognizers is None else recognizers:
            if wanted is not None and recognizer.entity not in wanted:
                continue
            found = recognizer.analyze(text, wanted, None)
            if found and ctx:
                found = recognizer.enhance_using_context(text, found, [], None, ctx)
            results.extend(r for r in found if r.score >= limit)
        return resolve_overlaps(results)

    def analyze_with_engine(
        self,
        text: str,
        *,
        entities: Iterable[str] | None = None,
        threshold: float | None = None,
        context: Sequence[str] | None = None,
    ) -> list[RecognizerResult]:
        """``analyze`` through ``AnalyzerEngine.analyze`` (the reference: same results, about
        twice the time per text; the tests check that both agree)."""
        wanted = list(entities) if entities is not None else list(ENTITIES)
        results = self.engine.analyze(
            text,
            language=LANGUAGE,
            entities=wanted,
            score_threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
            context=list(context) if context else None,
            nlp_artifacts=self._empty_artifacts,
        )
        return resolve_overlaps(results)

    def redact(self, text: str, *, entities: Iterable[str] | None = None) -> str:
        """``text`` with every hit above the default threshold replaced by its display mask."""
        if not text:
            return text
        return self._redact(text, _check_entities(entities))

    def _redact(self, text: str, wanted: list[str] | None, recognizers=None) -> str:
        out = text
        for r in reversed(self._analyze(text, wanted, recognizers=recognizers)):
            out = out[: r.start] + mask_value(r.entity_type, text[r.start : r.end]) + out[r.end :]
        return out

    def prepare(self, texts: Sequence[str]) -> None:
        """Tag the name clauses of ``texts`` in one batch (nothing without the NER model)."""
        if self.ner is not None:
            self.ner.prepare(texts)

    def redact_many(
        self, texts: Iterable[str | None], *, entities: Iterable[str] | None = None
    ) -> list:
        """``redact`` of each text (``None`` stays ``None``); texts that cannot contain PII
        above the threshold skip Presidio; names are tagged a chunk ahead on a second thread."""
        wanted = _check_entities(entities)
        out: list = list(texts)
        names = self.ner is not None and (wanted is None or self.ner.entity in wanted)
        todo = []  # (index, only the NER recognizer can find something in it)
        for i, t in enumerate(out):
            if not isinstance(t, str) or not t:
                continue
            if _TRIGGER.search(t):
                todo.append((i, False))
            elif names and might_hold_name(t):
                todo.append((i, True))
        only_ner = (self.ner,)
        chunks = [todo[k : k + CHUNK] for k in range(0, len(todo), CHUNK)]
        if not names or not chunks:
            for i, _ in todo:
                out[i] = self._redact(out[i], wanted)
            return out
        with ThreadPoolExecutor(1, thread_name_prefix="ner") as pool:
            ahead = pool.submit(self.prepare, [out[i] for i, _ in chunks[0]])
            for n, chunk in enumerate(chunks):
                ahead.result()
                if n + 1 < len(chunks):
                    ahead = pool.submit(self.prepare, [out[i] for i, _ in chunks[n + 1]])
                for i, names_only in chunk:
                    out[i] = self._redact(out[i], wanted, only_ner if names_only else None)
        return out


def free_text_analyzer(*, ner: bool = True) -> FreeTextAnalyzer:
    """The process's analyzer of one configuration (default: with the NER model)."""
    return _free_text_analyzer(bool(ner))


@cache
def _free_text_analyzer(ner: bool) -> FreeTextAnalyzer:
    return FreeTextAnalyzer(ner=ner)


def might_contain_pii(text: str) -> bool:
    """``FreeTextAnalyzer.might_contain_pii`` of the default analyzer."""
    return free_text_analyzer().might_contain_pii(text)


def analyze(
    text: str,
    *,
    entities: Iterable[str] | None = None,
    threshold: float | None = None,
    context: Sequence[str] | None = None,
) -> list[RecognizerResult]:
    """``FreeTextAnalyzer.analyze`` of the default analyzer."""
    return free_text_analyzer().analyze(
        text, entities=entities, threshold=threshold, context=context
    )


def analyze_with_engine(
    text: str,
    *,
    entities: Iterable[str] | None = None,
    threshold: float | None = None,
    context: Sequence[str] | None = None,
) -> list[RecognizerResult]:
    """``FreeTextAnalyzer.analyze_with_engine`` of the default analyzer."""
    return free_text_analyzer().analyze_with_engine(
        text, entities=entities, threshold=threshold, context=context
    )


def redact(text: str, *, entities: Iterable[str] | None = None) -> str:
    """``FreeTextAnalyzer.redact`` of the default analyzer."""
    return free_text_analyzer().redact(text, entities=entities)


def redact_many(texts: Iterable[str | None], *, entities: Iterable[str] | None = None) -> list:
    """``FreeTextAnalyzer.redact_many`` of the default analyzer."""
    return free_text_analyzer().redact_many(texts, entities=entities)
