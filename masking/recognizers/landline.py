"""CN_LANDLINE: fixed-line numbers with their area code (0771-5551234, (010)12345678,
021-8693044, 0771 5551234转801).

Area code 010 or 02x, or 0[3-9]xx, then a local number of 7 or 8 digits starting with 2-9
(``jutong.text.phones.LANDLINE_PATTERN``); an extension written after it (``转801``,
``分机 12``, ``-801``, ``ext. 9``) is part of the hit. Without an area code a 7/8-digit number
is not reported (too many other numbers look the same), and neither are service numbers
(12345, 95588, 400-…). Score 0.7 with a separator or parentheses after the area code, 0.6
written solid, 0.8 after a context word; all above the default threshold. An office's number
(咨询电话, 办公电话 …) is masked like any other: in open data a missed number is a leak, an
over-masked one costs nothing. After an order or serial word (订单号 …) it is not reported.
"""

from __future__ import annotations

import re

from jutong.text.layout import compact
from jutong.text.phones import EXTENSION_RE, area_code_length, is_landline
from masking.recognizers._common import (
    NOT_PERSONAL_WORDS,
    DigitRunRecognizer,
    has_any,
    window_before,
)

ENTITY = "CN_LANDLINE"
CONTEXT = [
    "电话",
    "座机",
    "固话",
    "联系方式",
    "传真",
    "热线",
    "tel",
    "phone",
    "fax",
    "gddh",
    "lxdh",
]
_PAREN_RE = re.compile(r"[(（](0\d{2,3})[)）] ?([0-9\uff10-\uff19]{7,8})(?![0-9\uff10-\uff19])")


def with_extension(text: str, end: int) -> int:
    """The end of a landline hit, with the extension written after it (if any)."""
    m = EXTENSION_RE.match(text, end)
    return m.end() if m else end


class CnLandlineRecognizer(DigitRunRecognizer):
    LENGTHS = frozenset({10, 11, 12})

    def __init__(self) -> None:
        super().__init__(ENTITY, CONTEXT, score=0.7)

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        if (not entities or ENTITY in entities) and ("(" in text or "（" in text):
            for m in _PAREN_RE.finditer(text):
                if is_landline(compact(m[1] + m[2])):
                    end = with_extension(text, m.end())
                    results.append(self._result(m.start(), end, 0.7, "cn_landline_paren"))
        return results

    def check_candidate(self, text, value, start, end, run, *, left, right):
        if (left and run.left_code) or run.decimal:
            return None
        if not is_landline(value):
            return None
        before = window_before(text, start).lower()
        positive = has_any(before, CONTEXT)
        if not positive and has_any(before, NOT_PERSONAL_WORDS):
            return None
        full_end = with_extension(text, end)
        if right and full_end == end and (run.right_code or run.unit):
            return None
        if positive:
            score = 0.8
        else:
            # a separator right after the area code is the usual written form
            cut = start + area_code_length(value)
            score = 0.7 if cut < end and not text[cut].isdigit() else 0.6
        return start, full_end, score
