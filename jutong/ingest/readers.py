"""Read department extracts against their catalog contract.

Each reader yields ``(row_number, values)`` where ``values`` lists the raw text of every catalog
item in catalog order (``None`` for an absent value). Values are kept as delivered: no
trimming, no re-formatting beyond turning typed cells (Excel, JSON) into text.

Contract (docs/architecture.md, "fail loudly"): the extract must be decodable in its declared encoding,
carry every catalog column and no other, have rows of the header's width, parse where the
item's type is fixed (``check_type``), and hold at least one data row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jutong.catalog.model import CatalogEntry, DataItem, ExtractFormat, ItemType

MAX_LISTED_PROBLEMS = 10


class ContractError(ValueError):
    """The extract breaks its catalog contract; the message names the file and the problem."""

    def __init__(self, path: Path | str, problems: list[str], total: int | None = None):
        self.path = str(path)
        self.problems = problems
        self.total = total if total is not None else len(problems)
        more = self.total - len(problems)
        lines = "; ".join(problems)
        if more > 0:
            lines += f"; … and {more} more"
        super().__init__(f"{self.path}: {lines}")

    @property
    def reason(self) -> str:
        return self.problems[0] if self.problems else "contract broken"


@dataclass
class FileFacts:
    sha256: str
    size_bytes: int


_TYPE_PATTERNS = {
    ItemType.integer: re.compile(r"^\s*[+-]?\d+\s*$"),
    ItemType.decimal: re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"),
    ItemType.boolean: re.compile(r"^\s*(true|false|1|0|是|否|y|n|yes|no)\s*$", re.I),
}


def hash_and_check_encoding(path: Path, encoding: str | None, chunk: int = 1 << 20) -> FileFacts:
    """SHA-256 and size in one streaming pass; with ``encoding``, also a strict decode check.

    An undecodable byte raises ContractError naming its line and byte offset.
    """
    h = hashlib.sha256()
    size = 0
    decoder = codecs.getincrementaldecoder(encoding)("strict") if encoding else None
    lines_before = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(chunk)
            if not block:
                break
            h.update(block)
            if decoder is not None:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    # exc.start is relative to the decoder's pending bytes + this block
                    pending = len(exc.object) - len(block)
                    pos_in_block = max(0, exc.start - pending)
                    line = lines_before + block.count(b"\n", 0, pos_in_block) + 1
                    bad = block[pos_in_block : pos_in_block + 4].hex(" ")
                    raise ContractError(
                        path,
                        [
                            f"line {line} (byte {size + pos_in_block}): bytes {bad} are not "
                            f"valid {encoding} ({exc.reason})"
                        ],
                    ) from None
                lines_before += block.count(b"\n")
            size += len(block)
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise ContractError(
                path, [f"end of file: truncated {encoding} character ({exc.reason})"]
            ) from None
    return FileFacts(h.hexdigest(), size)


@dataclass
class _Checker:
    """Collects problems up to a limit, counts the rest."""

    path: Path
    problems: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, msg: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(msg)

    def raise_if_any(self) -> None:
        if self.total:
            raise ContractError(self.path, self.problems, self.total)


def _check_header(entry: CatalogEntry, header: list[str], path: Path, where: str) -> list[int]:
    """Map catalog items to header positions; refuse missing, unknown or repeated columns."""
    expected = [it.column for it in entry.items]
    problems = []
    seen = set()
    dups = sorted({h for h in header if h in seen or seen.add(h)})
    if dups:
        problems.append(f"{where}: repeated column(s) {', '.join(map(repr, dups))}")
    missing = [c for c in expected if c not in header]
    unknown = [h for h in header if h not in expected]
    if missing:
        problems.append(f"{where}: missing column(s) {', '.join(map(repr, missing))}")
    if unknown:
        problems.append(
            f"{where}: unknown column(s) {', '.join(map(repr, unknown))} "
            f"(not in catalog entry {entry.id})"
        )
    if problems:
        raise ContractError(path, problems)
    return [header.index(c) for c in expected]


def _check_types(
    items: list[DataItem], values: list[str | None], where: str, checker: _Checker
) -> None:
    for it, v in zip(items, values, strict=True):
        if it.check_type and v and v.strip() and not _TYPE_PATTERNS[it.type].match(v):
            checker.add(f"{where}, column '{it.column}': {v!r} is not a valid {it.type.value}")


def read_csv(entry: CatalogEntry, path: Path) -> Iterator[tuple[int, list[str | None]]]:
    enc = entry.extract.encoding
    if enc == "utf-8":
        enc = "utf-8-sig"  # tolerate a byte-order mark
    checker = _Checker(path)
    with open(path, encoding=enc, newline="") as f:
        reader = csv.reader(f, delimiter=entry.extract.delimiter, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise ContractError(path, ["empty file: no header row"]) from None
        except csv.Error as exc:
            raise ContractError(path, [f"line 1: unreadable header ({exc})"]) from None
        header = [h.strip() for h in header]
        positions = _check_header(entry, header, path, "header")
        width = len(header)
        row_number = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                checker.add(f"line {reader.line_num}: malformed CSV ({exc})")
                checker.raise_if_any()
            if not row or (len(row) == 1 and row[0] == ""):
                continue  # blank line: carries no data
            row_number += 1
            where = f"row {row_number} (line {reader.line_num})"
            if len(row) != width:
                checker.add(f"{where}: {len(row)} fields, the header has {width}")
                continue
            values = [row[i] for i in positions]
            _check_types(entry.items, values, where, checker)
            if not checker.total:
                yield row_number, values
    checker.raise_if_any()


def _cell_text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_xlsx(entry: CatalogEntry, path: Path) -> Iterator[tuple[int, list[str | None]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ContractError(path, [f"not a readable .xlsx workbook ({exc})"]) from None
    try:
        sheet_name = entry.extract.sheet
        if sheet_name is not None and sheet_name not in wb.sheetnames:
            raise ContractError(
                path, [f"no sheet '{sheet_name}' (sheets: {', '.join(wb.sheetnames)})"]
            )
        ws = wb[sheet_name] if sheet_name else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        try:
            header_cells = next(rows)
        except StopIteration:
            raise ContractError(path, [f"sheet '{ws.title}' is empty: no header row"]) from None
        header = [(_cell_text(c) or "").strip() for c in header_cells]
        while header and header[-1] == "":
            header.pop()
        positions = _check_header(entry, header, path, f"sheet '{ws.title}' header")
        width = len(header)
        checker = _Checker(path)
        row_number = 0
        for excel_row, cells in enumerate(rows, start=2):
            texts = [_cell_text(c) for c in cells]
            extra = [t for t in texts[width:] if t not in (None, "")]
            if all(t in (None, "") for t in texts):
                continue
            row_number += 1
            where = f"row {row_number} (sheet row {excel_row})"
            if extra:
                checker.add(f"{where}: values beyond the last header column")
                continue
            texts += [None] * (width - len(texts))
            values = [texts[i] for i in positions]
            _check_types(entry.items, values, where, checker)
            if not checker.total:
                yield row_number, values
        checker.raise_if_any()
    finally:
        wb.close()


def read_jsonl(entry: CatalogEntry, path: Path) -> Iterator[tuple[int, list[str | None]]]:
    columns = [it.column for it in entry.items]
    known = set(columns)
    seen_columns: set[str] = set()
    checker = _Checker(path)
    row_number = 0
    with open(path, encoding=entry.extract.encoding) as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            row_number += 1
            where = f"row {row_number} (line {line_no})"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                checker.add(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(obj, dict):
                checker.add(f"{where}: expected a JSON object, got {type(obj).__name__}")
                continue
            unknown = [k for k in obj if k not in known]
            if unknown:
                checker.add(
                    f"{where}: unknown key(s) {', '.join(map(repr, unknown))} "
                    f"(not in catalog entry {entry.id})"
                )
                continue
            seen_columns.update(obj)
            values: list[str | None] = []
            for it, col in zip(entry.items, columns, strict=True):
                v = obj.get(col)
                if isinstance(v, (dict, list)):
                    checker.add(
                        f"{where}, key '{col}': a {type(v).__name__} where {it.type.value} is expected"
                    )
                    values.append(None)
                elif v is None or isinstance(v, str):
                    values.append(v)
                elif isinstance(v, bool):
                    values.append("true" if v else "false")
                else:
                    values.append(json.dumps(v))
            _check_types(entry.items, values, where, checker)
            if not checker.total:
                yield row_number, values
    checker.raise_if_any()
    never = [c for c in columns if c not in seen_columns]
    if row_number and never:
        raise ContractError(path, [f"missing key(s) {', '.join(map(repr, never))} in every record"])


READERS = {
    ExtractFormat.csv: read_csv,
    ExtractFormat.xlsx: read_xlsx,
    ExtractFormat.jsonl: read_jsonl,
}


def read_extract(entry: CatalogEntry, path: Path) -> Iterator[tuple[int, list[str | None]]]:
    """Rows of an extract as raw text, in catalog item order, checked against the contract."""
    return READERS[entry.extract.format](entry, path)


def text_encoding(entry: CatalogEntry) -> str | None:
    """The encoding to check byte-by-byte, or None for binary formats (xlsx)."""
    return None if entry.extract.format is ExtractFormat.xlsx else entry.extract.encoding
