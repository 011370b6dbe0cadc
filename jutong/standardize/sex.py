"""Sex codes, GB/T 2261.1-2003: 0 未知的性别, 1 男性, 2 女性, 9 未说明的性别."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from jutong.standardize._vector import map_distinct
from jutong.text.cells import as_text, strip_all
from jutong.text.width import to_halfwidth

LABELS = {"0": "未知的性别", "1": "男性", "2": "女性", "9": "未说明的性别"}
REASONS = ("empty", "unknown_value")
_MAP = {
    **{k: "1" for k in ("1", "男", "男性", "m", "male", "man", "boy", "先生", "01")},
    **{k: "2" for k in ("2", "女", "女性", "f", "female", "woman", "girl", "女士", "02")},
    **{k: "0" for k in ("0", "未知", "未知的性别", "unknown", "u", "00")},
    **{k: "9" for k in ("9", "未说明", "未说明的性别", "其他", "not stated", "09")},
}


@dataclass(frozen=True)
class SexResult:
    code: str | None
    valid: bool
    reason: str | None


def standardize_sex(value: object) -> SexResult:
    text = as_text(value)
    key = strip_all(to_halfwidth(text)).casefold() if text is not None else ""
    if key.endswith(".0"):  # numeric cells read from Excel
        key = key[:-2]
    if not key:
        return SexResult(None, False, "empty")
    code = _MAP.get(key)
    if code is None:
        return SexResult(None, False, "unknown_value")
    return SexResult(code, True, None)


FIELDS = (("code", pa.string()), ("valid", pa.bool_()), ("reason", pa.string()))


def standardize_sexes(values: object) -> pa.StructArray:
    """Column form: struct of code, valid, reason."""
    return map_distinct(values, lambda v: tuple(vars(standardize_sex(v)).values()), FIELDS)
