"""Mainland China telephone numbers: the patterns, one place for every rule that tests them.

- ``MOBILE_PATTERN``: the numbering plan of the MIIT, 11 digits ``1[3-9]XXXXXXXXX``: what a
  mobile number may be. Standardization accepts it, an unknown column is inferred from it and
  the free-text recognizer reports it. There is no list of the blocks the carriers have been
  given: such a list goes stale as new blocks open (140-144, 16x, 19x …), and in open data a
  missed number is a leak while an over-masked one costs nothing.
- ``COUNTRY_CODE_PATTERN``: the ``+86`` / ``0086`` / ``86`` that may precede a number.
- ``LANDLINE_PATTERN``: a fixed-line number with its area code, digits only: ``010`` or
  ``02x`` then 7 or 8 digits, ``0[3-9]xx`` then 7 or 8 digits; the local number starts with
  2-9 (never 0 or 1).
- ``EXTENSION_PATTERN``: an extension written after a number (``转801``, ``分机 801``,
  ``ext. 801``, ``-801``, ``#801``).

Plain ASCII classes (``[0-9]``, not ``\\d``), so the same strings serve Python ``re``, RE2
(Arrow) and Spark's Java regex.
"""

from __future__ import annotations

import re

MOBILE_PATTERN = "1[3-9][0-9]{9}"
COUNTRY_CODE_PATTERN = r"(?:\+|00)?86"
LANDLINE_PATTERN = "0(?:10|2[0-9])[2-9][0-9]{6,7}|0[3-9][0-9]{2}[2-9][0-9]{6,7}"
EXTENSION_PATTERN = r"(?:[-－]|\s*(?:转|分机|ext\.?|x|#)\s*)([0-9]{1,6})(?![0-9])"

MOBILE_RE = re.compile(MOBILE_PATTERN)
LANDLINE_RE = re.compile(LANDLINE_PATTERN)
EXTENSION_RE = re.compile(EXTENSION_PATTERN, re.IGNORECASE)
#: A mobile number in the plan, with or without the country code, written without separators.
INTERNATIONAL_MOBILE_RE = re.compile(f"(?:{COUNTRY_CODE_PATTERN})?{MOBILE_PATTERN}")


def national_mobile(digits: str) -> str | None:
    """The 11-digit national number of a mobile written with or without ``86``/``0086``
    (digits only) when it is in the numbering plan, else None."""
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits if len(digits) == 11 and MOBILE_RE.fullmatch(digits) else None


def area_code_length(digits: str) -> int:
    """Length of the area code of a landline number written as digits (``010``/``02x``: 3,
    else 4)."""
    return 3 if digits[1:2] in ("1", "2") else 4


def is_landline(digits: str) -> bool:
    """A fixed-line number with its area code (digits only, no extension)."""
    return LANDLINE_RE.fullmatch(digits) is not None
