"""CN_ADDRESS from the NER model's place tags (``masking.ner``): addresses with no label.

The pattern recognizer (``address``) finds an address after a label (住址, 家住 …), a
division followed by a road and a number, or a building down to its room; a road and house
number in running text after a district it does not list (``家在万秀区大学路3号``) scores
below the threshold there. LAC tags the pieces of such an address as LOCATION
(``万秀区`` ``大学路``; ``南宁`` ``青秀区`` ``金浦路22号`` ``名都大厦``). Here a run of at least two
LOCATION pieces — touching, or apart by one or two characters that are no particle
(``七星区``+``穿``+``山东路12号``) — that holds or is followed by a house number (``3号``,
``12号院``, then building, unit, floor, room) and comes right after a word that says a home
(住, 家在, 寄往, 送达, 搬到 …) is an address at 0.7: a home down to its door.
A single place with a number (``大学路3号窗口``, an office) and places without a number
(``民族大道与金湖路交叉口``) are left alone.

The model reads only clauses that hold a house number after a Chinese character (few texts);
its tags are cached per clause, bounded like the name recognizer's.
"""

from __future__ import annotations

import re
import threading

from presidio_analyzer import EntityRecognizer

from masking.ner import Entity, get_tagger
from masking.recognizers._common import LANGUAGE, model_result

ENTITY = "CN_ADDRESS"
SCORE = 0.7
CACHE_SIZE = 50_000
_NUM = "[0-9０-９]+"
_HOUSE = re.compile(f"{_NUM}号")
# the clauses the model reads: a Chinese character, then a house number
_GATE = re.compile(f"[\u4e00-\u9fff]{_NUM}号")
_CLAUSE = re.compile(r"[^，,。；;！!？?\r\n]+")
# what may follow the last place: house number, building, unit, floor, room
_TAIL = re.compile(
    f"(?:{_NUM}(?:号院|号楼|号|栋|幢|座|单元|楼|层|室|房)|[A-Za-z]?{_NUM}(?:室|房)?|[-－#]|(?<=号)院)+"
)
_PARTICLES = frozenset("的和与及在到从往向对是了或并但")
# what precedes a home's address in running text (a place tag alone does not tell a home from
# an office: 南宁市青秀区民族大道100号是自治区政府所在地 stays)
_HOME_CUE = re.compile(
    "(?:住在|住于|家住|家在|居住在|居住于|现住|暂住|住|寄往|寄到|寄至|送到|送至|送达|搬到|搬至|迁至|迁往)$"
)
_MAX_GAP = 2


def address_spans(clause: str, tags: list[Entity]) -> list[tuple[int, int]]:
    """The addresses among a clause's LOCATION tags (see the module's docstring)."""
    places = [e for e in tags if e.label == "LOCATION"]
    runs: list[list[Entity]] = []
    for e in places:
        if runs:
            gap = clause[runs[-1][-1].end : e.start]
            if len(gap) <= _MAX_GAP and not (set(gap) & _PARTICLES) and gap.strip() == gap:
                runs[-1].append(e)
                continue
        runs.append([e])
    out = []
    for run in runs:
        start, end = run[0].start, run[-1].end
        tail = _TAIL.match(clause, end)
        if tail:
            end = tail.end()
        if (
            len(run) >= 2
            and _HOUSE.search(clause, start, end)
            and _HOME_CUE.search(clause, max(0, start - 4), start)
        ):
            out.append((start, end))
    return out


class CnNerAddressRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        self.tagger = get_tagger()  # fails loudly
        super().__init__(
            supported_entities=[ENTITY], name=type(self).__name__, supported_language=LANGUAGE
        )
        self.entity = ENTITY
        self._cache: dict[str, list[Entity]] = {}
        self._lock = threading.Lock()

    def load(self) -> None:  # the tagger is loaded in __init__
        return None

    def _tags(self, clauses: list[str]) -> list[list[Entity]]:
        missing = [c for c in dict.fromkeys(clauses) if c not in self._cache]
        if missing:
            tags = self.tagger.tag_many(missing)
            with self._lock:
                if len(self._cache) + len(missing) > CACHE_SIZE:
                    self._cache.clear()
                self._cache.update(zip(missing, tags, strict=True))
        return [self._cache[c] for c in clauses]

    def analyze(self, text, entities, nlp_artifacts=None):
        if (entities and ENTITY not in entities) or not text or not _GATE.search(text):
            return []
        clauses = [
            (m.start(), m.group()) for m in _CLAUSE.finditer(text) if _GATE.search(m.group())
        ]
        results = []
        for (offset, clause), tags in zip(
            clauses, self._tags([c for _, c in clauses]), strict=True
        ):
            for start, end in address_spans(clause, tags):
                results.append(
                    model_result(self, ENTITY, offset + start, offset + end, SCORE, "ner_address")
                )
        return results
