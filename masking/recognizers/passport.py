"""CN_PASSPORT: passport numbers of the PRC (E + 8 digits, E + letter + 7 digits, G + 8
digits; D/S/P official passports) and travel permits (C/H/M + 8 digits).

No checksum and the shape is shared by product and form codes, so a match needs a passport
word (护照, 通行证, passport …) in the 16 characters before it to reach 0.85; otherwise 0.4,
below the default redaction threshold (reported by ``jutong pii scan`` only for a passport column).
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from masking.recognizers._common import RegexRecognizer, has_any, window_before

ENTITY = "CN_PASSPORT"
CONTEXT = ["护照", "通行证", "旅行证", "passport", "hzhm"]
PASSPORT_REGEX = (
    r"(?<![0-9A-Za-z])(?:[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|[DSP]E?[0-9]{7}|[CHM][0-9]{8})"
    r"(?![0-9A-Za-z])"
)


class CnPassportRecognizer(RegexRecognizer):
    def __init__(self) -> None:
        super().__init__(
            ENTITY,
            [Pattern(name="cn_passport", regex=PASSPORT_REGEX, score=0.4)],
            CONTEXT,
            re.DOTALL,  # case-sensitive: passport letters are capitals
        )

    def score_match(self, text, match, pattern):
        score = 0.85 if has_any(window_before(text, match.start(), 16).lower(), CONTEXT) else 0.4
        return match.start(), match.end(), score
