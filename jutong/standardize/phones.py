"""Telephone numbers to one canonical form.

- Mobile: 11 digits ``1[3-9]XXXXXXXXX`` (numbering plan of the MIIT, ``jutong.text.phones``), with ``+86``, ``0086`` or
  ``86`` prefixes and separators (spaces, hyphens, dots, brackets) removed.
- Landline: ``0AA-NNNNNNNN`` / ``0AAA-NNNNNNN[N]``: area code (010 and 02X have three digits,
  the others four) and a local number of 7 or 8 digits not starting with 0 or 1; an extension
  (``转 801``, ``ext. 801``, ``-801`` after a complete number) is kept separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.standardize._vector import map_distinct, matches, with_fast_path
from jutong.text.cells import as_text, is_placeholder_text, strip_all
from jutong.text.phones import MOBILE_PATTERN, MOBILE_RE
from jutong.text.width import to_halfwidth

REASONS = ("empty", "placeholder", "bad_chars", "bad_mobile", "no_area_code", "bad_length")

_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-‐‑–—.()（）\[\]/]+")
_THREE_DIGIT_AREAS = re.compile(r"0(10|2\d)")


@dataclass(frozen=True)
class PhoneResult:
    normalized: str | None
    kind: str | None  # mobile | landline
    extension: str | None
    valid: bool
    reason: str | None


def _landline(digits: str, extension: str | None) -> PhoneResult:
    area_len = 3 if _THREE_DIGIT_AREAS.match(digits) else 4
    area, local = digits[:area_len], digits[area_len:]
    if 7 <= len(local) <= 8 and local[0] not in "01":
        return PhoneResult(f"{area}-{local}", "landline", extension, True, None)
    return PhoneResult(digits, "landline", extension, False, "bad_length")


def standardize_phone(value: object) -> PhoneResult:
    """Canonical mobile or landline number of one value."""
    text = as_text(value)
    trimmed = strip_all(to_halfwidth(text)) if text is not None else ""
    if not trimmed:
        return PhoneResult(None, None, None, False, "empty")
    if is_placeholder_text(trimmed):
        return PhoneResult(None, None, None, False, "placeholder")
    extension = None
    m = _EXTENSION.search(trimmed)
    if m:
        extension, trimmed = m[1], trimmed[: m.start()].rstrip()
    international = trimmed.startswith(("+86", "0086", "(+86)", "（+86）"))
    parts = [p for p in _SEPARATORS.split(trimmed.replace("+", " ")) if p]
    digits = "".join(parts)
    if not digits.isascii() or not digits.isdigit():
        return PhoneResult(trimmed, None, extension, False, "bad_chars")
    if digits.startswith("0086"):
        digits, international = digits[4:], True
    elif (
        digits.startswith("86")
        and len(digits) in (13, 12, 11)
        and (
            international or MOBILE_RE.fullmatch(digits[2:]) or len(parts) > 1 and parts[0] == "86"
        )
    ):
        digits, international = digits[2:], True
    if (
        extension is None
        and len(parts) >= 3
        and parts[0].startswith("0")
        and 1 <= len(parts[-1]) <= 5
    ):
        # 0772-2812345-801: the last group after a complete landline is an extension
        head = "".join(parts[:-1])
        if not head.startswith("1") and 10 <= len(head) <= 12:
            digits, extension = head, parts[-1]
    if digits.startswith("1"):
        if MOBILE_RE.fullmatch(digits):
            return PhoneResult(digits, "mobile", extension, True, None)
        return PhoneResult(digits, "mobile", extension, False, "bad_mobile")
    if international and not digits.startswith("0"):
        digits = "0" + digits  # +86 772 2812345: the trunk prefix 0 is dropped abroad
    if digits.startswith("0"):
        return _landline(digits, extension)
    if 7 <= len(digits) <= 8:
        return PhoneResult(digits, "landline", extension, False, "no_area_code")
    return PhoneResult(digits, None, extension, False, "bad_length")


FIELDS = (
    ("normalized", pa.string()),
    ("kind", pa.string()),
    ("extension", pa.string()),
    ("valid", pa.bool_()),
    ("reason", pa.string()),
)


# Already canonical: a mobile number's 11 digits, or a landline written 0AA-NNNNNNN[N] /
# 0AAA-NNNNNNN[N] with the area code's own length (what ``standardize_phone`` returns as is).
CLEAN_MOBILE = "^" + MOBILE_PATTERN + "$"
CLEAN_LANDLINE = "^(?:0(?:10|2[0-9])|0[3-9][0-9]{2})-[2-9][0-9]{6,7}$"
# A mobile number grouped 3-4-4 by hyphens or spaces: its digits.
GROUPED_MOBILE = "^1[3-9][0-9][- ][0-9]{4}[- ][0-9]{4}$"


def _clean_phones(arr: pa.Array) -> tuple[np.ndarray, pa.StructArray]:
    """The numbers ``standardize_phone`` keeps as written (valid), answered in C++."""
    mobile = matches(arr, CLEAN_MOBILE) | matches(arr, GROUPED_MOBILE)
    landline = matches(arr, CLEAN_LANDLINE)
    mask = mobile | landline
    kept = arr.filter(pa.array(mask)).cast(pa.string())
    kept = pc.if_else(pa.array(mobile[mask]), pc.replace_substring_regex(kept, "[- ]", ""), kept)
    n = len(kept)
    kind = np.where(mobile[mask], "mobile", "landline")
    rows = pa.StructArray.from_arrays(
        [
            kept,
            pa.array(kind, pa.string()),
            pa.nulls(n, pa.string()),
            pa.array(np.ones(n, bool)),
            pa.nulls(n, pa.string()),
        ],
        fields=[pa.field(name, t) for name, t in FIELDS],
    )
    return mask, rows


def standardize_phones(values: object) -> pa.StructArray:
    """Column form: struct of normalized, kind, extension, valid, reason. Numbers already in
    canonical form are answered by Arrow compute, the others by ``standardize_phone`` once per
    distinct value."""
    return with_fast_path(
        values,
        _clean_phones,
        lambda a: map_distinct(a, lambda v: tuple(vars(standardize_phone(v)).values()), FIELDS),
    )
