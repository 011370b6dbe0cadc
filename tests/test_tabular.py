"""The one tabular reader: CSV (encodings, delimiters), xlsx, Parquet, and every failure naming
file, row and column without repeating a cell."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from jutong.tabular import (
    Problems,
    TabularError,
    check_header,
    csv_rows,
    detect_encoding,
    looks_like_data,
    read_table,
    sniff_delimiter,
    xlsx_rows,
)

SECRET = "450102199003071234"  # a resident ID: must never appear in a message
NAME = "王小明"


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def assert_quiet(exc: TabularError, *fragments: str):
    msg = str(exc)
    for f in fragments:
        assert f in msg, msg
    assert SECRET not in msg and NAME not in msg, msg


# ---- CSV ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [("utf-8", b"", "utf-8"), ("utf-8", b"\xef\xbb\xbf", "utf-8"), ("gbk", b"", "gb18030")],
)
def test_csv_encodings(tmp_path, encoding, bom, expected):
    path = tmp_path / "a.csv"
    path.write_bytes(bom + f"姓名,身份证号\n{NAME},{SECRET}\n".encode(encoding))
    t = read_table(path)
    assert t.format == "csv" and t.encoding == expected
    assert t.table.column_names == ["姓名", "身份证号"]  # no BOM left in the first name
    assert t.table.to_pylist() == [{"姓名": NAME, "身份证号": SECRET}]


def test_gb18030_only_characters_are_detected(tmp_path):
    path = write(tmp_path / "a.csv", "名\n𠮷\n", "gb18030")  # not in GBK
    assert read_table(path).table.column("名").to_pylist() == ["𠮷"]
    with pytest.raises(TabularError) as exc:
        read_table(path, encoding="gbk")
    assert_quiet(exc.value, "a.csv", "line 2", "not valid gbk")


@pytest.mark.parametrize(
    ("suffix", "text", "given"),
    [
        (".csv", "a;b\n1;2\n", None),
        (".csv", "a|b\n1|2\n", None),
        (".tsv", "a\tb\n1\t2\n", None),
        (".txt", "a\tb\n1\t2\n", None),
        (".csv", "a;b\n1;2\n", ";"),
    ],
)
def test_delimiters(tmp_path, suffix, text, given):
    path = write(tmp_path / f"d{suffix}", text)
    assert read_table(path, delimiter=given).table.to_pylist() == [{"a": "1", "b": "2"}]


def test_sniff_prefers_comma():
    assert sniff_delimiter("a,b;c\n") == ","
    assert sniff_delimiter("only\n") == ","


def test_quoted_fields_blank_lines_and_empty_values(tmp_path):
    path = write(tmp_path / "q.csv", 'a,b\n"x, y","多行\n文本"\n\n,\n')
    assert read_table(path).table.to_pylist() == [
        {"a": "x, y", "b": "多行\n文本"},
        {"a": "", "b": ""},
    ]


def test_csv_rows_numbers_rows_and_lines(tmp_path):
    path = write(tmp_path / "n.csv", 'a,b\n1,2\n\n"3\n",4\n5,6\n')
    sheet = csv_rows(path, "utf-8")
    assert [(r.number, r.line, r.where) for r in sheet.rows] == [
        (1, 2, "row 1 (line 2)"),
        (2, 5, "row 2 (line 5)"),
        (3, 6, "row 3 (line 6)"),
    ]


def test_undecodable_bytes_name_line_and_byte(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(f"a,b\n{SECRET},x\n".encode() + b"\xff\xfe,y\n")
    with pytest.raises(TabularError) as exc:
        read_table(path, encoding="utf-8")
    assert_quiet(exc.value, "bad.csv", "line 3", "(byte 25): bytes ff are not valid utf-8")
    path.write_bytes(b"\xef\xbb\xbfa\n\xff")  # after a byte-order mark: offsets in the file
    with pytest.raises(TabularError) as exc:
        read_table(path, encoding="utf-8")
    assert_quiet(exc.value, "line 2 (byte 5): bytes ff are")
    with pytest.raises(TabularError) as exc:
        detect_encoding(b"a\n\x81", path)  # neither UTF-8 nor GB 18030 (truncated)
    assert_quiet(exc.value, "bad.csv", "neither utf-8 nor gb18030")


def test_unterminated_quote_names_the_line(tmp_path):
    path = write(tmp_path / "u.csv", f'a,b\n1,2\n"{SECRET},{NAME}\n')
    with pytest.raises(TabularError) as exc:
        read_table(path)
    assert_quiet(exc.value, "u.csv", "line 3", "malformed CSV")


def test_stray_quote_names_the_line(tmp_path):
    path = write(tmp_path / "s.csv", f'a,b\n"{NAME}"x,1\n')
    with pytest.raises(TabularError) as exc:
        read_table(path)
    assert_quiet(exc.value, "s.csv", "line 2", "malformed CSV")


def test_ragged_rows_are_listed_with_row_and_line(tmp_path):
    rows = "".join(f"{SECRET},{NAME},x\n" if i % 2 else f"{SECRET}\n" for i in range(30))
    path = write(tmp_path / "r.csv", "a,b,c\n" + rows)
    with pytest.raises(TabularError) as exc:
        read_table(path)
    assert_quiet(exc.value, "r.csv", "row 1 (line 2): 1 fields, the header has 3", "… and 5 more")
    assert exc.value.total == 15 and len(exc.value.problems) == 10


def test_repeated_header_and_empty_file(tmp_path):
    with pytest.raises(TabularError) as exc:
        read_table(write(tmp_path / "dup.csv", "a,b, a\n1,2,3\n"))
    assert_quiet(exc.value, "dup.csv", "header: repeated column(s) 'a'")
    with pytest.raises(TabularError) as exc:
        read_table(write(tmp_path / "empty.csv", ""))
    assert_quiet(exc.value, "empty.csv", "empty file: no header row")


def test_blank_header_names_get_positions(tmp_path):
    t = read_table(write(tmp_path / "h.csv", "a,,\n1,2,3\n")).table
    assert t.column_names == ["a", "column_2", "column_3"]


def test_expected_columns(tmp_path):
    path = write(tmp_path / "e.csv", "a,c\n1,2\n")
    with pytest.raises(TabularError) as exc:
        csv_rows(path, "utf-8", ",", expected=["a", "b"], owner="entry x")
    assert_quiet(exc.value, "missing column(s) 'b'", "unknown column(s) 'c' (not in entry x)")


def test_problems_raise_their_own_error_type(tmp_path):
    class Mine(TabularError):
        pass

    path = write(tmp_path / "m.csv", "a,b\n1\n")
    problems = Problems(path, error=Mine)
    sheet = csv_rows(path, "utf-8", problems=problems)
    assert list(sheet.rows) == []
    with pytest.raises(Mine):
        problems.raise_if_any()


# ---- xlsx --------------------------------------------------------------------------------------


def workbook(path, rows, title="Sheet1", extra_sheet=None):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    if extra_sheet:
        wb.create_sheet(extra_sheet).append(["x"])
    wb.save(path)
    return path


def test_xlsx_cells_become_text(tmp_path):
    path = workbook(
        tmp_path / "a.xlsx",
        [
            ["id", "when", "n", "ok", None],
            [SECRET, dt.datetime(2020, 1, 2), 3.0, True],
            [None, None, None, None],
            ["x", dt.datetime(2020, 1, 2, 3, 4), 1.5, None],
        ],
    )
    t = read_table(path)
    assert (t.format, t.encoding) == ("xlsx", None)
    assert t.table.column_names == ["id", "when", "n", "ok"]
    assert t.table.to_pylist() == [
        {"id": SECRET, "when": "2020-01-02", "n": "3", "ok": "true"},
        {"id": "x", "when": "2020-01-02 03:04:00", "n": "1.5", "ok": None},
    ]


def test_xlsx_rows_name_sheet_rows(tmp_path):
    path = workbook(tmp_path / "r.xlsx", [["a"], [1], [None], [2]])
    assert [r.where for r in xlsx_rows(path).rows] == ["row 1 (sheet row 2)", "row 2 (sheet row 4)"]


def test_xlsx_sheet_by_name_and_missing_sheet(tmp_path):
    path = workbook(tmp_path / "s.xlsx", [["a"], ["1"]], extra_sheet="其他")
    assert read_table(path, sheet="其他").table.to_pylist() == []
    with pytest.raises(TabularError) as exc:
        read_table(path, sheet="无此表")
    assert_quiet(exc.value, "s.xlsx", "no sheet '无此表' (sheets: Sheet1, 其他)")


def test_xlsx_failures(tmp_path):
    wide = workbook(tmp_path / "w.xlsx", [["a"], ["1"], ["2", SECRET]])
    with pytest.raises(TabularError) as exc:
        read_table(wide)
    assert_quiet(exc.value, "w.xlsx", "row 2 (sheet row 3): values beyond the last header column")
    dup = workbook(tmp_path / "d.xlsx", [["a", "a"], ["1", "2"]])
    with pytest.raises(TabularError) as exc:
        read_table(dup)
    assert_quiet(exc.value, "sheet 'Sheet1' header: repeated column(s) 'a'")
    empty = workbook(tmp_path / "e.xlsx", [])
    with pytest.raises(TabularError) as exc:
        read_table(empty)
    assert_quiet(exc.value, "sheet 'Sheet1' is empty")
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(TabularError) as exc:
        read_table(broken)
    assert_quiet(exc.value, "b.xlsx", "not a readable .xlsx workbook")


# ---- Parquet and the rest ----------------------------------------------------------------------


def test_parquet_keeps_its_types(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"id": [SECRET], "n": [1]}), path)
    t = read_table(path)
    assert (t.format, t.encoding) == ("parquet", None)
    assert t.table.schema.field("n").type == pa.int64()
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1garbage")
    with pytest.raises(TabularError) as exc:
        read_table(bad)
    assert_quiet(exc.value, "bad.parquet", "not a readable Parquet file")


def test_missing_file_folder_and_unknown_format(tmp_path):
    with pytest.raises(TabularError, match="no such file"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(TabularError, match="not a file"):
        read_table(tmp_path / "dir.csv")
    with pytest.raises(TabularError, match=r"unknown format '\.json'"):
        read_table(write(tmp_path / "x.json", "{}"))
    assert read_table(write(tmp_path / "x.data", "a\n1\n"), fmt="csv").table.num_rows == 1


def test_a_header_that_is_a_row_of_data_is_not_repeated(tmp_path):
    path = tmp_path / "no_header.csv"
    path.write_text("450102199003071234,韦小宝,男\n45010219900307123x,阿依,女\n", encoding="utf-8")
    with pytest.raises(TabularError) as exc:
        csv_rows(path, "utf-8", expected=["公民身份号码", "姓名", "性别"])
    msg = str(exc.value)
    assert "3 of the 3 expected columns are missing" in msg and "header row missing" in msg
    assert "4501021990" not in msg and "韦小宝" not in msg


def test_unknown_columns_that_look_like_data_are_counted_not_shown():
    assert looks_like_data("450102199003071234") and looks_like_data("db_password=x")
    assert not looks_like_data("备注") and not looks_like_data("注册资本（万元）")
    with pytest.raises(TabularError) as exc:
        check_header(["a", "b", "备注", "13800138000"], "f.csv", expected=["a", "b"])
    assert "unknown column(s) '备注', and 1 not shown (they look like data)" in str(exc.value)
    assert "13800138000" not in str(exc.value)
