"""Streaming writers: one per extract (CSV, JSON lines, Excel) and the ground-truth Parquet files.

Every writer produces the same bytes for the same rows: no timestamps, no random names. The
Excel file is rewritten after openpyxl saves it, with fixed document times and zip entry times.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

XLSX_DATE_FORMAT = "yyyy-mm-dd"


class CsvExtract:
    def __init__(self, path: Path, columns: list[str], encoding: str, delimiter: str = ",") -> None:
        self.path = path
        # Windows-side exports in GBK end lines with CRLF; the UTF-8 ones with LF.
        terminator = "\r\n" if encoding.lower() in ("gbk", "gb2312", "gb18030") else "\n"
        self._f = open(path, "w", encoding=encoding, errors="strict", newline="")  # noqa: SIM115
        self._w = csv.writer(self._f, delimiter=delimiter, lineterminator=terminator)
        self._w.writerow(columns)

    def write(self, rows: list[list[Any]]) -> None:
        self._w.writerows([["" if v is None else v for v in r] for r in rows])

    def close(self) -> None:
        self._f.close()


class JsonlExtract:
    """One JSON object per line, keys in catalog order; empty values are written as null."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = columns
        self._f = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115

    def write(self, rows: list[list[Any]]) -> None:
        cols = self.columns
        self._f.writelines(
            json.dumps(
                {c: (None if v in ("", None) else v) for c, v in zip(cols, r, strict=True)},
                ensure_ascii=False,
            )
            + "\n"
            for r in rows
        )

    def close(self) -> None:
        self._f.close()


class XlsxExtract:
    """An Excel workbook written row by row (openpyxl write-only mode)."""

    def __init__(self, path: Path, columns: list[str], sheet: str, as_of: dt.date) -> None:
        from openpyxl import Workbook

        self.path = path
        self.as_of = as_of
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet(title=sheet)
        self._ws.append(columns)

    def write(self, rows: list[list[Any]]) -> None:
        from openpyxl.cell import WriteOnlyCell

        ws = self._ws
        for r in rows:
            out = []
            for v in r:
                if v == "":
                    out.append(None)
                elif isinstance(v, dt.date):
                    cell = WriteOnlyCell(ws, value=v)
                    cell.number_format = XLSX_DATE_FORMAT
                    out.append(cell)
                else:
                    out.append(v)
            ws.append(out)

    def close(self) -> None:
        when = dt.datetime(self.as_of.year, self.as_of.month, self.as_of.day)
        props = self._wb.properties
        props.creator = "jutong synth"
        props.created = when
        props.modified = when
        tmp = self.path.with_name(self.path.name + ".tmp")
        self._wb.save(tmp)
        normalise_xlsx(tmp, self.path, when)
        tmp.unlink()


_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_xlsx(src: Path, dst: Path, when: dt.datetime) -> None:
    """Copy an .xlsx with fixed document times (docProps/core.xml) and zip entry times, so the
    same content always gives the same bytes (openpyxl stamps the time of saving)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = (when.year, when.month, when.day, 0, 0, 0)
    with (
        zipfile.ZipFile(src) as zin,
        zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            if info.filename == "docProps/core.xml":
                data = _CORE_TIME.sub(rb"\g<1>" + stamp + rb"\g<3>", zin.read(info))
                zout.writestr(zi, data)
            else:
                with zin.open(info) as fin, zout.open(zi, "w", force_zip64=True) as fout:
                    shutil.copyfileobj(fin, fout, 1 << 20)


RECORD_SCHEMA = pa.schema(
    [
        ("dataset", pa.string()),
        ("file", pa.string()),
        ("row_number", pa.int64()),
        ("role", pa.string()),
        ("entity_kind", pa.string()),
        ("entity_id", pa.string()),
        ("true_key", pa.string()),
        ("dirt", pa.list_(pa.string())),
        ("duplicate_of_row", pa.int64()),
    ]
)

PERSON_SCHEMA = pa.schema(
    [
        ("entity_id", pa.string()),
        ("resident_id", pa.string()),
        ("legacy_id15", pa.string()),
        ("name", pa.string()),
        ("surname", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("ethnicity", pa.string()),
        ("id_division", pa.string()),
        ("domicile_division", pa.string()),
        ("residence_division", pa.string()),
        ("domicile_address", pa.string()),
        ("residence_address", pa.string()),
        ("previous_address", pa.string()),
        ("mobile", pa.string()),
        ("migrant", pa.bool_()),
        ("in_huji", pa.bool_()),
        ("registered_on", pa.date32()),
    ]
)

ORG_SCHEMA = pa.schema(
    [
        ("entity_id", pa.string()),
        ("uscc", pa.string()),
        ("org_code", pa.string()),
        ("registration_no", pa.string()),
        ("name", pa.string()),
        ("org_type", pa.string()),
        ("category", pa.string()),
        ("division_code", pa.string()),
        ("county", pa.string()),
        ("address", pa.string()),
        ("registered_capital", pa.string()),
        ("established_on", pa.date32()),
        ("status", pa.string()),
        ("legal_rep_entity_id", pa.string()),
        ("legal_rep_name", pa.string()),
        ("legal_rep_resident_id", pa.string()),
    ]
)


class ParquetStream:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.schema = schema
        self._w = pq.ParquetWriter(path, schema, compression="zstd")

    def write(self, columns: dict[str, Any]) -> None:
        self._w.write_table(pa.table(columns, schema=self.schema))

    def close(self) -> None:
        self._w.close()
