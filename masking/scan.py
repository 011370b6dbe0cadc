"""``jutong pii scan``: which PII a file holds, per column and per type, before it is shared or
opened (GX-Reg art. 25; GX-Open art. 16, 19, 22; PIPL art. 73).

- ``scan_file(path, columns=None, sample=None) -> ScanReport``: a CSV (UTF-8, else GBK/GB 18030,
  detected), an Excel workbook (.xlsx, first sheet) or a text file (one value per line, column
  ``text``); every value is read as text (IDs keep their leading zeros).
- ``scan_values(values, column) -> ColumnScan``: one column. Each non-empty cell is analyzed
  with the column name as context (so a cell ``常青`` of a ``姓名`` column counts as a name,
  and the same cell under ``备注`` does not; a name the NER model tags, ``王小明``, counts in
  any column), at the default redaction threshold. The cells' name clauses are tagged in one
  batch first.

Per column and type: cells with at least one hit, hits, and up to 3 distinct masked examples
(``masking.formats``) — never the clear value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from masking.analyzer import analyze, free_text_analyzer, might_contain_pii
from masking.formats import mask_value
from masking.recognizers import ENTITIES, RECOGNIZER_CLASSES
from masking.recognizers._common import context_names

MAX_EXAMPLES = 3


class ScanError(Exception):
    """The input cannot be scanned (unreadable, unknown column); the message names the file."""


@dataclass
class EntityCount:
    cells: int = 0  # cells with at least one hit of this type
    hits: int = 0
    examples: list[str] = field(default_factory=list)  # masked, distinct, at most 3

    def to_dict(self) -> dict:
        return {"cells": self.cells, "hits": self.hits, "examples": list(self.examples)}


@dataclass
class ColumnScan:
    column: str
    cells: int = 0  # non-empty cells scanned
    entities: dict[str, EntityCount] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return any(c.hits for c in self.entities.values())

    def found_entities(self) -> list[tuple[str, EntityCount]]:
        """``(entity, counts)`` with hits, in ``ENTITIES`` order."""
        order = {e: i for i, e in enumerate(ENTITIES)}
        return [
            (e, self.entities[e])
            for e in sorted(self.entities, key=lambda e: order.get(e, 99))
            if self.entities[e].hits
        ]

    def to_dict(self) -> dict:
        return {
            "column": self.column,
            "cells": self.cells,
            "entities": {e: n.to_dict() for e, n in self.found_entities()},
        }


@dataclass
class ScanReport:
    path: str
    format: str
    encoding: str | None
    rows: int  # rows read (after sampling)
    total_rows: int
    columns: list[ColumnScan]

    @property
    def found(self) -> bool:
        return any(c.found for c in self.columns)

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.columns:
            for e, n in c.entities.items():
                out[e] = out.get(e, 0) + n.hits
        return out

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "total_rows": self.total_rows,
            "pii_found": self.found,
            "totals": self.totals(),
            "columns": [c.to_dict() for c in self.columns],
        }

    def render(self) -> str:
        """The report as text: one line per column and type with hits."""
        from jutong.textable import render

        head = (
            f"{self.path} ({self.format}"
            + (f", {self.encoding}" if self.encoding else "")
            + f"): {self.rows} rows scanned"
            + (f" of {self.total_rows}" if self.rows != self.total_rows else "")
        )
        rows = [
            [c.column, e, n.cells, n.hits, "  ".join(n.examples)]
            for c in self.columns
            for e, n in c.found_entities()
        ]
        if not rows:
            return head + "\nno PII found (未发现个人信息)"
        headers = ["column 列", "type 类型", "cells 单元格", "hits 命中", "examples 示例"]
        return head + "\n" + render(headers, rows, right=(2, 3))


def _column_context(column: str) -> list[str]:
    return [column] if column else []


def _column_boosts(column: str) -> bool:
    """Whether the column name is a context word of some recognizer (then every cell is
    analyzed: a bare name or address has no trigger of its own)."""
    return any(context_names([column], _context_of(cls)) for cls in RECOGNIZER_CLASSES)


def _context_of(cls) -> list[str]:
    module = __import__(cls.__module__, fromlist=["CONTEXT"])
    return list(getattr(module, "CONTEXT", []))


def scan_values(values: Iterable[object], column: str) -> ColumnScan:
    """PII in the values of one column (``None`` and blank cells are skipped)."""
    result = ColumnScan(column=column)
    context = _column_context(column)
    every_cell = _column_boosts(column)
    texts = [v if isinstance(v, str) else str(v) for v in values if v is not None]
    texts = [t for t in texts if t.strip()]
    result.cells = len(texts)
    if not every_cell:
        texts = [t for t in texts if might_contain_pii(t)]
    free_text_analyzer().prepare(texts)
    for text in texts:
        seen: set[str] = set()
        for r in analyze(text, context=context):
            count = result.entities.setdefault(r.entity_type, EntityCount())
            count.hits += 1
            if r.entity_type not in seen:
                seen.add(r.entity_type)
                count.cells += 1
            if len(count.examples) < MAX_EXAMPLES:
                masked = mask_value(r.entity_type, text[r.start : r.end])
                if masked not in count.examples:
                    count.examples.append(masked)
    return result


# ---- reading ----------------------------------------------------------------------------


def read_table(path: Path) -> tuple[str, str | None, list[str], list[list[str | None]]]:
    """``(format, encoding, header, rows)`` of a CSV, xlsx or text file, every value as text
    (CSV and xlsx through ``jutong.tabular``)."""
    from jutong.tabular import TabularError, detect_encoding, format_of
    from jutong.tabular import read_table as read_tabular

    path = Path(path)
    if not path.is_file():
        raise ScanError(f"cannot read {path}: no such file")
    suffix = path.suffix.lower()
    fmt = format_of(path) if suffix != ".txt" else None
    try:
        if fmt == "parquet":
            raise ScanError(f"cannot read {path}: unsupported format {suffix} (CSV, xlsx or text)")
        if fmt is not None:
            t = read_tabular(path)
            columns = [c.to_pylist() for c in t.table.columns]
            return (
                t.format,
                t.encoding,
                t.table.column_names,
                [list(r) for r in zip(*columns, strict=True)],
            )
        if suffix in (".xls", ".zip", ".pdf"):
            raise ScanError(f"cannot read {path}: unsupported format {suffix} (CSV, xlsx or text)")
        data = path.read_bytes()
        enc = detect_encoding(data, path)
        text = data.decode("utf-8-sig" if enc == "utf-8" else enc)
        if "\x00" in text:
            raise ScanError(f"cannot read {path}: binary file, not text, CSV or xlsx")
        return "text", enc, ["text"], [[line] for line in text.splitlines()]
    except TabularError as exc:
        raise ScanError(f"cannot read {exc}") from None
    except (OSError, ValueError, KeyError) as exc:  # a library failing inside a damaged file
        raise ScanError(f"cannot read {path}: {type(exc).__name__}") from None


def scan_file(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    sample: int | None = None,
) -> ScanReport:
    """PII per column and type in a CSV, xlsx or text file (``sample``: the first N rows)."""
    path = Path(path)
    fmt, enc, header, rows = read_table(path)
    total = len(rows)
    if sample is not None:
        if sample < 1:
            raise ScanError(f"--sample must be at least 1, got {sample}")
        rows = rows[:sample]
    names = [h or f"column_{i + 1}" for i, h in enumerate(header)]
    wanted = list(range(len(names)))
    if columns:
        missing = [c for c in columns if c not in names]
        if missing:
            raise ScanError(f"{path}: no column {', '.join(missing)} (columns: {', '.join(names)})")
        wanted = [names.index(c) for c in columns]
    scans = [
        scan_values((row[i] if i < len(row) else None for row in rows), names[i]) for i in wanted
    ]
    return ScanReport(
        path=str(path), format=fmt, encoding=enc, rows=len(rows), total_rows=total, columns=scans
    )
