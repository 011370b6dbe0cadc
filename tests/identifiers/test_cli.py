"""``jutong ids check``: CSV (GBK/UTF-8), Excel, Parquet in and out; failures exit 2."""

from __future__ import annotations

import argparse

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jutong.identifiers.checkdigits import resident_id_check
from jutong.identifiers.cli import main, register


def make_id(region: str = "450202", birth: str = "19900101", seq: str = "123") -> str:
    body = region + birth + seq
    return body + resident_id_check(body)


GOOD = make_id()
LEGACY = "450202900101123"  # 15 digits, upgraded
BAD = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")
ROWS = {"姓名": ["张三", "李四", "王五", "赵六"], "身份证号": [GOOD, LEGACY, BAD, "012345"]}


def run(*argv: str) -> int:
    return main(["ids", "check", *argv])


def test_register_adds_ids_check():
    parser = argparse.ArgumentParser(prog="jutong")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["ids", "check", "a.csv", "--column", "c", "--kind", "uscc", "--out", "b.csv"]
    )
    assert args.func.__name__ == "handler"
    assert (args.input, args.column, args.kind, args.out, args.encoding) == (
        "a.csv",
        "c",
        "uscc",
        "b.csv",
        "auto",
    )


def test_csv_gbk_in_and_out(tmp_path, capsys):
    src = tmp_path / "in.csv"
    pd.DataFrame(ROWS).to_csv(src, index=False, encoding="gbk")
    out = tmp_path / "out.csv"
    assert (
        run(
            str(src),
            "--column",
            "身份证号",
            "--kind",
            "resident_id",
            "--out",
            str(out),
            "--as-of",
            "2026-11-21",
        )
        == 0
    )
    raw = out.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # written back in GBK, like the input
    frame = pd.read_csv(out, dtype=str, encoding="gbk", keep_default_na=False)
    assert frame["姓名"].tolist() == ROWS["姓名"]
    assert frame["身份证号"].tolist() == ROWS["身份证号"]  # leading zero kept, no floats
    assert frame["身份证号_valid"].tolist() == ["true", "true", "false", "false"]
    assert frame["身份证号_reasons"].tolist() == ["", "", "bad_check", "bad_length"]
    assert frame["身份证号_normalized"].tolist()[:2] == [GOOD, make_id()]
    printed = capsys.readouterr().out
    assert "4 rows, 2 valid, 2 invalid" in printed
    assert "bad_check" in printed and "upgraded_15" in printed


def test_csv_utf8_auto_and_explicit(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame(ROWS).to_csv(src, index=False, encoding="utf-8-sig")
    out = tmp_path / "out.csv"
    assert run(str(src), "-c", "身份证号", "-k", "resident_id", "-o", str(out)) == 0
    assert pd.read_csv(out, dtype=str)["身份证号_valid"].tolist() == [
        "true",
        "true",
        "false",
        "false",
    ]
    assert (
        run(str(src), "-c", "身份证号", "-k", "resident_id", "-o", str(out), "--encoding", "utf-8")
        == 0
    )


def test_excel_in_and_out(tmp_path):
    src = tmp_path / "in.xlsx"
    pd.DataFrame(ROWS).to_excel(src, index=False, sheet_name="人口")
    out = tmp_path / "out.xlsx"
    assert (
        run(
            str(src),
            "-c",
            "身份证号",
            "-k",
            "resident_id",
            "-o",
            str(out),
            "--sheet",
            "人口",
            "--as-of",
            "2026-11-21",
        )
        == 0
    )
    frame = pd.read_excel(out, dtype=str, sheet_name="人口", keep_default_na=False)
    assert frame["身份证号"].tolist() == ROWS["身份证号"]
    assert frame["身份证号_valid"].str.lower().tolist() == ["true", "true", "false", "false"]


def test_excel_missing_sheet(tmp_path, capsys):
    src = tmp_path / "in.xlsx"
    pd.DataFrame(ROWS).to_excel(src, index=False)
    assert (
        run(
            str(src),
            "-c",
            "身份证号",
            "-k",
            "resident_id",
            "-o",
            str(tmp_path / "o.xlsx"),
            "--sheet",
            "无此表",
        )
        == 2
    )
    assert "无此表" in capsys.readouterr().err


def test_parquet_in_and_out_uscc(tmp_path, capsys):
    from jutong.identifiers.checkdigits import orgcode_check, uscc_check

    body = "91450202MA5L0A1B" + orgcode_check("MA5L0A1B")
    code = body + uscc_check(body)
    org = "12345678" + orgcode_check("12345678")
    src = tmp_path / "in.parquet"
    pq.write_table(
        pa.table({"n": pa.array([1, 2, 3]), "tyshxydm": [code, org, "91450202MA5L0A1BI1"]}), src
    )
    out = tmp_path / "out.parquet"
    assert run(str(src), "-c", "tyshxydm", "-k", "uscc", "-o", str(out)) == 0
    t = pq.read_table(out)
    assert t.column("n").type == pa.int64()  # other columns keep their types
    assert t.column("tyshxydm_valid").to_pylist() == [True, True, False]
    assert t.column("tyshxydm_kind").to_pylist() == ["uscc", "legacy_orgcode", "uscc"]
    assert t.column("tyshxydm_reasons").to_pylist() == ["", "", "bad_chars"]
    assert "legacy_orgcode" in capsys.readouterr().out


def test_missing_column_exits_2_listing_columns(tmp_path, capsys):
    src = tmp_path / "in.csv"
    pd.DataFrame(ROWS).to_csv(src, index=False)
    assert run(str(src), "-c", "证件号", "-k", "resident_id", "-o", str(tmp_path / "o.csv")) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "in.csv" in err and "证件号" in err and "姓名, 身份证号" in err


def test_unreadable_inputs_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file")
    assert run(str(broken), "-c", "x", "-k", "uscc", "-o", str(tmp_path / "o.xlsx")) == 2
    assert "broken.xlsx" in capsys.readouterr().err
    assert (
        run(str(tmp_path / "missing.csv"), "-c", "x", "-k", "uscc", "-o", str(tmp_path / "o.csv"))
        == 2
    )
    assert "missing.csv" in capsys.readouterr().err
    odd = tmp_path / "in.json"
    odd.write_text("{}")
    assert run(str(odd), "-c", "x", "-k", "uscc", "-o", str(tmp_path / "o.csv")) == 2
    assert "unknown format" in capsys.readouterr().err
    latin = tmp_path / "bad.csv"
    latin.write_bytes(b"a\n" + b"\xff\xfe\xfa\n")
    assert (
        run(
            str(latin),
            "-c",
            "a",
            "-k",
            "uscc",
            "-o",
            str(tmp_path / "o.csv"),
            "--encoding",
            "utf-8",
        )
        == 2
    )
    assert "bad.csv" in capsys.readouterr().err
    pq_bad = tmp_path / "bad.parquet"
    pq_bad.write_bytes(b"PAR1garbage")
    assert run(str(pq_bad), "-c", "a", "-k", "uscc", "-o", str(tmp_path / "o.parquet")) == 2
    assert "bad.parquet" in capsys.readouterr().err


def test_all_invalid_still_exits_0(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["无", "x", "123"]}).to_csv(src, index=False)
    assert run(str(src), "-c", "id", "-k", "resident_id", "-o", str(tmp_path / "o.csv")) == 0


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_cells_are_written_as_text(tmp_path, suffix):
    src = tmp_path / "in.csv"
    rows = {
        "姓名": ['=HYPERLINK("http://x","点我")', "+cmd|' /C calc'!A0"],
        "身份证号": [GOOD, BAD],
    }
    pd.DataFrame(rows).to_csv(src, index=False, encoding="utf-8")
    out = tmp_path / f"out{suffix}"
    assert run(str(src), "--column", "身份证号", "--kind", "resident_id", "--out", str(out)) == 0
    if suffix == ".csv":
        names = pd.read_csv(out, dtype=str)["姓名"].tolist()
    else:
        import openpyxl

        ws = openpyxl.load_workbook(out).active
        assert all(c.data_type == "s" for c in ws["A"][1:])
        names = [c.value for c in ws["A"][1:]]
    assert names == ['\'=HYPERLINK("http://x","点我")', "'+cmd|' /C calc'!A0"]
    # Parquet keeps the value as it is
    pq_out = tmp_path / "out.parquet"
    assert run(str(src), "--column", "身份证号", "--kind", "resident_id", "--out", str(pq_out)) == 0
    assert pq.read_table(pq_out).column("姓名").to_pylist() == rows["姓名"]
