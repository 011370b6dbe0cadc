"""Display masks, one per PII type: what redaction writes in place of a hit and what
``jutong pii scan`` shows as examples (GX-Reg art. 25; GX-Open art. 19; PIPL art. 73).

Scalar functions on one value (``None`` passes through). Identifiers are first written without
layout (half-width, no spaces or hyphens), so ``138-0013-8000`` and ``13800138000`` mask the
same. The columnar masker (``masking.columns``) has vectorized versions tested against these.

=================  ==========================================  ===========================
type               rule                                        example
=================  ==========================================  ===========================
resident ID        first 1 + last 1, the rest ``*``, same       ``4****************X``
                   length (15 or 18)
mobile             first 3 + last 4 (``+86 `` kept); a           ``138****8000``
                   landline in a phone column: as a landline
landline           area code + ``-`` + ``*`` + last 2           ``0771-*****34``
credit code        first 2 + last 1, same length                ``91***************X``
bank card          last 4, same length                         ``***************1234``
e-mail             first character of the local part + ``***``  ``z***@163.com``
passport           first 1 + last 2                            ``E******78``
vehicle plate      first 2 + last 1                            ``桂A***5``
name               surname + ``*`` per other character;         ``王**``, ``欧阳*``, ``艾*``
                   compound surname whole; a minority name
                   with ``·``: first character + ``*``
address            division names down to the county, the       ``广西南宁市青秀区``
                   rest dropped (``***`` when none)
=================  ==========================================  ===========================
"""

from __future__ import annotations

import re
from functools import cache

from jutong.text.layout import compact
from jutong.text.phones import area_code_length, national_mobile
from masking.recognizers.address import division_levels, division_names
from masking.recognizers.person_name import surname_of


def _stars(n: int) -> str:
    return "*" * max(n, 0)


def mask_resident_id(value: str | None) -> str | None:
    if value is None:
        return None
    v = compact(value).upper()
    if len(v) <= 2:
        return _stars(len(v))
    return v[0] + _stars(len(v) - 2) + v[-1]


#: A phone written as a landline (area code, perhaps in parentheses), not ``00`` + country code.
LANDLINE_START = "^[(（]?0[1-9]"
_LANDLINE_START = re.compile(LANDLINE_START)


def mask_mobile(value: str | None) -> str | None:
    if value is None:
        return None
    v = compact(value)
    prefix = ""
    if _LANDLINE_START.match(v):
        return mask_landline(value)  # a landline in a phone column
    if v.startswith("+"):
        v = v[1:]
    number = national_mobile(v)
    if number is not None and len(v) > 11:
        prefix, v = "+86 ", number
    if len(v) < 8:
        return _stars(len(v))
    return prefix + v[:3] + _stars(len(v) - 7) + v[-4:]


def mask_landline(value: str | None) -> str | None:
    if value is None:
        return None
    v = re.sub(r"[^0-9]", "", compact(value))
    if len(v) < 9 or not v.startswith("0"):
        return _stars(len(v))
    cut = area_code_length(v)
    local = v[cut:]
    return v[:cut] + "-" + _stars(len(local) - 2) + local[-2:]


def mask_uscc(value: str | None) -> str | None:
    if value is None:
        return None
    v = compact(value).upper()
    if len(v) <= 3:
        return _stars(len(v))
    return v[:2] + _stars(len(v) - 3) + v[-1]


def mask_bank_card(value: str | None) -> str | None:
    if value is None:
        return None
    v = compact(value)
    if len(v) <= 4:
        return _stars(len(v))
    return _stars(len(v) - 4) + v[-4:]


def mask_email(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip()
    local, at, domain = v.rpartition("@")
    if not at or not local:
        return _stars(len(v))
    return local[0] + "***@" + domain


def mask_passport(value: str | None) -> str | None:
    if value is None:
        return None
    v = compact(value).upper()
    if len(v) <= 3:
        return _stars(len(v))
    return v[0] + _stars(len(v) - 3) + v[-2:]


def mask_plate(value: str | None) -> str | None:
    if value is None:
        return None
    v = re.sub(r"[·•・.\- ]", "", compact(value))
    if len(v) <= 3:
        return _stars(len(v))
    return v[:2] + _stars(len(v) - 3) + v[-1]


_DOTS = re.compile(r"[·•・.．]")


def mask_name(value: str | None) -> str | None:
    if value is None:
        return None
    v = re.sub(r"\s+", "", value)
    if not v:
        return v
    if _DOTS.search(v):
        return v[0] + "*"
    if len(v) == 1:
        return "*"
    surname = surname_of(v)
    return surname + _stars(len(v) - len(surname))


_COUNTY_SUFFIX = re.compile(r"[\u4e00-\u9fff]{1,5}?(?:自治县|自治旗|县|区|旗|市)")
_CITY_SUFFIX = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:自治州|地区|盟|市)")


@cache
def _names_re() -> re.Pattern:
    return re.compile("|".join(map(re.escape, division_names())))


def _take(text: str, pos: int) -> str | None:
    """The longest division name at ``pos`` (alternatives are longest first)."""
    m = _names_re().match(text, pos)
    return m.group() if m else None


def division_prefix(address: str) -> str:
    """The leading division names of an address, down to the county: known names
    (``jutong.reference``, province/city short names), then a generic city/county name after
    a known province or city (``…市``, ``…县``, ``…区``)."""
    level_of = division_levels()
    pos, levels = 0, 0
    while levels < 3:
        n = _take(address, pos)
        if n is None:
            break
        pos += len(n)
        levels += 1
        if level_of[n] == "county":
            return address[:pos]
    if 0 < levels < 3:
        # an unlisted city (after a province) and county
        for rx in (_CITY_SUFFIX, _COUNTY_SUFFIX):
            m = rx.match(address, pos)
            if m and levels < 3:
                pos = m.end()
                levels += 1
                if m.group().endswith(("区", "县", "旗")):
                    break
    return address[:pos]


def mask_address(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip()
    prefix = division_prefix(v)
    return prefix if prefix else "***"


MASKS = {
    "CN_RESIDENT_ID": mask_resident_id,
    "CN_MOBILE": mask_mobile,
    "CN_LANDLINE": mask_landline,
    "CN_USCC": mask_uscc,
    "CN_BANK_CARD": mask_bank_card,
    "EMAIL_ADDRESS": mask_email,
    "CN_PASSPORT": mask_passport,
    "CN_VEHICLE_PLATE": mask_plate,
    "CN_PERSON_NAME": mask_name,
    "CN_ADDRESS": mask_address,
}


def mask_value(entity: str, value: str | None) -> str | None:
    """The display mask of ``value`` as an ``entity`` (``*`` per character for unknown types)."""
    fn = MASKS.get(entity)
    if fn is None:
        return None if value is None else _stars(len(value))
    return fn(value)
