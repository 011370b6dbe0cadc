"""CN_MOBILE: mainland mobile numbers (11 digits, 1[3-9]…), with ``+86``/``0086``/``86``.

No check digit and no list of the carriers' number blocks (it goes stale as new blocks open):
every 11-digit number of the numbering plan (``jutong.text.phones.MOBILE_PATTERN``) that is
not part of a longer digit run, a decimal, an amount or a code is reported. Written plain,
spaced or hyphenated (``138 0013 8000``, ``+86 169 0604 4319``), full-width, glued to Chinese
characters. Score 0.9 alone, 1.0 after a context word (手机, 电话 …); after an order, serial
or product word (订单号, 型号 …) without a context word it is not reported. Part of the
residual-scan refusal set (``CHECKSUMMED``) although it has no checksum: a phone number
identifies a person (PIPL art. 28 with art. 73).
"""

from __future__ import annotations

from jutong.text.phones import national_mobile
from masking.recognizers._common import (
    NOT_PERSONAL_WORDS,
    DigitRunRecognizer,
    has_any,
    window_before,
)

ENTITY = "CN_MOBILE"
CONTEXT = [
    "手机",
    "电话",
    "联系方式",
    "联系",
    "致电",
    "拨打",
    "来电",
    "mobile",
    "phone",
    "tel",
    "sjhm",
    "lxdh",
]
#: Score without a context word: above the default threshold (a number alone is masked).
PLAIN_SCORE = 0.9


class CnMobileRecognizer(DigitRunRecognizer):
    LENGTHS = frozenset({11, 13, 15})

    def __init__(self) -> None:
        super().__init__(ENTITY, CONTEXT)

    def check_candidate(self, text, value, start, end, run, *, left, right):
        if self.glued_to_code(run, left=left, right=right) or national_mobile(value) is None:
            return None
        before = window_before(text, start)
        lowered = before.lower()
        positive = has_any(lowered, CONTEXT)
        if not positive and has_any(lowered, NOT_PERSONAL_WORDS):
            return None
        if len(value) > 11 and start > 0 and text[start - 1] in "+＋":
            start -= 1
        return start, end, 1.0 if positive else PLAIN_SCORE
