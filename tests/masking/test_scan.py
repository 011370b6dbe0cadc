"""``jutong pii scan`` and ``masking.scan``: CSV (UTF-8 and GBK), xlsx and text files, per column
and type, masked examples only, and the exit status that gates scripts (0 / 1 / 2)."""

from __future__ import annotations

import json

import pytest

from jutong.cli import main
from jutong.identifiers.checkdigits import resident_id_check
from masking.scan import ScanError, scan_file, scan_values

ID1 = "45010219851203002" + resident_id_check("45010219851203002")
ID2 = "45010219900101123" + resident_id_check("45010219900101123")

ROWS = [
    ["姓名", "身份证号", "手机", "备注"],
    ["王小明", ID1, "138-0013-8000", "无"],
    ["欧阳娜娜", ID2, "", "订单号 2026112100012345678"],
    ["黄桂兰", "", "13912345678", "联系人：李四，电话13700137000"],
]


def _csv(path, rows, encoding="utf-8"):
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding=encoding)
    return path


def test_scan_values_counts_cells_hits_and_masked_examples():
    col = scan_values(["王小明", None, "", "欧阳娜娜", "王小明"], "姓名")
    assert col.cells == 3
    names = col.entities["CN_PERSON_NAME"]
    assert (names.cells, names.hits) == (3, 3)
    assert names.examples == ["王**", "欧阳**"]  # distinct, masked
    # a word shaped like a name is a name only in a name column (江南, 常青: LAC tags no
    # person in them), while a real name is found in any column by the NER model
    assert scan_values(["江南", "常青"], "姓名").entities["CN_PERSON_NAME"].cells == 2
    assert not scan_values(["江南", "常青"], "备注").found
    assert scan_values(["王小明", "欧阳娜娜"], "备注").entities["CN_PERSON_NAME"].cells == 2


def test_scan_csv_per_column_and_type(tmp_path):
    report = scan_file(_csv(tmp_path / "people.csv", ROWS))
    d = report.to_dict()
    assert (d["format"], d["encoding"], d["rows"]) == ("csv", "utf-8", 3)
    cols = {c["column"]: c["entities"] for c in d["columns"]}
    assert cols["身份证号"]["CN_RESIDENT_ID"]["cells"] == 2
    assert cols["手机"]["CN_MOBILE"] == {
        "cells": 2,
        "hits": 2,
        "examples": ["138****8000", "139****5678"],
    }
    assert cols["备注"]["CN_MOBILE"]["hits"] == 1
    assert cols["备注"]["CN_PERSON_NAME"]["examples"] == ["李*"]
    assert "CN_BANK_CARD" not in cols["备注"]  # the order number is not a card
    assert cols["姓名"]["CN_PERSON_NAME"]["cells"] == 3
    assert d["pii_found"] is True
    text = json.dumps(d, ensure_ascii=False)
    assert ID1 not in text and "13800138000" not in text and "王小明" not in text


def test_scan_gbk_csv_and_sample_and_columns(tmp_path):
    path = _csv(tmp_path / "gbk.csv", ROWS, encoding="gbk")
    report = scan_file(path, columns=["身份证号"], sample=1)
    assert report.encoding == "gb18030"
    assert (report.rows, report.total_rows) == (1, 3)
    assert [c.column for c in report.columns] == ["身份证号"]
    assert report.columns[0].entities["CN_RESIDENT_ID"].hits == 1
    with pytest.raises(ScanError, match="no column 住址"):
        scan_file(path, columns=["住址"])


def test_scan_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in ROWS:
        ws.append(r)
    ws.append(["李四", ID1, 13700137000, ""])  # a number cell stays digits
    path = tmp_path / "people.xlsx"
    wb.save(path)
    report = scan_file(path)
    cols = {c.column: c for c in report.columns}
    assert report.format == "xlsx"
    assert cols["手机"].entities["CN_MOBILE"].cells == 3
    assert cols["身份证号"].entities["CN_RESIDENT_ID"].cells == 3


def test_scan_text_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(
        f"申请人王小明，身份证号{ID1}。\n根据第二十九条第2款办理。\n热线12345\n", encoding="utf-8"
    )
    report = scan_file(path)
    assert [c.column for c in report.columns] == ["text"]
    ents = report.columns[0].entities
    assert ents["CN_RESIDENT_ID"].cells == 1 and ents["CN_PERSON_NAME"].cells == 1
    assert report.columns[0].cells == 3


def test_cli_exit_status_and_output(tmp_path, capsys):
    pii = _csv(tmp_path / "pii.csv", ROWS)
    clean = _csv(
        tmp_path / "clean.csv", [["说明"], ["根据第二十九条办理"], ["订单号 2026112100012345678"]]
    )
    assert main(["pii", "scan", str(pii)]) == 1
    out = capsys.readouterr().out
    assert "CN_RESIDENT_ID" in out and "4****************" in out and ID1 not in out
    assert main(["pii", "scan", str(clean)]) == 0
    assert "no PII found" in capsys.readouterr().out
    assert main(["pii", "scan", str(pii), "--json", "--columns", "备注"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [c["column"] for c in data["columns"]] == ["备注"]
    assert main(["pii", "scan", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert "missing.csv" in err and len(err.strip().splitlines()) == 1
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a zip")
    assert main(["pii", "scan", str(bad)]) == 2
    assert "broken.xlsx" in capsys.readouterr().err


def test_short_latin_column_names_match_as_whole_tokens():
    assert scan_values(["常青"], "XM").found  # 姓名 in pinyin initials
    assert scan_values(["常青"], "lxr_xm").found
    assert not scan_values(["常青"], "xmmc").found  # 项目名称, not a name column
