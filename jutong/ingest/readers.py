"""Read department extracts against their catalog contract.

Each reader yields ``(row_number, values)`` where ``values`` lists the raw text of every catalog
item in catalog order (``None`` for an absent value). Values are kept as delivered: no
trimming, no re-formatting beyond turning typed cells (Excel, JSON) into text.

Contract (docs/architecture.md, "fail loudly"): the extract must be decodable in its declared
encoding, carry every catalog column and no other, have rows of the header's width, parse
where the item's type is fixed (``check_type``), and hold at least one data row. CSV and xlsx
files are read by the platform's one tabular reader (``jutong.tabular``); this module adds the
catalog contract. Messages never repeat a value unmasked (``jutong.ingest.redact``).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jutong.catalog.model import CatalogEntry, DataItem, ExtractFormat, ItemType
from jutong.ingest.redact import mask_value
from jutong.ingest.textcheck import (
    CONTROL,
    control_problem,
    is_legacy_cjk,
    rare_char,
    utf8_in_legacy,
)
from jutong.tabular import Problems, TabularError, csv_rows, shown_names, xlsx_rows
from jutong.workbook import open_read_only, sheets_with_data


class ContractError(TabularError):
    """The extract breaks its catalog contract; the message names the file and the problem."""

    @property
    def reason(self) -> str:
        return self.problems[0] if self.problems else "contract broken"


#: ``(row_number, values, part)``: see ``read_extract``
Record = tuple[int, list[str | None], str | None]


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
                    bad = exc.object[exc.start : max(exc.end, exc.start + 1)].hex(" ")
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


def _checker(path: Path) -> Problems:
    return Problems(path, error=ContractError)


def _contract(entry: CatalogEntry) -> dict:
    return {"expected": [it.column for it in entry.items], "owner": f"catalog entry {entry.id}"}


def _positions(entry: CatalogEntry, header: list[str]) -> list[int]:
    return [header.index(it.column) for it in entry.items]


def _check_types(
    items: list[DataItem], values: list[str | None], where: str, checker: Problems
) -> None:
    for it, v in zip(items, values, strict=True):
        if it.check_type and v and v.strip() and not _TYPE_PATTERNS[it.type].match(v):
            shown = mask_value(v, it.pii)
            checker.add(f"{where}, column '{it.column}': {shown!r} is not a valid {it.type.value}")


def _check_text(
    items: list[DataItem],
    values: list[str | None],
    where: str,
    checker: Problems,
    legacy: str | None = None,
) -> None:
    """Control characters in any value; with ``legacy`` (a GBK-family encoding), values whose
    bytes are UTF-8 (``jutong.ingest.textcheck``). The whole row is searched first (one regex
    call each); values are looked at one by one only in a row that has a hit."""
    row = "\t".join(v for v in values if v)
    if CONTROL.search(row):
        for it, v in zip(items, values, strict=True):
            if v and (problem := control_problem(v)):
                checker.add(f"{where}, column '{it.column}': {problem}")
    if legacy and not row.isascii() and rare_char().search(row):
        for it, v in zip(items, values, strict=True):
            if v and utf8_in_legacy(v, legacy):
                checker.add(
                    f"{where}, column '{it.column}': the bytes are UTF-8, not {legacy} "
                    "(read as " + legacy + " they would be mojibake)"
                )


def read_csv(entry: CatalogEntry, path: Path) -> Iterator[Record]:
    checker = _checker(path)
    sheet = csv_rows(
        path,
        entry.extract.encoding,
        entry.extract.delimiter,
        problems=checker,
        field_size_limit=entry.extract.field_size_limit,
        **_contract(entry),
    )
    positions = _positions(entry, sheet.header)
    legacy = entry.extract.encoding if is_legacy_cjk(entry.extract.encoding) else None
    for row in sheet.rows:
        values = [row.values[i] for i in positions]
        _check_text(entry.items, values, row.where, checker, legacy)
        _check_types(entry.items, values, row.where, checker)
        if not checker.total:
            yield row.number, values, None
    checker.raise_if_any()


def _sheets(entry: CatalogEntry, path: Path) -> list[str]:
    """The sheets to read: the catalog's ``sheet`` (default: the first) and its ``sheets``.
    Another sheet holding data is refused: its rows would be ignored without a word."""
    import zipfile

    try:
        wb = open_read_only(path)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return [entry.extract.sheet] if entry.extract.sheet else [None]  # xlsx_rows says why
    try:
        first = entry.extract.sheet or wb.sheetnames[0]
        listed = [first, *entry.extract.sheets]
        others = sheets_with_data(wb, skip=listed)
    finally:
        wb.close()
    if others:
        raise ContractError(
            path,
            [
                f"sheet(s) {', '.join(map(repr, others))} hold data, but catalog entry "
                f"{entry.id} reads only {', '.join(map(repr, listed))} (list them in "
                "extract.sheets to ingest them too)"
            ],
        )
    return listed


def read_xlsx(entry: CatalogEntry, path: Path) -> Iterator[Record]:
    checker = _checker(path)
    titles = _sheets(entry, path)
    dates = [it.column for it in entry.items if it.type in (ItemType.date, ItemType.datetime)]
    texts = [it.column for it in entry.items if it.type in (ItemType.string, ItemType.geometry_wkt)]
    number = 0
    for title in titles:
        sheet = xlsx_rows(
            path,
            title,
            problems=checker,
            strict=True,
            date_columns=dates,
            text_columns=texts,
            **_contract(entry),
        )
        positions = _positions(entry, sheet.header)
        part = sheet.title if len(titles) > 1 else None
        for row in sheet.rows:
            number += 1
            values = [row.values[i] for i in positions]
            where = f"sheet '{sheet.title}' {row.where}" if part else row.where
            _check_text(entry.items, values, where, checker)
            _check_types(entry.items, values, where, checker)
            if not checker.total:
                yield number, values, part
    checker.raise_if_any()


class _DuplicateKeys(ValueError):
    def __init__(self, keys: list[str]):
        super().__init__("duplicate keys")
        self.keys = keys


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    """``object_pairs_hook``: a JSON object naming a key twice is refused (the last value
    would otherwise win silently)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        raise _DuplicateKeys(sorted({k for k, _ in pairs if k in seen or seen.add(k)}))
    return obj


def read_jsonl(entry: CatalogEntry, path: Path) -> Iterator[Record]:
    columns = [it.column for it in entry.items]
    known = set(columns)
    seen_columns: set[str] = set()
    checker = _checker(path)
    row_number = 0
    with open(path, encoding=entry.extract.encoding) as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            row_number += 1
            where = f"row {row_number} (line {line_no})"
            try:
                obj = json.loads(line, object_pairs_hook=_no_duplicate_keys)
            except json.JSONDecodeError as exc:
                checker.add(f"{where}: not valid JSON ({exc.msg}, column {exc.colno})")
                continue
            except _DuplicateKeys as exc:
                checker.add(f"{where}: key(s) {shown_names(exc.keys)} given twice in one object")
                continue
            if not isinstance(obj, dict):
                checker.add(f"{where}: expected a JSON object, got {type(obj).__name__}")
                continue
            unknown = [k for k in obj if k not in known]
            if unknown:
                checker.add(
                    f"{where}: unknown key(s) {shown_names(unknown)} "
                    f"(not in catalog entry {entry.id})"
                )
                continue
            seen_columns.update(obj)
            values: list[str | None] = [obj.get(col) for col in columns]
            if not set(map(type, values)) <= _PLAIN_JSON:
                values = _json_values(entry, columns, obj, where, checker)
            _check_text(entry.items, values, where, checker)
            _check_types(entry.items, values, where, checker)
            if not checker.total:
                yield row_number, values, None
    checker.raise_if_any()
    never = [c for c in columns if c not in seen_columns]
    if row_number and never:
        raise ContractError(path, [f"missing key(s) {', '.join(map(repr, never))} in every record"])


_PLAIN_JSON = {str, type(None)}  # values kept as they are (the common case: one set test)


def _json_values(
    entry: CatalogEntry, columns: list[str], obj: dict, where: str, checker: Problems
) -> list[str | None]:
    """A record's values as text: numbers as JSON writes them, booleans ``true``/``false``;
    an object or a list is refused."""
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
    return values


READERS = {
    ExtractFormat.csv: read_csv,
    ExtractFormat.xlsx: read_xlsx,
    ExtractFormat.jsonl: read_jsonl,
}


def read_extract(entry: CatalogEntry, path: Path) -> Iterator[Record]:
    """Rows of an extract as raw text, in catalog item order, checked against the contract:
    ``(row_number, values, part)`` — ``part`` the sheet of a workbook read in several sheets,
    else None."""
    return READERS[entry.extract.format](entry, path)


def text_encoding(entry: CatalogEntry) -> str | None:
    """The encoding to check byte-by-byte, or None for binary formats (xlsx)."""
    return None if entry.extract.format is ExtractFormat.xlsx else entry.extract.encoding
