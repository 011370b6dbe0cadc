"""CN_LANDLINE: fixed-line numbers with their area code (0771-5551234, (010)12345678).

Area code 010, 02x (then 8 digits) or 0[3-9]xx (then 7 or 8 digits); the local number starts
with 2-8. Without an area code a 7/8-digit number is not reported (too many other numbers look
the same), and neither are service numbers (12345, 95588, 400-…). Score 0.7 with a separator
or parentheses after the area code, 0.6 written solid; both above the default threshold. After
an institution's word (咨询电话, 服务热线, 办公电话, 传真 …) 0.3: an office number in
administrative prose is not personal data and is left in place.
"""

from __future__ import annotations

import re

from jutong.text.layout import compact
from masking.recognizers._common import (
    NOT_PERSONAL_WORDS,
    DigitRunRecognizer,
    has_any,
    window_before,
)

ENTITY = "CN_LANDLINE"
CONTEXT = ["电话", "座机", "固话", "联系方式", "tel", "phone", "gddh", "lxdh"]
# Words before an institution's number (not personal data): reported at 0.3 only.
OFFICE_WORDS = (
    "咨询",
    "热线",
    "办公",
    "监督",
    "投诉电话",
    "举报电话",
    "传真",
    "服务电话",
    "客服",
    "总机",
    "值班",
)
LANDLINE_RE = re.compile(r"0(?:10|2\d)[2-8]\d{7}|0[3-9]\d{2}[2-8]\d{6,7}")
_PAREN_RE = re.compile(r"[(（](0\d{2,3})[)）] ?([0-9\uff10-\uff19]{7,8})(?![0-9\uff10-\uff19])")


def area_split(value: str) -> int:
    """Length of the area code of a landline number (digits only)."""
    return 3 if value[1] in "12" else 4


class CnLandlineRecognizer(DigitRunRecognizer):
    LENGTHS = frozenset({10, 11, 12})

    def __init__(self) -> None:
        super().__init__(ENTITY, CONTEXT, score=0.7)

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        if (not entities or ENTITY in entities) and ("(" in text or "（" in text):
            for m in _PAREN_RE.finditer(text):
                if LANDLINE_RE.fullmatch(compact(m[1] + m[2])):
                    results.append(self._result(m.start(), m.end(), 0.7, "cn_landline_paren"))
        return results

    def check_candidate(self, text, value, start, end, run, *, left, right):
        if self.glued_to_code(run, left=left, right=right):
            return None
        if not LANDLINE_RE.fullmatch(value):
            return None
        before = window_before(text, start)
        if has_any(before, NOT_PERSONAL_WORDS):
            return None
        if has_any(before, OFFICE_WORDS):
            return start, end, 0.3
        # a separator right after the area code is the usual written form
        cut = start + area_split(value)
        score = 0.7 if cut < end and not text[cut].isdigit() else 0.6
        return start, end, score
