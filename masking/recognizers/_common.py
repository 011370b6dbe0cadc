"""Shared machinery of the Chinese PII recognizers (GX-Reg art. 25; PIPL art. 73).

Two kinds of recognizer, both Presidio ``PatternRecognizer`` subclasses (so the registry,
``to_dict`` and the analyzer treat them like any other):

- ``RegexRecognizer``: its ``patterns`` are matched as usual, but each match is scored by
  ``score_match(text, match)``, which sees the whole text (context words before the match,
  neighbouring characters) and may return another span (a name group inside a labelled match).
  Presidio's own context enhancer needs lemmas that a model-free pipeline does not produce, so
  the context words are looked up here, in a window of characters before the match.
- ``DigitRunRecognizer``: numeric identifiers. One regex finds *runs* of digits (ASCII or
  full-width) joined by single separators (space, U+3000, hyphens), e.g. ``+86 138-0013-8000``
  or ``450102 19900101 123X``; each run is cut into its groups, and every contiguous range of
  groups whose digit count fits is a candidate for ``check_candidate``. So an ID glued to
  Chinese characters, spaced or hyphenated, or sitting next to another number after a space,
  is still one candidate, and a number inside a longer digit string never is (``\\b`` does
  not work between CJK and digits; the run boundaries are digit lookarounds).

External context (``analyze(..., context=[column name])``) raises the score of recognizers whose
``context`` words it contains, through ``enhance_using_context`` (scan of a ``姓名`` column).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult

from jutong.text.layout import GROUP_SEPARATOR_CLASS
from jutong.text.width import to_halfwidth

LANGUAGE = "zh"

DIGIT = "[0-9\uff10-\uff19]"
# A run: digits, single separators between digit groups, an optional final X (resident IDs).
RUN_REGEX = (
    f"(?<![0-9\uff10-\uff19]){DIGIT}+(?:{GROUP_SEPARATOR_CLASS}{DIGIT}+)*(?:[XxＸｘ](?![A-Za-z]))?"
)
_RUN_RE = re.compile(RUN_REGEX)
_SEP_RE = re.compile(GROUP_SEPARATOR_CLASS)
_ASCII_LETTER = re.compile("[A-Za-z\uff21-\uff3a\uff41-\uff5a]")
# ASCII labels that may precede a number without a separator ("Tel13800138000").
_LETTER_LABELS = (
    "tel",
    "phone",
    "mobile",
    "mob",
    "no",
    "id",
    "card",
    "fax",
    "call",
    "code",
    "uscc",
    "tyshxydm",
)


def letter_label_before(text: str, start: int) -> bool:
    """The Latin letters right before ``start`` are a label (``Tel``, ``ID``, ``No``, ``USCC``),
    not the start of a longer code."""
    word = re.search(r"[A-Za-z]+$", text[max(0, start - 10) : start])
    return bool(word) and word.group().lower() in _LETTER_LABELS


@dataclass(frozen=True)
class Run:
    """A run of digit groups: ``groups`` are ``(start, end, digits)`` in text offsets."""

    start: int
    end: int
    groups: tuple[tuple[int, int, str], ...]
    left_code: bool  # glued to letters or a code on the left (``SKU4501…``, ``a716-4466…``)
    right_code: bool  # glued to letters on the right
    decimal: bool  # part of a decimal number (``13800138000.50``)
    unit: bool  # followed by a unit of amount or count (``13800138000元``, ``…人``, ``…%``)


# Characters after a number that make it an amount or a count, not a phone or card number.
UNITS = frozenset("元角分万亿%％‰人次件个户名台辆张笔份项株头只吨斤米里亩倍岁")

_last_runs: tuple[str, tuple[Run, ...]] = ("", ())


def digit_runs(text: str) -> tuple[Run, ...]:
    """The digit runs of ``text`` (cached for the last text: five recognizers ask in a row)."""
    global _last_runs
    cached_text, cached = _last_runs
    if cached_text is text or cached_text == text:
        return cached
    runs = []
    for m in _RUN_RE.finditer(text):
        s, e = m.span()
        groups = []
        pos = s
        for sep in _SEP_RE.finditer(text, s, e):
            groups.append((pos, sep.start(), to_halfwidth(text[pos : sep.start()]).upper()))
            pos = sep.end()
        groups.append((pos, e, to_halfwidth(text[pos:e]).upper()))
        before = text[s - 1] if s else ""
        before2 = text[s - 2] if s > 1 else ""
        after = text[e] if e < len(text) else ""
        after2 = text[e + 1] if e + 1 < len(text) else ""
        left_code = False
        if before and _ASCII_LETTER.match(before):
            left_code = not letter_label_before(text, s)
        elif before in "-\uff0d_" and before2 and (before2.isascii() and before2.isalnum()):
            left_code = True
        right_code = bool(after and _ASCII_LETTER.match(after)) or (
            after in "-_" and bool(after2) and after2.isascii() and after2.isalpha()
        )
        decimal = (before in ".\uff0e" and before2.isdigit()) or (
            after in ".\uff0e" and after2.isdigit()
        )
        unit = bool(after) and after in UNITS
        runs.append(Run(s, e, tuple(groups), left_code, right_code, decimal, unit))
    result = tuple(runs)
    _last_runs = (text, result)
    return result


def window_before(text: str, start: int, size: int = 12) -> str:
    return text[max(0, start - size) : start]


def has_any(haystack: str, words: Iterable[str]) -> bool:
    return any(w in haystack for w in words)


# Words before a number that say it is not a personal identifier (order, serial, case and
# document numbers). A positive word of the recognizer in the same window wins over them.
NOT_PERSONAL_WORDS = (
    "订单",
    "单号",
    "编号",
    "流水",
    "交易号",
    "批次",
    "批号",
    "序列号",
    "序号",
    "工单",
    "运单",
    "快递",
    "发票",
    "票号",
    "合同号",
    "案号",
    "文号",
    "条码",
    "条形码",
    "版本",
    "时间戳",
    "产品",
    "型号",
    "货号",
    "编码",
    "物料",
    "商品码",
    "sku",
    "order",
    "serial",
)


_TOKEN = re.compile(r"[A-Za-z]+|[^A-Za-z\s_\-.]+")


def context_names(context: Iterable[str], words: Iterable[str]) -> bool:
    """Whether one of the external ``context`` strings names one of ``words``: Chinese and long
    words as substrings (``户籍住址`` names 住址), short Latin words (``xm``, ``dz``, ``tel``) only
    as a whole token (``xm`` names ``xm`` and ``lxr_xm``, not ``xmmc``)."""
    texts = [str(c).lower() for c in context if c]
    tokens = {t for c in texts for t in _TOKEN.findall(c)}
    for w in words:
        w = w.lower()
        if w.isascii() and len(w) <= 3:
            if w in tokens:
                return True
        elif any(w in c for c in texts):
            return True
    return False


class _ScoredRecognizer(PatternRecognizer):
    """Common parts: result construction, external-context boost."""

    #: score given to a result when the external context names this recognizer's entity
    CONTEXT_SCORE = 0.85

    def __init__(self, entity: str, patterns: list[Pattern], context: list[str], flags: int):
        super().__init__(
            supported_entity=entity,
            name=type(self).__name__,
            supported_language=LANGUAGE,
            patterns=patterns,
            context=context,
            global_regex_flags=flags,
        )
        self.entity = entity

    def _result(self, start: int, end: int, score: float, pattern: str) -> RecognizerResult:
        return RecognizerResult(
            entity_type=self.entity,
            start=start,
            end=end,
            score=score,
            analysis_explanation=None,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                "pattern": pattern,
            },
        )

    def enhance_using_context(
        self,
        text,
        raw_recognizer_results,
        other_raw_recognizer_results,
        nlp_artifacts,
        context=None,
    ):
        """External context (e.g. the column name of a scanned file): when one of its words
        contains one of this recognizer's context words, raise the results to
        ``CONTEXT_SCORE`` (never lower them)."""
        if not context or not self.context or not raw_recognizer_results:
            return raw_recognizer_results
        if not context_names(context, self.context):
            return raw_recognizer_results
        for r in raw_recognizer_results:
            if r.score < self.CONTEXT_SCORE:
                r.score = self.CONTEXT_SCORE
        return raw_recognizer_results


class RegexRecognizer(_ScoredRecognizer):
    """Pattern recognizer whose matches are scored by ``score_match`` with the whole text.

    ``GATES`` maps a pattern name to a cheap test of the text (a compiled regex searched, or a
    callable): the pattern runs only when it passes (a label word, a digit, a short text)."""

    GATES: dict = {}

    def _gate(self, name: str, text: str) -> bool:
        gate = self.GATES.get(name)
        if gate is None:
            return True
        return bool(gate(text)) if callable(gate) else bool(gate.search(text))

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        if entities and self.entity not in entities:
            return []
        results = []
        flags = regex_flags or self.global_regex_flags
        for pattern in self.patterns:
            if not self._gate(pattern.name, text):
                continue
            if not pattern.compiled_regex or pattern.compiled_with_flags != flags:
                pattern.compiled_with_flags = flags
                pattern.compiled_regex = re.compile(pattern.regex, flags=flags)
            for m in pattern.compiled_regex.finditer(text):
                scored = self.score_match(text, m, pattern)
                if scored is None:
                    continue
                start, end, score = scored
                if score > 0 and end > start:
                    results.append(self._result(start, end, score, pattern.name))
        return results

    def score_match(self, text: str, match: re.Match, pattern: Pattern):
        """``(start, end, score)`` of a match, or None to drop it. Default: the pattern's."""
        return match.start(), match.end(), pattern.score


class DigitRunRecognizer(_ScoredRecognizer):
    """Numeric identifier over digit runs; subclasses set ``LENGTHS`` and ``check_candidate``."""

    LENGTHS: frozenset[int] = frozenset()
    #: candidates may contain a final X (resident IDs only)
    ALLOW_X = False

    def __init__(self, entity: str, context: list[str], score: float = 1.0):
        super().__init__(
            entity,
            [Pattern(name=f"{entity.lower()}_digit_run", regex=RUN_REGEX, score=score)],
            context,
            re.DOTALL,
        )
        self._max_len = max(self.LENGTHS)

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        if entities and self.entity not in entities:
            return []
        results = []
        for run in digit_runs(text):
            found = []
            groups = run.groups
            k = len(groups)
            for i in range(k):
                total = 0
                digits = []
                for j in range(i, k):
                    g = groups[j][2]
                    total += len(g)
                    if total > self._max_len:
                        break
                    digits.append(g)
                    if total not in self.LENGTHS:
                        continue
                    value = "".join(digits)
                    if not self.ALLOW_X and not value.isdigit():
                        continue
                    start, end = groups[i][0], groups[j][1]
                    scored = self.check_candidate(
                        text, value, start, end, run, left=(i == 0), right=(j == k - 1)
                    )
                    if scored is not None:
                        start, end, score = scored
                        found.append((end - start, start, end, score))
            # the longest valid candidates first, without overlaps
            taken: list[tuple[int, int]] = []
            for _, start, end, score in sorted(found, key=lambda f: (-f[0], f[1])):
                if all(end <= s or start >= e for s, e in taken):
                    taken.append((start, end))
                    results.append(self._result(start, end, score, self.patterns[0].name))
        return results

    def check_candidate(self, text, value, start, end, run: Run, *, left: bool, right: bool):
        """``(start, end, score)`` when ``value`` (digits without layout) is this identifier;
        ``left``/``right``: the candidate touches the run's start/end (where the run's
        neighbour flags apply)."""
        raise NotImplementedError

    @staticmethod
    def glued_to_code(run: Run, *, left: bool, right: bool) -> bool:
        """Part of a code, a decimal, or an amount/count (mobile, card and landline candidates
        are refused then; resident IDs use their own, stricter checks)."""
        return (left and run.left_code) or (right and (run.right_code or run.unit)) or run.decimal


# Unified scores and thresholds (see docs/pii_recognizers.md).
DEFAULT_THRESHOLD = 0.5


def model_result(recognizer, entity: str, start: int, end: int, score: float, pattern: str):
    """A ``RecognizerResult`` of a model-backed recognizer (names, addresses from LAC tags),
    carrying the recognizer's name and id and which of its rules found it."""
    from presidio_analyzer import RecognizerResult

    return RecognizerResult(
        entity,
        start,
        end,
        score,
        None,
        {
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
            "pattern": pattern,
        },
    )
