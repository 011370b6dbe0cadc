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

import pyarrow as pa

from jutong.standardize._vector import map_distinct
from jutong.text.cells import as_text, is_placeholder_text, strip_all
from jutong.text.phones import MOBILE_RE
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


def standardize_phones(values: object) -> pa.StructArray:
    """Column form: struct of normalized, kind, extension, valid, reason."""
    return map_distinct(values, lambda v: tuple(vars(standardize_phone(v)).values()), FIELDS)
