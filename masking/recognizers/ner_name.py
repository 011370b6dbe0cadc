"""CN_PERSON_NAME from the NER model (``masking.ner``): names without a cue word.

A PERSON span of the model (LAC) of 2-4 Chinese characters, or a minority name with a middle
dot, is a name at 0.8, and so is a three-character LOCATION span that reads as a name
(``name_like_location``: LAC takes 欧江紫 for a place); a single character is not reported. The pattern recognizer
(``person_name``) stays as the cue-word fallback; overlaps are resolved by the analyzer.
The tagger is loaded when the recognizer is built: a missing or broken model raises
``masking.ner.NerUnavailable`` there, never skips names silently.

The model is the expensive part of the analyzer (its GRUs cost about the same per character
whatever the text), so it reads only what can hold a name:

- a *candidate* is a listed surname character (``jutong.reference.surnames``, single or the
  first of a compound) followed by a Chinese character, unless the two are a common word that
  is no name (``COMMON_WORDS`` of the pattern recognizer: 应当, 时间, 安全 …), or a middle dot
  between Chinese characters (minority names). A name has a surname, so text without a
  candidate cannot hold one;
- the model reads a *window* around each candidate: ``LEFT`` characters before it and
  ``RIGHT`` from it, never across sentence punctuation (``，。；！？`` and line breaks);
  overlapping windows are read as one;
- tags are kept per window in a bounded cache (``CACHE_SIZE`` windows): repeated phrases and
  the same cell in many rows are tagged once;
- ``prepare(texts)`` tags the windows of many texts in one batched call
  (``Tagger.tag_many``); ``analyze`` then finds them in the cache. ``analyze`` alone tags what
  it does not find.

Measured on the committed corpus and 3,000 generated texts (``bench/free_text.py``): the
windows hold 45 % of the characters of whole clauses, the model's CPU time fell by almost
half, and 743 instead of 744 of 820 names were found.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import cache

from presidio_analyzer import EntityRecognizer

from jutong.reference.surnames import compound_surnames, single_surnames
from masking.ner import Entity, get_tagger
from masking.recognizers._common import LANGUAGE, model_result
from masking.recognizers.person_name import COMMON_WORDS, FOLLOW

ENTITY = "CN_PERSON_NAME"
SCORE = 0.8
#: windows whose tags are kept
CACHE_SIZE = 200_000
#: characters read before a candidate and from it (a minority name is up to 17 long)
LEFT, RIGHT = 6, 10
_CJK = "\u4e00-\u9fff\u3400-\u4dbf"
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}[·•・][\u4e00-\u9fff]{1,8}")
_DOTS = "·•・"
_HAN = re.compile("[\u4e00-\u9fff]")
_COMPOUNDS = frozenset(compound_surnames())
TITLES = ("先生", "女士", "同志", "小姐")
# the second part of a minority name after its dot, up to a following word (和, 在, 先生 …)
_AFTER_DOT = re.compile(f"[{_CJK}]{{2,8}}?(?={FOLLOW})")
# after a three-character name: punctuation, the end, or a particle or preposition
_AFTER_NAME = re.compile(
    r"[\s，,。．.；;：:、！!？?（）()]|$|[已在于和与及的等被将把从由向对来去说]|先生|女士|同志|小姐"
)
# characters that, after a two-character name, begin a word of their own (现在, 正在, 来了,
# 也在 …): never taken as the third character of the name
_NOT_GIVEN = frozenset(
    "现正仍还都曾已所实存也就又再亦早均皆只便才一不没未常来去要会说到是为在于和与及的等了"
)
_CLAUSE = re.compile(r"[^，,。；;！!？?\r\n]+")
_SURNAME_START = "".join(sorted(set(single_surnames()) | {c[0] for c in compound_surnames()}))
CANDIDATE = re.compile(f"[{_SURNAME_START}][{_CJK}]|[{_CJK}][·•・][{_CJK}]")


def candidate_windows(text: str) -> list[tuple[int, str]]:
    """``(offset, window)`` of the parts of ``text`` the model reads: around each candidate,
    ``LEFT`` characters before and ``RIGHT`` from it, inside its clause; overlapping windows
    are one."""
    out = []
    for m in _CLAUSE.finditer(text):
        clause = m.group()
        spans: list[list[int]] = []
        for c in CANDIDATE.finditer(clause):
            p = c.start()
            if clause[p : p + 2] in COMMON_WORDS:
                continue  # 应当, 时间, 安全 …: a word, not a surname
            start, end = max(0, p - LEFT), min(len(clause), p + RIGHT)
            if spans and start <= spans[-1][1]:
                spans[-1][1] = end
            else:
                spans.append([start, end])
        offset = m.start()
        out.extend((offset + start, clause[start:end]) for start, end in spans)
    return out


def might_hold_name(text: str) -> bool:
    """A candidate: a surname character followed by a Chinese character (not a common word),
    or a minority-name dot."""
    return any(
        text[c.start() : c.start() + 2] not in COMMON_WORDS for c in CANDIDATE.finditer(text)
    )


class CnNerPersonRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        self.tagger = get_tagger()  # fails loudly
        super().__init__(
            supported_entities=[ENTITY],
            name=type(self).__name__,
            supported_language=LANGUAGE,
        )
        self.entity = ENTITY
        self._cache: dict[str, list[Entity]] = {}
        self._lock = threading.Lock()

    def load(self) -> None:  # the tagger is loaded in __init__
        return None

    def prepare(self, texts: Iterable[str | None]) -> int:
        """Tag the candidate windows of ``texts`` not yet cached, in one batch; how many."""
        cache = self._cache
        todo = list(
            {c: None for t in texts if t for _, c in candidate_windows(t) if c not in cache}
        )
        if todo:
            self._store(todo, self.tagger.tag_many(todo))
        return len(todo)

    def _store(self, windows: list[str], tags: list[list[Entity]]) -> None:
        with self._lock:
            cache = self._cache
            overflow = len(cache) + len(windows) - CACHE_SIZE
            if overflow > 0:  # forget the oldest windows
                for key in list(cache)[:overflow]:
                    del cache[key]
            cache.update(zip(windows, tags, strict=True))

    def _tags(self, windows: list[str]) -> list[list[Entity]]:
        got = [self._cache.get(c) for c in windows]
        missing = list(dict.fromkeys(c for c, g in zip(windows, got, strict=True) if g is None))
        if missing:
            tags = self.tagger.tag_many(missing)
            self._store(missing, tags)
            found = dict(zip(missing, tags, strict=True))
            got = [found[c] if g is None else g for c, g in zip(windows, got, strict=True)]
        return got

    def analyze(self, text, entities, nlp_artifacts=None):
        if entities and ENTITY not in entities:
            return []
        windows = candidate_windows(text) if text else []
        if not windows:
            return []
        results = []
        for (offset, window), tags in zip(
            windows, self._tags([w for _, w in windows]), strict=True
        ):
            for start, end in person_spans(window, tags):
                results.append(
                    model_result(self, ENTITY, offset + start, offset + end, SCORE, "ner_person")
                )
        return results


# last characters of place names: a LOCATION ending in one is a place, never a name
_PLACE_END = frozenset(
    "省市县区州盟旗镇乡村屯寨庄坊堡营场站港湾岛洲岸口关桥路街巷道弄里园苑城宫寺庙塔楼馆院"
    "江河湖海溪泉潭池山岭峰坡岗谷洞林田坝湾滩沟渠井府厅局所处部队校"
    "东南西北中前后上下内外头尾边侧角"  # 凤岭北, 城东, 江口外: a part of a place
)
_SURNAME_CHARS = frozenset(single_surnames())


@cache
def _places() -> frozenset[str]:
    from masking.recognizers.address import division_levels

    return frozenset(division_levels())


def name_like_location(window: str, e: Entity) -> bool:
    """A LOCATION tag that is a three-character name (LAC reads 欧江紫, 钟江依 as places): a
    listed single surname, no place ending (…市, …江, …村), not a division's name, and followed
    by what follows a person (已, 在, 来, 的, punctuation, the end …)."""
    text = e.text
    return (
        len(text) == 3
        and text[0] in _SURNAME_CHARS
        and text[-1] not in _PLACE_END
        and _HAN.fullmatch(text[1]) is not None
        and text not in _places()
        and text[:2] not in COMMON_WORDS
        and _AFTER_NAME.match(window, e.end) is not None
    )


def person_spans(window: str, tags: Iterable[Entity]) -> list[tuple[int, int]]:
    """The names among a window's PERSON tags, repaired where LAC cuts a name into pieces:

    - a form of address tagged with the name is cut off (``林先生`` -> ``林``);
    - touching PERSON pieces are one name (``滕刚`` + ``林`` -> ``滕刚林``), and so are two
      pieces joined by a middle dot (``阿迪力`` · ``玉素甫``);
    - a piece that is only a compound surname takes the next Chinese character
      (``公孙`` + ``可``);
    - a piece followed by a middle dot takes the name's second part (``热合曼`` + ``·艾山``,
      up to a following word as the pattern recognizer reads it);
    - a two-character piece followed by one Chinese character and then punctuation, the end
      or a particle (已 在 于 和 的 …) takes that character (``骆妍`` + ``诗`` + ``已…``), unless
      the character begins a word of its own (现在, 正在, 也在 …): most given names have two
      characters, and the repair only widens a name the model found, never adds one.

    Kept: 2-4 Chinese characters, or a minority name with a middle dot; never one already
    pseudonymised (``王某``, ``张某某``), as in the pattern recognizer."""
    spans: list[list[int]] = []
    for e in tags:
        if e.label != "PERSON" and not (e.label == "LOCATION" and name_like_location(window, e)):
            continue
        start, end = e.start, e.end
        for title in TITLES:
            if e.text.endswith(title) and len(e.text) > len(title):
                end -= len(title)
                break
        if spans and (
            start == spans[-1][1] or (start == spans[-1][1] + 1 and window[start - 1] in _DOTS)
        ):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    out = []
    for start, end in spans:
        if window[start:end] in _COMPOUNDS and end < len(window) and _HAN.match(window[end]):
            end += 1
        elif end < len(window) and window[end] in _DOTS:
            rest = _AFTER_DOT.match(window, end + 1)
            if rest:
                end = rest.end()
        elif (
            end - start == 2
            and end < len(window)
            and _HAN.match(window[end])
            and window[end] not in _NOT_GIVEN
            and _AFTER_NAME.match(window, end + 1)
        ):
            end += 1  # 骆妍 + 诗 + 已…: a given name of two characters cut after the first
        name = window[start:end]
        if _NAME.fullmatch(name) and "某" not in name[1:]:  # 王某, 张某某: pseudonymised
            out.append((start, end))
    return out
