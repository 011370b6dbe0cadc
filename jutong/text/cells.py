"""Cells as text: missing values, trimming, "no value" markers, the clean-up of a code.

Department extracts carry full-width characters (typed with a Chinese input method), spaces
(including the ideographic space U+3000), hyphens and quotes (Excel's text prefix ``'``).
These helpers remove them and report which repair was made, as bit flags (scalar, pure
Python; the column forms the identifier rules use are ``jutong.identifiers._clean``).
"""

from __future__ import annotations

import math
import re

from jutong.text.width import to_halfwidth

# Invisible characters that editors and exports leave in cells.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Hyphens and dashes (after full-width conversion) and quotes removed from codes.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\u30fc"
QUOTES = "'\"`\u2018\u2019\u201c\u201d\u2032\u2033\u300c\u300d\u300e\u300f"
CODE_PUNCTUATION = frozenset(DASHES + QUOTES)

# Cell contents that mean "no value" (compared after full-width conversion, trimmed, casefolded).
PLACEHOLDER_TEXTS = frozenset(
    {
        "无",
        "空",
        "暂无",
        "不详",
        "未知",
        "null",
        "none",
        "nan",
        "nil",
        "na",
        "n/a",
        "#n/a",
        "\\n",
        "0",
        "/",
        "\\",
        "-",
        "--",
        "——",
        "—",
        ".",
        "...",
        "?",
        "??",
        "x",
        "*",
    }
)


def is_missing(value: object) -> bool:
    """None, NaN/NA and pandas' missing markers count as a missing cell."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in {"NAType", "NaTType"}


def as_text(value: object) -> str | None:
    """The cell as text, or None when it is missing (ints are rendered without a decimal)."""
    if is_missing(value):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)


def strip_all(text: str) -> str:
    """Trim whitespace at both ends, including U+3000 and zero-width characters."""
    return text.strip().strip(ZERO_WIDTH).strip()


_WHITESPACE_RE = re.compile(r"[\s" + ZERO_WIDTH + "]+")
_PUNCT_RE = re.compile("[" + re.escape(DASHES + QUOTES) + "]+")


def clean_code(
    text: str, fullwidth_bit: int, whitespace_bit: int, punct_bit: int
) -> tuple[str, int]:
    """Remove full-width forms, whitespace, hyphens and quotes from a code; return the bits set.

    The bit values are the caller's (each rule numbers its repairs itself)."""
    repairs = 0
    half = to_halfwidth(text)
    if half != text:
        repairs |= fullwidth_bit
    out = _WHITESPACE_RE.sub("", half)
    if len(out) != len(half):
        repairs |= whitespace_bit
    n = len(out)
    out = _PUNCT_RE.sub("", out)
    if len(out) != n:
        repairs |= punct_bit
    return out, repairs


_ONLY_PUNCT_RE = re.compile(r"[\s" + ZERO_WIDTH + re.escape(DASHES + QUOTES) + r"/\\.?*_]*")


def is_placeholder_text(text: str) -> bool:
    """Whether a trimmed, half-width cell is a "no value" marker rather than a value."""
    if text.casefold() in PLACEHOLDER_TEXTS:
        return True
    # Only punctuation and spaces (e.g. "- -", "''"): nothing left after cleaning.
    return _ONLY_PUNCT_RE.fullmatch(text) is not None
