"""Check characters of the national identifier standards, one scalar function each.

These are the single definitions of the weights and alphabets; vectorized and Spark
forms of the rules import the constants from here.

- Resident ID, GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits.
- Unified social credit code, GB 32100-2015: MOD 31 over the first 17 characters.
- Organisation code, GB 11714-1997: MOD 11 over the first 8 characters.
- Legacy business registration number (15 digits, GS 15-2006): ISO 7064 MOD 11,10.
"""

from __future__ import annotations

RID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RID_CHECK_CHARS = "10X98765432"

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # never I O S V Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

ORGCODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def resident_id_check(body17: str) -> str:
    """Check character of an 18-character resident ID, from its first 17 digits."""
    if len(body17) != 17 or not body17.isascii() or not body17.isdigit():
        raise ValueError(f"resident ID body must be 17 ASCII digits, got {body17!r}")
    total = sum(int(c) * w for c, w in zip(body17, RID_WEIGHTS, strict=True))
    return RID_CHECK_CHARS[total % 11]


def upgrade_resident_id_15(legacy15: str) -> str:
    """Upgrade a 15-digit legacy ID (yymmdd birth, no check) to 18 digits (born 19yy)."""
    if len(legacy15) != 15 or not legacy15.isascii() or not legacy15.isdigit():
        raise ValueError(f"legacy resident ID must be 15 ASCII digits, got {legacy15!r}")
    body = legacy15[:6] + "19" + legacy15[6:]
    return body + resident_id_check(body)


def _orgcode_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    raise ValueError(f"invalid organisation code character {ch!r}")


def orgcode_check(body8: str) -> str:
    """Check character of a GB 11714 organisation code (8 characters + check)."""
    if len(body8) != 8:
        raise ValueError(f"organisation code body must be 8 characters, got {body8!r}")
    total = sum(_orgcode_value(c) * w for c, w in zip(body8, ORGCODE_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_check(body17: str) -> str:
    """Check character of an 18-character unified social credit code."""
    if len(body17) != 17:
        raise ValueError(f"credit code body must be 17 characters, got {body17!r}")
    try:
        total = sum(USCC_CHARSET.index(c) * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    except ValueError:
        raise ValueError(f"credit code body has a character outside GB 32100: {body17!r}") from None
    return USCC_CHARSET[(31 - total % 31) % 31]


def regno_check(body14: str) -> str:
    """Check digit of a 15-digit legacy business registration number (ISO 7064 MOD 11,10)."""
    if len(body14) != 14 or not body14.isascii() or not body14.isdigit():
        raise ValueError(f"registration number body must be 14 digits, got {body14!r}")
    p = 10
    for c in body14:
        s = (p + int(c)) % 10 or 10
        p = (2 * s) % 11
    return str((11 - p) % 10)
