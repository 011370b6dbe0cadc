"""CN_MOBILE: mainland mobile numbers (11 digits, 1[3-9]…), with ``+86``/``0086``/``86``.

No check digit: the number-block prefixes of the carriers narrow the match
(``jutong.text.phones.ISSUED_MOBILE_PATTERN``); written plain, spaced or
hyphenated (``138 0013 8000``, ``+86 138-0013-8000``), full-width, glued to Chinese
characters, never inside a longer number, a decimal or a code. Part of the residual-scan
refusal set (``CHECKSUMMED``) although it has no checksum: a phone number identifies a person
(PIPL art. 28 with art. 73).
"""

from __future__ import annotations

from jutong.text.phones import national_mobile
from masking.recognizers._common import DigitRunRecognizer

ENTITY = "CN_MOBILE"
CONTEXT = ["手机", "电话", "联系方式", "mobile", "phone", "tel", "sjhm", "lxdh"]


class CnMobileRecognizer(DigitRunRecognizer):
    LENGTHS = frozenset({11, 13, 15})

    def __init__(self) -> None:
        super().__init__(ENTITY, CONTEXT)

    def check_candidate(self, text, value, start, end, run, *, left, right):
        if self.glued_to_code(run, left=left, right=right) or national_mobile(value) is None:
            return None
        if len(value) > 11 and start > 0 and text[start - 1] in "+＋":
            start -= 1
        return start, end, 1.0
