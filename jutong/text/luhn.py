"""The Luhn check (ISO/IEC 7812-1 annex B) of payment card numbers.

From the rightmost digit (the check digit), every second digit is doubled (9 subtracted when
the double exceeds 9) and the sum must be a multiple of 10. One random number in ten passes,
so a recognizer needs more than this check (issuer prefixes, context).
"""

from __future__ import annotations

import numpy as np


def _sum(digits: str, double_first: bool) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if (i % 2 == 0) == double_first:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total


def luhn_ok(digits: str) -> bool:
    """Whether an ASCII digit string (check digit last) passes the Luhn check."""
    return bool(digits) and digits.isascii() and digits.isdigit() and _sum(digits, False) % 10 == 0


def luhn_check_digit(body: str) -> str:
    """The check digit that completes ``body`` (ASCII digits) to a number passing Luhn."""
    if not (body.isascii() and body.isdigit()):
        raise ValueError("the body of a Luhn number must be ASCII digits")
    return str(-_sum(body, True) % 10)


def luhn_check_digits(body: np.ndarray) -> np.ndarray:
    """``luhn_check_digit`` of every row of an ``(n, width)`` integer matrix of digits 0..9."""
    rev = np.asarray(body, np.int64)[:, ::-1]
    dbl = rev[:, ::2] * 2
    dbl = np.where(dbl > 9, dbl - 9, dbl)
    return -(dbl.sum(axis=1) + rev[:, 1::2].sum(axis=1)) % 10
