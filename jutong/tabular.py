"""One reader of tabular files: CSV (UTF-8 with or without a byte-order mark, GBK/GB 18030,
any one-character delimiter), Excel ``.xlsx`` and Parquet.

Used by ingestion (``jutong.ingest.readers``, which adds the catalog contract on top),
``jutong ids check``, ``jutong mask`` and ``jutong scan``. Bad input fails loudly: undecodable
bytes (line and byte offset), malformed CSV such as an unterminated quote (line), an empty
file, repeated header names, rows wider or narrower than the header (row and line), a missing
sheet, a file that is not a workbook or not Parquet. Every message names the file and, where
there is one, the row, line or column — and never repeats a cell's content: extracts hold
resident IDs and names, and error messages end up in logs and quarantine reasons.

Rows are numbered from 1 for the first data row; ``line`` is the physical line of a CSV (where
the row ends) or the sheet row of a workbook. Blank lines and empty sheet rows carry no data
and are skipped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

MAX_LISTED_PROBLEMS = 10
#: the largest CSV field, in characters, unless the caller gives another (catalog extracts:
#: ``extract.field_size_limit``); the csv module's own default (131,072) is never the limit
FIELD_SIZE_LIMIT = 16 * 1024 * 1024
#: ``auto``: strict UTF-8 (a byte-order mark is allowed), else GB 18030 (a superset of GBK).
AUTO_ENCODINGS = ("utf-8", "gb18030")
FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}


class TabularError(ValueError):
    """A file that cannot be read as a table; the message names the file and each problem."""

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
        return self.problems[0] if self.problems else "unreadable"


@dataclass
class Problems:
    """Collects problems up to a limit, counts the rest, raises them together."""

    path: Path | str
    error: type[TabularError] = TabularError
    problems: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, msg: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(msg)

    def raise_if_any(self) -> None:
        if self.total:
            raise self.error(self.path, self.problems, self.total)


def _first_line(exc: BaseException) -> str:
    """A library's message about a file's structure (not about cell contents), first line."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ---- encodings ---------------------------------------------------------------------------------


def codec(encoding: str) -> str:
    """The Python codec to read a declared encoding with (UTF-8 tolerates a byte-order mark)."""
    name = codecs.lookup(encoding).name
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else name


def decode_problem(data: bytes, encoding: str) -> str:
    """The message for the first bytes of ``data`` that are not valid ``encoding`` ('' if
    none): line, byte offset and the invalid bytes only (never the text around them)."""
    try:
        data.decode(codec(encoding), "strict")
    except UnicodeDecodeError as exc:
        start = exc.start + len(data) - len(exc.object)  # utf-8-sig decodes after the BOM
        line = data.count(b"\n", 0, start) + 1
        bad = exc.object[exc.start : max(exc.end, exc.start + 1)].hex(" ")  # the invalid only
        return f"line {line} (byte {start}): bytes {bad} are not valid {encoding} ({exc.reason})"
    return ""


def detect_encoding(data: bytes, path: Path | str, encoding: str = "auto") -> str:
    """The encoding ``data`` decodes with: the given one, or for ``auto`` UTF-8, else GB 18030."""
    tries = AUTO_ENCODINGS if encoding == "auto" else (encoding,)
    problem = ""
    for enc in tries:
        problem = decode_problem(data, enc)
        if not problem:
            return codecs.lookup(enc).name.replace("utf-8-sig", "utf-8")
    if len(tries) > 1:
        problem = f"neither {' nor '.join(tries)} text: {problem}"
    raise TabularError(path, [problem])


def sniff_delimiter(header_line: str) -> str:
    """``,`` unless the header line has none and has tabs, semicolons or bars instead."""
    if "," in header_line:
        return ","
    counts = {d: header_line.count(d) for d in ("\t", ";", "|")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


# ---- headers -----------------------------------------------------------------------------------


def looks_like_data(name: str) -> bool:
    """Whether a header cell looks like a value rather than a column name (a run of five or
    more digits, ``=``, ``@``, or a long text): such a cell is never repeated in a message."""
    digits = 0
    for ch in name:
        digits = digits + 1 if ch.isdigit() else 0
        if digits >= 5:
            return True
    return "=" in name or "@" in name or len(name) > 30


def shown_names(names: list[str]) -> str:
    """Column names for a message; those that look like data are counted, not shown."""
    shown = [n for n in names if not looks_like_data(n)]
    hidden = len(names) - len(shown)
    text = ", ".join(map(repr, shown))
    if hidden:
        text += (", and " if shown else "") + f"{hidden} not shown (they look like data)"
    return text


def check_header(
    header: list[str],
    path: Path | str,
    where: str = "header",
    *,
    expected: list[str] | None = None,
    owner: str = "",
    error: type[TabularError] = TabularError,
) -> None:
    """Refuse repeated column names and, with ``expected``, missing or unknown ones.

    A header that lacks most expected columns is taken for a first row of data (a file without
    its header row): its cells are not repeated, since they would be a person's ID and name."""
    problems = []
    if expected is not None:
        missing = [c for c in expected if c not in header]
        unknown = [h for h in header if h not in expected]
        if unknown and len(missing) * 2 > len(expected):
            raise error(
                path,
                [
                    f"{where}: {len(missing)} of the {len(expected)} expected columns are missing "
                    f"({', '.join(map(repr, missing))}) — is the header row missing? The first "
                    f"row's {len(header)} cells are not shown (they may be personal data)"
                ],
            )
    seen: set[str] = set()
    dups = sorted({h for h in header if h and (h in seen or seen.add(h))})
    if dups:
        problems.append(f"{where}: repeated column(s) {shown_names(dups)}")
    if expected is not None:
        if missing:
            problems.append(f"{where}: missing column(s) {', '.join(map(repr, missing))}")
        if unknown:
            problems.append(
                f"{where}: unknown column(s) {shown_names(unknown)}"
                + (f" (not in {owner})" if owner else "")
            )
    if problems:
        raise error(path, problems)


# ---- rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    number: int  # 1 = the first data row
    line: int  # CSV: physical line where the row ends; xlsx: sheet row
    values: list[str | None]
    line_kind: str = "line"  # line | sheet row

    @property
    def where(self) -> str:
        """``row 3 (line 4)`` / ``row 3 (sheet row 4)``: for messages."""
        return f"row {self.number} ({self.line_kind} {self.line})"


@dataclass
class Sheet:
    """A header and its rows (an iterator: read once)."""

    header: list[str]
    rows: Iterator[Row]
    encoding: str | None = None
    title: str | None = None  # xlsx sheet


def csv_rows(
    path: Path,
    encoding: str,
    delimiter: str | None = None,
    *,
    problems: Problems | None = None,
    header_where: str = "header",
    expected: list[str] | None = None,
    owner: str = "",
    field_size_limit: int = FIELD_SIZE_LIMIT,
) -> Sheet:
    """Header and rows of a CSV file in ``encoding``; ``delimiter`` None: sniffed.

    A malformed row (an unterminated quote at the end of the file, a stray quote) stops the
    reading with its line; a row of another width than the header, or with a field longer
    than ``field_size_limit`` characters, is reported (the reading goes on so that up to
    ``MAX_LISTED_PROBLEMS`` are listed) and not yielded."""
    problems = problems or Problems(path)
    error = problems.error
    # the csv module's limit is process-wide: raise it (never lower it, another reading may
    # need more) and check this file's own limit on each row
    if csv.field_size_limit() < field_size_limit:
        csv.field_size_limit(field_size_limit)
    f = open(path, encoding=codec(encoding), newline="")  # noqa: SIM115 - closed by the iterator
    try:
        first = f.readline()
        if delimiter is None:
            delimiter = sniff_delimiter(first)
        f.seek(0)
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise error(path, ["empty file: no header row"]) from None
        except csv.Error as exc:
            raise error(path, [f"line 1: unreadable header ({exc})"]) from None
        header = [h.strip() for h in header]
        check_header(header, path, header_where, expected=expected, owner=owner, error=error)
    except BaseException:
        f.close()
        raise

    def rows() -> Iterator[Row]:
        width = len(header)
        number = 0
        with f:
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    if "field larger than field limit" in str(exc):
                        problems.add(
                            f"line {reader.line_num}: a field of more than "
                            f"{field_size_limit:,} characters (the limit)"
                        )
                    else:
                        problems.add(f"line {reader.line_num}: malformed CSV ({exc})")
                    problems.raise_if_any()
                if not row or (len(row) == 1 and row[0] == ""):
                    continue  # blank line: carries no data
                number += 1
                r = Row(number, reader.line_num, row)
                if len(row) != width:
                    problems.add(f"{r.where}: {len(row)} fields, the header has {width}")
                    continue
                if max(map(len, row)) > field_size_limit:
                    i = next(i for i, v in enumerate(row) if len(v) > field_size_limit)
                    problems.add(
                        f"{r.where}, column '{header[i]}': {len(row[i]):,} characters, more "
                        f"than the limit of {field_size_limit:,}"
                    )
                    continue
                yield r

    return Sheet(header, rows(), encoding)


def cell_text(v: object) -> str | None:
    """A workbook or Parquet cell as text: dates ISO, whole floats without ``.0``, booleans
    ``true``/``false``."""
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


def xlsx_rows(
    path: Path,
    sheet: str | None = None,
    *,
    problems: Problems | None = None,
    expected: list[str] | None = None,
    owner: str = "",
    strict: bool = False,
    date_columns: Collection[str] = (),
    text_columns: Collection[str] = (),
) -> Sheet:
    """Header and rows (cells as text) of a sheet of a workbook (default: the first).

    Empty trailing header cells are dropped; a value to the right of the last header column is
    reported with its row. ``strict`` (ingestion): merged cells and formulas without a saved
    value are refused (``jutong.workbook``), a number in one of ``text_columns`` is refused
    with its cell (an identifier stored as a number has lost its digits beyond the 15th), and
    a number in one of ``date_columns`` is an Excel date serial, read as a date."""
    import zipfile

    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import from_excel

    from jutong.workbook import open_read_only, structure_problems

    problems = problems or Problems(path)
    error = problems.error
    try:
        wb = open_read_only(path)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise error(path, [f"not a readable .xlsx workbook ({_first_line(exc)})"]) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise error(path, [f"no sheet '{sheet}' (sheets: {', '.join(wb.sheetnames)})"])
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        cells = ws.iter_rows(values_only=True)
        try:
            header_cells = next(cells)
        except StopIteration:
            raise error(path, [f"sheet '{ws.title}' is empty: no header row"]) from None
        header = [(cell_text(c) or "").strip() for c in header_cells]
        while header and header[-1] == "":
            header.pop()
        check_header(
            header,
            path,
            f"sheet '{ws.title}' header",
            expected=expected,
            owner=owner,
            error=error,
        )
        if strict:
            found, total = structure_problems(path, ws, MAX_LISTED_PROBLEMS)
            if total:
                raise error(path, found, total)
    except BaseException:
        wb.close()
        raise
    dates = [i for i, h in enumerate(header) if h in date_columns]
    texts_only = [i for i, h in enumerate(header) if h in text_columns]

    def typed(values: tuple, sheet_row: int) -> list[object] | None:
        """Date serials as dates; None when a number sits in a text column (reported)."""
        values = list(values)
        for i in dates:
            v = values[i] if i < len(values) else None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                values[i] = from_excel(v, wb.epoch)
        bad = [
            i
            for i in texts_only
            if i < len(values)
            and isinstance(values[i], (int, float))
            and not isinstance(values[i], bool)
        ]
        for i in bad:
            problems.add(
                f"sheet '{ws.title}' cell {get_column_letter(i + 1)}{sheet_row} (column "
                f"'{header[i]}'): a number where text is expected (an identifier stored as a "
                "number has lost its digits beyond the 15th; format the column as text)"
            )
        return None if bad else values

    def rows() -> Iterator[Row]:
        width = len(header)
        number = 0
        try:
            for sheet_row, values in enumerate(cells, start=2):
                if strict:
                    values = typed(values, sheet_row)
                    if values is None:  # a number in a text column: reported
                        number += 1
                        continue
                texts = [cell_text(c) for c in values]
                if all(t in (None, "") for t in texts):
                    continue
                number += 1
                if any(t not in (None, "") for t in texts[width:]):
                    where = Row(number, sheet_row, [], "sheet row").where
                    problems.add(f"{where}: values beyond the last header column")
                    continue
                texts = texts[:width] + [None] * (width - len(texts))
                yield Row(number, sheet_row, texts, "sheet row")
        finally:
            wb.close()

    return Sheet(header, rows(), None, ws.title)


# ---- whole tables ------------------------------------------------------------------------------


@dataclass
class Table:
    table: pa.Table  # CSV and xlsx: string columns; Parquet: its own types
    format: str  # csv | xlsx | parquet
    encoding: str | None  # CSV: utf-8 | gb18030 | the given one


def format_of(path: Path | str) -> str | None:
    return FORMATS.get(Path(path).suffix.lower())


def read_table(
    path: Path | str,
    *,
    encoding: str = "auto",
    delimiter: str | None = None,
    sheet: str | None = None,
    fmt: str | None = None,
) -> Table:
    """A whole file as an Arrow table (format by suffix unless ``fmt``).

    CSV: ``encoding`` ``auto`` (UTF-8, else GB 18030) or a given one; ``delimiter`` sniffed
    (``.tsv``: tab) unless given. Raises ``TabularError``."""
    path = Path(path)
    fmt = fmt or format_of(path)
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise TabularError(path, [f"unknown format '{path.suffix}' (known: {known})"])
    if not path.exists():
        raise TabularError(path, ["no such file"])
    if not path.is_file():
        raise TabularError(path, ["not a file"])
    if fmt == "parquet":
        return Table(_read_parquet(path), fmt, None)
    problems = Problems(path)
    if fmt == "csv":
        enc = detect_encoding(path.read_bytes(), path, encoding)
        if delimiter is None and path.suffix.lower() == ".tsv":
            delimiter = "\t"
        sheet_ = csv_rows(path, enc, delimiter, problems=problems)
    else:
        sheet_ = xlsx_rows(path, sheet, problems=problems)
    columns: list[list[str | None]] = [[] for _ in sheet_.header]
    for row in sheet_.rows:
        for col, v in zip(columns, row.values, strict=True):
            col.append(v)
    problems.raise_if_any()
    names = [h or f"column_{i + 1}" for i, h in enumerate(sheet_.header)]
    check_header(names, path)
    arrays = [pa.array(c, pa.string()) for c in columns]
    return Table(pa.table(arrays, names=names), fmt, sheet_.encoding)


def _read_parquet(path: Path) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise TabularError(path, [f"not a readable Parquet file ({_first_line(exc)})"]) from None
    check_header(table.column_names, path)
    return table
