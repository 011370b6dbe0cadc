"""Mainland China mobile numbers: the patterns, one place for every rule that tests them.

- ``MOBILE_PATTERN``: the numbering plan of the MIIT, 11 digits ``1[3-9]XXXXXXXXX``: what a
  mobile number may be (standardization accepts it, an unknown column is inferred from it);
- ``ISSUED_MOBILE_PATTERN``: the number blocks the carriers have been given (13x, 145-149,
  15x without 154, 162/165/166/167, 170-178, 18x, 19x without 194), a subset of the plan:
  what a number found in free text must look like to be taken for a mobile (fewer false
  positives among other 11-digit numbers);
- ``COUNTRY_CODE_PATTERN``: the ``+86`` / ``0086`` / ``86`` that may precede a number.

Plain ASCII classes (``[0-9]``, not ``\\d``), so the same strings serve Python ``re``, RE2
(Arrow) and Spark's Java regex.
"""

from __future__ import annotations

import re

MOBILE_PATTERN = "1[3-9][0-9]{9}"
ISSUED_MOBILE_PATTERN = "1(?:3[0-9]|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8[0-9]|9[0-35-9])[0-9]{8}"
COUNTRY_CODE_PATTERN = r"(?:\+|00)?86"

MOBILE_RE = re.compile(MOBILE_PATTERN)
ISSUED_MOBILE_RE = re.compile(ISSUED_MOBILE_PATTERN)
#: A mobile number in the plan, with or without the country code, written without separators.
INTERNATIONAL_MOBILE_RE = re.compile(f"(?:{COUNTRY_CODE_PATTERN})?{MOBILE_PATTERN}")


def national_mobile(digits: str, *, issued_only: bool = True) -> str | None:
    """The 11-digit national number of a mobile written with or without ``86``/``0086``
    (digits only), else None; ``issued_only`` checks the carriers' blocks, else the plan."""
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    pattern = ISSUED_MOBILE_RE if issued_only else MOBILE_RE
    return digits if len(digits) == 11 and pattern.fullmatch(digits) else None
