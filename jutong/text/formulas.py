"""Cells that a spreadsheet would run as a formula, neutralized in files written for people.

A citizen who opens an open-data CSV in Excel or WPS must see ``=HYPERLINK(...)`` or
``+cmd|' /C calc'!A0`` as text, not run it (CSV injection, OWASP). Every CSV and Excel file the
platform writes for people (release ``data.csv``, ``jutong pii mask`` and ``jutong ids check``
outputs) goes through ``neutralize_table`` first: a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe (``'=HYPERLINK(...)``), the
OWASP rule. Parquet files keep the value as it is (they are read by programs, not opened in a
spreadsheet). Only text columns change: numbers and dates are written as numbers and dates.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

#: The characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"
#: The rule as it is written into release metadata.
RULE = (
    "text cells starting with = + - @ tab or carriage return are prefixed with an apostrophe "
    "(OWASP CSV injection); Parquet keeps the value"
)
_TRIGGER_RE = "^[=+\\-@\t\r]"


def neutralize(value: str | None) -> str | None:
    """One cell: an apostrophe before a formula trigger (``None`` passes through)."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return PREFIX + value
    return value


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def neutralize_array(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, int]:
    """A text column with its formula cells neutralized, and how many cells changed."""
    hit = pc.fill_null(pc.match_substring_regex(values, _TRIGGER_RE), False)
    n = int(pc.sum(hit).as_py() or 0)
    if not n:
        return values, 0
    prefixed = pc.binary_join_element_wise(pa.scalar(PREFIX, values.type), values, "")
    return pc.if_else(hit, prefixed, values), n


def neutralize_table(table: pa.Table) -> tuple[pa.Table, int]:
    """Every text column of ``table`` neutralized (dictionary-encoded text decoded first), and
    the number of cells changed."""
    total = 0
    for i, field in enumerate(table.schema):
        col = table.column(i)
        if pa.types.is_dictionary(field.type) and _is_text(field.type.value_type):
            col = col.cast(field.type.value_type)
        elif not _is_text(field.type):
            continue
        fixed, n = neutralize_array(col)
        if n:
            table = table.set_column(i, field.name, fixed)
            total += n
    return table, total
