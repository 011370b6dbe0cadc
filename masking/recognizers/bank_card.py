"""CN_BANK_CARD: payment card numbers (16-19 digits, Luhn), usually UnionPay (62…).

A Luhn check passes one random number in ten, so a candidate must also start like an issued
card (3 JCB/Amex, 4 Visa, 5 Mastercard, 6 UnionPay and domestic, 9 legacy domestic), must not
follow an order/serial/document-number word (unless a card word such as 卡号 or 账号 is nearer),
must not be glued to letters (product codes) and steps aside for an 18-digit number shaped like
a resident ID (province code + birth date), valid or not: about 10 % of valid IDs pass Luhn
(docs/architecture.md); likewise for a valid all-digit credit code (one in ten passes Luhn,
while a real card also passing GB 32100's two check characters is about one in 340). The digit-run boundaries keep the first 17 digits of an ID ending in
X from being read as a card.
"""

from __future__ import annotations

from jutong.text.luhn import luhn_ok
from masking.recognizers._common import (
    NOT_PERSONAL_WORDS,
    DigitRunRecognizer,
    has_any,
    window_before,
)
from masking.recognizers.resident_id import looks_like_resident_id
from masking.recognizers.uscc import could_be_uscc, is_uscc

ENTITY = "CN_BANK_CARD"
CONTEXT = ["卡号", "银行卡", "账号", "帐号", "账户", "帐户", "开户", "card", "yhzh", "kh"]
ISSUER_FIRST_DIGITS = frozenset("34569")


class CnBankCardRecognizer(DigitRunRecognizer):
    LENGTHS = frozenset({16, 17, 18, 19})

    def __init__(self) -> None:
        super().__init__(ENTITY, CONTEXT)

    def check_candidate(self, text, value, start, end, run, *, left, right):
        if value[0] not in ISSUER_FIRST_DIGITS or self.glued_to_code(run, left=left, right=right):
            return None
        if not luhn_ok(value):
            return None
        if len(value) == 18 and (
            looks_like_resident_id(value) or (could_be_uscc(value) and is_uscc(value))
        ):
            return None
        before = window_before(text, start)
        if has_any(before, NOT_PERSONAL_WORDS) and not has_any(before, CONTEXT[:7]):
            return None
        return start, end, 1.0
