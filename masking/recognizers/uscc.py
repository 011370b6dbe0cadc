"""CN_USCC: unified social credit codes (统一社会信用代码), GB 32100-2015.

18 characters over ``0-9 A-H J-N P-R T U W-Y`` (upper or lower case, full-width too, single
spaces or hyphens inside), validated
with ``jutong.identifiers.check_uscc``: registration authority and category, division, the
embedded GB 11714 organisation code's check and the MOD 31 check character. An all-digit
18-character code that is also a valid resident ID is left to the resident-ID recognizer
(about 3 % of valid IDs pass the credit-code check too; docs/architecture.md § Library traps).
"""

from __future__ import annotations

import re
from functools import cache

from presidio_analyzer import Pattern

from jutong.identifiers import check_uscc
from jutong.identifiers.uscc import AUTHORITY_CATEGORIES, NATIONAL_DIVISION
from jutong.reference import province_codes
from jutong.text.layout import GROUP_SEPARATOR_CLASS, compact
from masking.recognizers._common import RegexRecognizer, letter_label_before
from masking.recognizers.resident_id import is_resident_id

ENTITY = "CN_USCC"
CONTEXT = ["信用代码", "统一社会", "uscc", "tyshxydm", "credit_code"]
_ALNUM = "0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
# 18 characters, optionally with single spaces or hyphens between them (``914501 00MA5K …``)
USCC_REGEX = (
    f"(?<![0-9\uff10-\uff19])[{_ALNUM}](?:{GROUP_SEPARATOR_CLASS}?[{_ALNUM}]){{17}}(?![{_ALNUM}])"
)


@cache
def _provinces() -> frozenset[str]:
    return province_codes() | {NATIONAL_DIVISION[:2]}


def could_be_uscc(code: str) -> bool:
    """Cheap necessary conditions (authority/category pair, province part of the division),
    from the same tables as the rule: most 18-character strings, resident IDs among them, fail
    here before the full check."""
    cats = AUTHORITY_CATEGORIES.get(code[:1])
    return cats is not None and code[1:2] in cats and code[2:4] in _provinces()


def is_uscc(value: str) -> bool:
    """A valid 18-character credit code (``jutong.identifiers.check_uscc``)."""
    r = check_uscc(value)
    return r.valid and r.kind == "uscc"


class CnUsccRecognizer(RegexRecognizer):
    def __init__(self) -> None:
        super().__init__(
            ENTITY,
            [Pattern(name="cn_uscc", regex=USCC_REGEX, score=1.0)],
            CONTEXT,
            re.DOTALL,
        )

    def score_match(self, text, match, pattern):
        start = match.start()
        before = text[start - 1] if start else ""
        if before.isascii() and before.isalpha() and not letter_label_before(text, start):
            return None  # inside a longer code
        value = compact(match.group()).upper()
        if (
            len(value) != 18
            or not could_be_uscc(value)
            or not is_uscc(value)
            or (value.isdigit() and is_resident_id(value))
        ):
            return None
        return match.start(), match.end(), 1.0
