"""What an ``.xlsx`` workbook hides from a reader of cell values.

openpyxl's read-only mode (the one that streams large sheets) gives each cell's saved value:
a merged range has its value in the top-left cell only, and a formula cell whose result was
never saved (a workbook written by a program, not by Excel) reads as empty. Both would lose
data silently. ``structure_problems`` finds them by streaming the sheet's XML once;
``sheets_with_data`` lists the sheets that hold any value, so that a second sheet is not
ignored without a word.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree.ElementTree import iterparse

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def sheets_with_data(wb) -> list[str]:
    """Titles of the sheets of an open (read-only) workbook that hold at least one value."""
    out = []
    for ws in wb.worksheets:
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

    with zipfile.ZipFile(path) as z, z.open(part) as xml:
        for _, el in iterparse(xml, events=("end",)):
            if el.tag == f"{MAIN_NS}c":
                f = el.find(f"{MAIN_NS}f")
                v = el.find(f"{MAIN_NS}v")
                is_ = el.find(f"{MAIN_NS}is")
                if f is not None and (v is None or not (v.text or "")) and is_ is None:
                    add(
                        f"sheet '{ws.title}' cell {el.get('r')}: a formula without a saved value "
                        "(it would read as empty; save the workbook in Excel or paste values)"
                    )
                el.clear()
            elif el.tag == f"{MAIN_NS}mergeCell":
                ref = el.get("ref", "")
                first = ref.split(":", 1)[0]
                add(
                    f"sheet '{ws.title}' cells {ref}: merged cells (only {first} holds the "
                    "value; unmerge them and fill every cell)"
                )
            elif el.tag == f"{MAIN_NS}row":
                el.clear()
    return problems, total
