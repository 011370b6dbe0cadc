"""Dates in the many forms of department extracts, to ISO 8601 ``YYYY-MM-DD``.

Accepted: ``1990-01-02``, ``1990/1/2``, ``1990-1-2``, ``1990.01.02``, ``1990年1月2日``,
``19900102``, date-time strings (``1990-01-02 08:30:00``, ``1990-01-02T08:30``,
``1990/1/2 8:30``), Excel serial numbers of the 1900 date system (``32875``, ``32875.5``),
and ``date``/``datetime`` objects. Anything else gets a reason:

- ``empty``, ``placeholder``;
- ``bad_format``: no recognised form;
- ``bad_date``: the form is recognised but the date does not exist (``1990-02-30``, and Excel
  serial 60, the non-existent 1900-02-29 Excel keeps for Lotus 1-2-3 compatibility).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jutong.standardize._vector import map_distinct, matches, with_fast_path
from jutong.text.cells import as_text, is_placeholder_text, strip_all
from jutong.text.width import to_halfwidth

REASONS = ("empty", "placeholder", "bad_format", "bad_date")

_YMD = re.compile(
    r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?)"
    r"(?:(?:\s+|T)\d{1,2}(?::\d{1,2}){1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?|\s*\d{1,2}[时點点].*)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:\d{6})?")
_SERIAL = re.compile(r"(\d{1,7})(?:\.\d+)?")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 61 = 1900-03-01 (serials 1-59: one day less)
EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31


@dataclass(frozen=True)
class DateResult:
    iso: str | None
    valid: bool
    reason: str | None
    form: str | None = None  # iso | ymd | chinese | compact | datetime | excel_serial | object


def _make(y: int, m: int, d: int, form: str) -> DateResult:
    try:
        return DateResult(dt.date(y, m, d).isoformat(), True, None, form)
    except ValueError:
        return DateResult(None, False, "bad_date", form)


def excel_serial_to_date(serial: int) -> dt.date | None:
    """Date of an Excel 1900-system serial; None for 0, 60 (1900-02-29) and out of range."""
    if serial < 1 or serial == 60 or serial > EXCEL_MAX_SERIAL:
        return None
    if serial < 60:
        return EXCEL_EPOCH + dt.timedelta(days=serial + 1)
    return EXCEL_EPOCH + dt.timedelta(days=serial)


def standardize_date(value: object) -> DateResult:
    if isinstance(value, dt.datetime):
        return DateResult(value.date().isoformat(), True, None, "object")
    if isinstance(value, dt.date):
        return DateResult(value.isoformat(), True, None, "object")
    text = as_text(value)
    s = strip_all(to_halfwidth(text)) if text is not None else ""
    if not s:
        return DateResult(None, False, "empty")
    if is_placeholder_text(s):
        return DateResult(None, False, "placeholder")
    m = _YMD.fullmatch(s)
    if m:
        y = int(m[1])
        mo, d = (m[2], m[3]) if m[2] else (m[4], m[5])
        form = "chinese" if m[4] else "datetime" if len(s) > 10 and not m[4] else "ymd"
        if form == "ymd" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            form = "iso"
        return _make(y, int(mo), int(d), form)
    m = _COMPACT.fullmatch(s)
    if m and int(m[1]) >= 1000:
        return _make(int(m[1]), int(m[2]), int(m[3]), "compact")
    m = _SERIAL.fullmatch(s)
    if m and len(m[1]) <= 7:
        serial = int(m[1])
        day = excel_serial_to_date(serial)
        if day is None:
            reason = "bad_date" if serial == 60 else "bad_format"
            return DateResult(None, False, reason, "excel_serial")
        return DateResult(day.isoformat(), True, None, "excel_serial")
    return DateResult(None, False, "bad_format")


FIELDS = (
    ("iso", pa.string()),
    ("valid", pa.bool_()),
    ("reason", pa.string()),
    ("form", pa.string()),
)


# Already ISO 8601 (years 1000-9999): valid when the day exists, which the round trip through
# Arrow's date parser tells (it rolls 1990-02-30 over to 1990-03-02).
CLEAN_ISO = "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"


def _iso_dates(arr: pa.Array) -> tuple[np.ndarray, pa.StructArray]:
    """The ISO dates that exist, which ``standardize_date`` keeps as written, answered in C++."""
    mask = matches(arr, CLEAN_ISO)
    if mask.any():
        text = arr.filter(pa.array(mask)).cast(pa.string())
        parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        back = pc.strftime(parsed, format="%Y-%m-%d")
        ok = pc.equal(back, text).fill_null(False).to_numpy(zero_copy_only=False)
        mask[np.flatnonzero(mask)[~ok]] = False
    kept = arr.filter(pa.array(mask)).cast(pa.string())
    n = len(kept)
    rows = pa.StructArray.from_arrays(
        [
            kept,
            pa.array(np.ones(n, bool)),
            pa.nulls(n, pa.string()),
            pa.array(np.full(n, "iso", object), pa.string()),
        ],
        fields=[pa.field(name, t) for name, t in FIELDS],
    )
    return mask, rows


def standardize_dates(values: object) -> pa.StructArray:
    """Column form: struct of iso, valid, reason, form (``iso`` castable to date32). ISO dates
    are answered by Arrow compute, the other forms by ``standardize_date`` once per distinct
    value."""
    return with_fast_path(
        values,
        _iso_dates,
        lambda a: map_distinct(a, lambda v: tuple(vars(standardize_date(v)).values()), FIELDS),
        distinct=True,
    )
