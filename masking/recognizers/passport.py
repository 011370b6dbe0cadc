"""CN_PASSPORT: passport numbers of the PRC and the permits for Hong Kong, Macau and Taiwan.

- passports: E + 8 digits, E + letter + 7 digits, G + 8 digits; D/S/P official passports;
- 往来港澳通行证 (mainland residents to Hong Kong/Macau): C + 8 digits, or C + letter + 7
  digits (the electronic permit);
- 港澳居民来往内地通行证 (回乡证): H/M + 8 digits, optionally + 2 digits of the issue count;
- 大陆居民往来台湾通行证: L or T + 8 digits;
- 台湾居民来往大陆通行证 (台胞证): 8 digits, or 10 digits with a letter in parentheses, only
  after its own word (台胞证, 台湾居民来往大陆通行证).

No checksum and the shape is shared by product and form codes, so a match needs a passport or
permit word (护照, 通行证, 回乡证, 台胞证, passport …) in the 16 characters before it to reach
0.85; otherwise 0.4, below the default redaction threshold (reported by ``jutong pii scan``
only for a passport column).
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from masking.recognizers._common import RegexRecognizer, has_any, window_before

ENTITY = "CN_PASSPORT"
CONTEXT = [
    "护照",
    "通行证",
    "旅行证",
    "回乡证",
    "台胞证",
    "港澳证",
    "passport",
    "hzhm",
    "txz",
]
PASSPORT_REGEX = (
    r"(?<![0-9A-Za-z])(?:[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|[DSP]E?[0-9]{7}"
    r"|C[0-9A-HJ-NP-Z][0-9]{7}|[HM][0-9]{8}(?:[0-9]{2})?|[LT][0-9]{8})"
    r"(?![0-9A-Za-z])"
)
TAIWAN_PERMIT_REGEX = (
    r"(?:台胞证|台湾居民来往大陆通行证)(?:号码|号)?[：:\s]*"
    r"(?P<num>(?<![0-9])[0-9]{8}(?:[0-9]{2}(?:[(（][A-Z][)）])?)?)(?![0-9])"
)


class CnPassportRecognizer(RegexRecognizer):
    GATES = {"cn_permit_taiwan": re.compile("台胞证|台湾居民来往大陆通行证")}

    def __init__(self) -> None:
        super().__init__(
            ENTITY,
            [
                Pattern(name="cn_passport", regex=PASSPORT_REGEX, score=0.4),
                Pattern(name="cn_permit_taiwan", regex=TAIWAN_PERMIT_REGEX, score=0.85),
            ],
            CONTEXT,
            re.DOTALL,  # case-sensitive: passport letters are capitals
        )

    def score_match(self, text, match, pattern):
        if pattern.name == "cn_permit_taiwan":
            return match.start("num"), match.end("num"), 0.85
        score = 0.85 if has_any(window_before(text, match.start(), 16).lower(), CONTEXT) else 0.4
        return match.start(), match.end(), score
