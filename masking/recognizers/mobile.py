"""CN_MOBILE: mainland mobile numbers (11 digits, 1[3-9]…), with ``+86``/``0086``/``86``.

No check digit: the number-block prefixes of the carriers narrow the match (13x, 145-149,
15x without 154, 162/165/166/167, 170-178, 18x, 19x without 194); written plain, spaced or
hyphenated (``138 0013 8000``, ``+86 138-0013-8000``), full-width, glued to Chinese
characters, never inside a longer number, a decimal or a code. Part of the residual-scan
refusal set (``CHECKSUMMED``) although it has no checksum: a phone number identifies a person
(PIPL art. 28 with art. 73).
"""

from __future__ import annotations

import re

from masking.recognizers._common import DigitRunRecognizer

ENTITY = "CN_MOBILE"
CONTEXT = ["手机", "电话", "联系方式", "mobile", "phone", "tel", "sjhm", "lxdh"]
MOBILE_RE = re.compile(r"1(?:3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])\d{8}")


def national_number(value: str) -> str | None:
    """The 11-digit number of a mobile written with or without 86/0086, else None."""
    if len(value) == 13 and value.startswith("86"):
        value = value[2:]
    elif len(value) == 15 and value.startswith("0086"):
        value = value[4:]
    return value if len(value) == 11 and MOBILE_RE.fullmatch(value) else None


class CnMobileRecognizer(DigitRunRecognizer):
    LENGTHS = frozenset({11, 13, 15})

    def __init__(self) -> None:
        super().__init__(ENTITY, CONTEXT)

    def check_candidate(self, text, value, start, end, run, *, left, right):
        if self.glued_to_code(run, left=left, right=right) or national_number(value) is None:
            return None
        if len(value) > 11 and start > 0 and text[start - 1] in "+＋":
            start -= 1
        return start, end, 1.0
