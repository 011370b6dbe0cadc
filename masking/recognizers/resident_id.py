"""CN_RESIDENT_ID: resident ID numbers (公民身份号码), GB 11643-1999.

18 characters (17 digits + digit or X, ISO 7064 MOD 11-2 check) or the legacy 15 digits,
validated with ``jutong.identifiers`` (province code, real birth date, check character):
spaced or hyphenated (``450102 19900101 123X``), full-width, lowercase ``x``, glued to Chinese
characters. A 15-digit number has no check character, so it is accepted only when its address
code is a known division or an ID word (身份证, 证件 …) precedes it, and never after an order or
serial-number word or a registration word (注册号, 营业执照 …). Without an ID word, a 15-digit
number that passes the check character of a legacy business registration number (GB 12264,
ISO 7064 MOD 11,10) is taken for one, not for an ID (one legacy ID in ten passes it too: an ID
word before it keeps it an ID). Masked before anything leaves the platform (GX-Reg art. 25; PIPL art. 73).

Residence permits of Hong Kong, Macau and Taiwan residents (港澳台居民居住证, issued since
2018) carry an 18-character number of the same form whose address code is exactly 810000
(Hong Kong), 820000 (Macau) or 830000 (Taiwan): they are personal identifiers of the same
kind and are reported as resident IDs when birth date and check character are valid. The
division list knows 81 and 82 as provinces but not 83, and no county lies under 81 or 82, so a
number starting 81/82/83 is an ID only with one of these three address codes and 18
characters (no 15-digit form exists).
"""

from __future__ import annotations

import datetime as dt
import time
from functools import cache

from jutong.identifiers import check_resident_id
from jutong.identifiers.checkdigits import regno_check, resident_id_check
from jutong.reference import load_divisions, province_codes
from masking.recognizers._common import (
    NOT_PERSONAL_WORDS,
    DigitRunRecognizer,
    has_any,
    window_before,
)

ENTITY = "CN_RESIDENT_ID"
CONTEXT = ["身份证", "公民身份", "证件号", "身份号", "sfz", "sfzh", "idcard", "id_no", "zjhm"]
# Words before a business registration number (注册号 of the enterprise register).
REGISTRATION_WORDS = ("注册号", "营业执照", "工商登记", "登记号", "执照号")


_today: tuple[float, dt.date] = (0.0, dt.date.min)


def today() -> dt.date:
    """Today's date, read from the clock at most once a minute (``date.today`` is slow)."""
    global _today
    now = time.monotonic()
    if now - _today[0] > 60:
        _today = (now, dt.date.today())
    return _today[1]


@cache
def _provinces() -> frozenset[str]:
    return province_codes()


def is_resident_id(value: str, as_of: dt.date | None = None) -> bool:
    """A valid resident ID (18 characters, or 15 digits upgraded), as written or repaired
    (``jutong.identifiers.check_resident_id``; birth dates up to ``as_of``, default today), or
    a residence permit number of a Hong Kong, Macau or Taiwan resident."""
    if len(value) == 18 and value[:2] in PERMIT_PROVINCES:
        return is_residence_permit(value, as_of)
    return check_resident_id(value, as_of or today()).valid


def looks_like_resident_id(digits18: str) -> bool:
    """Province code and birth date of a resident ID, whatever the check character: the card
    and credit-code recognizers step aside for such 18-digit numbers."""
    if len(digits18) != 18 or not digits18[:17].isdigit():
        return False
    if digits18[:2] in PERMIT_PROVINCES:
        return is_residence_permit(digits18, check=False)
    if digits18[:2] not in _provinces():
        return False
    body = digits18[:17] + ("0" if digits18[17] in "Xx" else digits18[17])
    r = check_resident_id(body, today())
    return not (set(r.reasons) - {"bad_check"})


#: address codes of the residence permits of Hong Kong, Macau and Taiwan residents
PERMIT_CODES = frozenset({"810000", "820000", "830000"})
PERMIT_PROVINCES = frozenset(c[:2] for c in PERMIT_CODES)


def _birth_ok(digits8: str, as_of: dt.date) -> bool:
    try:
        birth = dt.date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return False
    return dt.date(1880, 1, 1) <= birth <= as_of


def is_residence_permit(value: str, as_of: dt.date | None = None, *, check: bool = True) -> bool:
    """An 18-character residence permit number of a Hong Kong, Macau or Taiwan resident:
    address code 810000/820000/830000, a real birth date up to ``as_of`` (default today) and,
    with ``check``, the MOD 11-2 check character."""
    value = value.upper()
    if len(value) != 18 or value[:6] not in PERMIT_CODES or not value[:17].isdigit():
        return False
    if not _birth_ok(value[6:14], as_of or today()):
        return False
    return not check or resident_id_check(value[:17]) == value[17]


def is_registration_no(digits15: str) -> bool:
    """A 15-digit number passing the check of a legacy business registration number
    (GB 12264: ISO 7064 MOD 11,10 over the first 14 digits)."""
    return len(digits15) == 15 and digits15.isdigit() and regno_check(digits15[:14]) == digits15[14]


class CnResidentIdRecognizer(DigitRunRecognizer):
    LENGTHS = frozenset({15, 18})
    ALLOW_X = True

    def __init__(self) -> None:
        super().__init__(ENTITY, CONTEXT)

    def check_candidate(self, text, value, start, end, run, *, left, right):
        if run.decimal:
            return None
        if value[:2] in PERMIT_PROVINCES:
            return (start, end, 1.0) if is_residence_permit(value) else None
        if value[:2] not in _provinces():
            return None
        if len(value) == 15:
            if not value.isdigit() or self.glued_to_code(run, left=left, right=right):
                return None
            before = window_before(text, start)
            positive = has_any(before, CONTEXT[:4])
            if not positive and (
                has_any(before, NOT_PERSONAL_WORDS)
                or has_any(before, REGISTRATION_WORDS)
                or is_registration_no(value)
            ):
                return None
            if not positive and value[:6] not in load_divisions():
                return None
        elif "X" in value[:17]:
            return None
        if not is_resident_id(value):
            return None
        return start, end, 1.0
