"""Person names: one written form.

- trim; full-width Latin letters, digits and spaces to half-width;
- the middle dot separating the parts of transliterated (minority, foreign) names, typed as
  · • ・ ‧ ･ ∙ ⋅ ● ﹒ or a full stop, to U+00B7 ``·`` (the form of the 公安 population register),
  without spaces around it;
- spaces between Chinese characters removed (``张 三`` → ``张三``), other runs of spaces
  collapsed to one (``Li  Ming`` → ``Li Ming``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.standardize._vector import map_distinct, matches, with_fast_path
from jutong.text.cells import PLACEHOLDER_TEXTS, ZERO_WIDTH, as_text, is_placeholder_text
from jutong.text.width import to_halfwidth

MIDDLE_DOT = "\u00b7"
DOT_VARIANTS = "\u00b7\u2022\u30fb\u2027\uff65\u2219\u22c5\u25cf\ufe52\u0387\u16eb\u2e31\u318d"
REASONS = ("empty", "placeholder", "bad_chars")
REPAIRS = ("trimmed", "fullwidth", "middle_dot", "spaces")

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_DOTS = re.compile(r"\s*[" + DOT_VARIANTS + r"]\s*")
_PERIOD_BETWEEN_CJK = re.compile(r"(?<=[" + _CJK + r"])\s*[.。]\s*(?=[" + _CJK + r"])")
_SPACE_BETWEEN_CJK = re.compile(r"(?<=[" + _CJK + r"])\s+(?=[" + _CJK + r"])")
_SPACES = re.compile(r"\s+")
_BAD = re.compile(r"[0-9@#$%^&*_=+<>{}\[\]|\\/~]")


@dataclass(frozen=True)
class NameResult:
    normalized: str | None
    valid: bool
    reason: str | None
    repairs: tuple[str, ...] = ()


def standardize_name(value: object) -> NameResult:
    text = as_text(value)
    if text is None:
        return NameResult(None, False, "empty")
    repairs = []
    s = text.strip(ZERO_WIDTH + " \t\r\n\u3000")
    if s != text:
        repairs.append("trimmed")
    if not s:
        return NameResult(None, False, "empty", ())
    half = to_halfwidth(s)
    if half != s and half != s.replace("\u3000", " "):
        repairs.append("fullwidth")
    s = half
    if is_placeholder_text(s):
        return NameResult(None, False, "placeholder", tuple(repairs))
    dotted = _PERIOD_BETWEEN_CJK.sub(MIDDLE_DOT, _DOTS.sub(MIDDLE_DOT, s))
    if dotted != s:
        repairs.append("middle_dot")
    s = dotted
    spaced = _SPACES.sub(" ", _SPACE_BETWEEN_CJK.sub("", s)).strip()
    if spaced != s:
        repairs.append("spaces")
    s = spaced
    if _BAD.search(s):
        return NameResult(s, False, "bad_chars", tuple(repairs))
    return NameResult(s, True, None, tuple(repairs))


FIELDS = (
    ("normalized", pa.string()),
    ("valid", pa.bool_()),
    ("reason", pa.string()),
    ("repairs", pa.list_(pa.string())),
)


# Already in the register's form: Chinese characters, parts joined by U+00B7 without spaces.
# Nothing to repair and nothing invalid in such a name, unless it is a "no value" marker.
_CJK_RE2 = r"\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}"
CLEAN_NAME = "^[" + _CJK_RE2 + "]+(?:\u00b7[" + _CJK_RE2 + "]+)*$"
_PLACEHOLDERS = pa.array(sorted(PLACEHOLDER_TEXTS), pa.string())


def _clean_names(arr: pa.Array) -> tuple[np.ndarray, pa.StructArray]:
    """The names ``standardize_name`` leaves as they are (valid, no repair), answered in C++."""
    mask = matches(arr, CLEAN_NAME) & ~pc.is_in(arr, _PLACEHOLDERS).fill_null(False).to_numpy(
        zero_copy_only=False
    )
    kept = arr.filter(pa.array(mask)).cast(pa.string())
    n = len(kept)
    rows = pa.StructArray.from_arrays(
        [
            kept,
            pa.array(np.ones(n, bool)),
            pa.nulls(n, pa.string()),
            pa.ListArray.from_arrays(
                pa.array(np.zeros(n + 1, np.int32)), pa.array([], pa.string())
            ),
        ],
        fields=[pa.field(name, t) for name, t in FIELDS],
    )
    return mask, rows


def standardize_names(values: object) -> pa.StructArray:
    """Column form: struct of normalized, valid, reason, repairs. Names already in the
    register's form are answered by Arrow compute, the others by ``standardize_name`` once per
    distinct value."""
    return with_fast_path(
        values, _clean_names, lambda a: map_distinct(a, lambda v: _row(standardize_name(v)), FIELDS)
    )


def _row(r: NameResult) -> tuple:
    return (r.normalized, r.valid, r.reason, list(r.repairs))
