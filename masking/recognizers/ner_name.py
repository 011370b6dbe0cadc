"""CN_PERSON_NAME from the NER model (``masking.ner``): names without a cue word.

A PERSON span of the model (LAC) of 2-4 Chinese characters, or a minority name with a middle
dot, is a name at 0.8; a single character is not reported. The pattern recognizer
(``person_name``) stays as the cue-word fallback; overlaps are resolved by the analyzer.
The tagger is loaded when the recognizer is built: a missing or broken model raises
``masking.ner.NerUnavailable`` there, never skips names silently.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from masking.ner import get_tagger
from masking.recognizers._common import LANGUAGE

ENTITY = "CN_PERSON_NAME"
SCORE = 0.8
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}[·•・][\u4e00-\u9fff]{1,8}")


class CnNerPersonRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        self.tagger = get_tagger()  # fails loudly
        super().__init__(
            supported_entities=[ENTITY],
            name=type(self).__name__,
            supported_language=LANGUAGE,
        )
        self.entity = ENTITY

    def load(self) -> None:  # the tagger is loaded in __init__
        return None

    def analyze(self, text, entities, nlp_artifacts=None):
        if entities and ENTITY not in entities:
            return []
        results = []
        for e in self.tagger.tag(text):
            if e.label != "PERSON" or not _NAME.fullmatch(e.text):
                continue
            results.append(
                RecognizerResult(
                    ENTITY,
                    e.start,
                    e.end,
                    SCORE,
                    None,
                    {
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        "pattern": "ner_person",
                    },
                )
            )
        return results
