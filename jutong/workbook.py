"""What an ``.xlsx`` workbook hides from a reader of cell values.

openpyxl's read-only mode (the one that streams large sheets) gives each cell's saved value:
a merged range has its value in the top-left cell only, and a formula cell whose result was
never saved (a workbook written by a program, not by Excel) reads as empty. Both would lose
data silently. ``structure_problems`` finds them by streaming the sheet's XML once;
``sheets_with_data`` lists the sheets that hold any value, so that a second sheet is not
ignored without a word.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Collection
from pathlib import Path
from xml.etree.ElementTree import iterparse

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def open_read_only(path: Path | str):
    """``openpyxl.load_workbook(path, read_only=True, data_only=True)``, without openpyxl's
    whole-sheet parse of each sheet that has no ``<dimension>`` element (3.1.5 looks for it
    with end events, and ``<sheetData>`` ends at the end of the sheet: a workbook written by
    a program, which often omits it, was parsed once more per sheet per load)."""
    from openpyxl import load_workbook

    _find_dimension_at_start()
    return load_workbook(path, read_only=True, data_only=True)


@functools.cache
def _find_dimension_at_start() -> None:
    """Replace ``ReadOnlyWorksheet._get_size`` by the same search on start events: the
    ``<dimension>`` element's bounds when it comes before ``<sheetData>``, else none (rows are
    then read to their end, as openpyxl does for a sheet without dimensions)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet.dimensions import SheetDimension

    def _get_size(self) -> None:
        src = self._get_source()
        try:
            for _, el in iterparse(src, events=("start",)):
                if el.tag == f"{MAIN_NS}dimension":
                    bounds = SheetDimension.from_tree(el).boundaries
                    if bounds is not None:
                        self._min_column, self._min_row, self._max_column, self._max_row = bounds
                    return
                if el.tag == f"{MAIN_NS}sheetData":
                    return
        finally:
            src.close()

    ReadOnlyWorksheet._get_size = _get_size


def sheets_with_data(wb, skip: Collection[str] = ()) -> list[str]:
    """Titles of the sheets of an open (read-only) workbook that hold at least one value
    (``skip``: sheets not to look at — the ones the caller reads anyway; each look streams the
    whole sheet)."""
    out = []
    for ws in wb.worksheets:
        if ws.title in skip:
            continue
        if any(v not in (None, "") for row in ws.iter_rows(values_only=True) for v in row):
            out.append(ws.title)
    return out


def structure_problems(path: Path | str, ws, limit: int = 10) -> tuple[list[str], int]:
    """Merged ranges and formula cells without a saved value in worksheet ``ws`` of an open
    read-only workbook: up to ``limit`` messages (sheet and cells named) and their total."""
    part = ws._worksheet_path  # openpyxl keeps the sheet's part name only here
    problems: list[str] = []
    total = 0

    def add(msg: str) -> None:
        nonlocal total
        total += 1
        if len(problems) < limit:
            problems.append(msg)

    with zipfile.ZipFile(path) as z:
        with z.open(part) as xml:
            if not _may_hold(xml, _STRUCTURE_TAGS):
                return problems, total  # no formula, no merged range: nothing to parse
        with z.open(part) as xml:
            _scan(xml, ws.title, add)
    return problems, total


# a formula element (<f>) or a merged range (<mergeCell>), with or without a namespace prefix
_STRUCTURE_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:f|mergeCell)[\s/>]")


def _may_hold(stream, pattern: re.Pattern, chunk: int = 1 << 20) -> bool:
    """Whether the raw bytes of ``stream`` match ``pattern`` (a tag of at most 64 bytes) —
    a byte search, much faster than parsing; a match is then confirmed by parsing."""
    tail = b""
    while block := stream.read(chunk):
        data = tail + block
        if pattern.search(data):
            return True
        tail = data[-64:]
    return False


def _scan(xml, title: str, add) -> None:
    """The parse itself: each formula cell without a saved value and each merged range."""
    for _, el in iterparse(xml, events=("end",)):
        if el.tag == f"{MAIN_NS}c":
            f = el.find(f"{MAIN_NS}f")
            v = el.find(f"{MAIN_NS}v")
            is_ = el.find(f"{MAIN_NS}is")
            if f is not None and (v is None or not (v.text or "")) and is_ is None:
                add(
                    f"sheet '{title}' cell {el.get('r')}: a formula without a saved value "
                    "(it would read as empty; save the workbook in Excel or paste values)"
                )
            el.clear()
        elif el.tag == f"{MAIN_NS}mergeCell":
            ref = el.get("ref", "")
            first = ref.split(":", 1)[0]
            add(
                f"sheet '{title}' cells {ref}: merged cells (only {first} holds the "
                "value; unmerge them and fill every cell)"
            )
        elif el.tag == f"{MAIN_NS}row":
            el.clear()
