"""``jutong pii mask``: ad-hoc files (CSV, Excel, Parquet, text) through the real CLI."""

import csv
import json
import re

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jutong.cli import main

ID = "110101199003077758"
TEXTS = [
    f"市民反映：身份证号{ID}，手机13800138000，请回电。",
    "银行卡号6222021234567890128已挂失。",
    "统一社会信用代码91110000600037341L的企业已年报。",
    "今天柳州天气晴，气温28度。",
    "会议定于下午三点在三楼会议室召开。",
]


def write_csv(path, header, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_free_text_is_redacted_and_pii_free_text_unchanged(tmp_path, settings, capsys):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ["id", "text"], [[i, t] for i, t in enumerate(TEXTS)])
    rc = main(["pii", "mask", str(src), str(out), "--policy", "open", "--free-text", "text"])
    assert rc == 0, capsys.readouterr().err
    got = [r["text"] for r in read_csv(out)]
    joined = "\n".join(got)
    for leaked in (ID, "13800138000", "6222021234567890128", "91110000600037341L"):
        assert leaked not in joined
    assert "138****8000" in got[0]
    assert got[3:] == TEXTS[3:]
    assert "text: redact_text" in capsys.readouterr().out


def test_structured_columns_by_header_and_inference_gbk_csv(tmp_path, settings):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(
        src,
        ["姓名", "证件", "联系方式", "备注"],
        [
            ["黄伟强", ID, "13800138000", "无"],
            ["欧阳娜娜", "45010219900101123X", "13912345678", "有"],
        ],
        encoding="gbk",
    )
    assert main(["pii", "mask", str(src), str(out), "--policy", "share"]) == 0
    rows = read_csv(out)
    assert rows[0] == {
        "姓名": "黄**",
        "证件": "1****************8",
        "联系方式": "138****8000",
        "备注": "无",
    }
    assert rows[1]["姓名"] == "欧阳**"
    out2 = tmp_path / "open.csv"
    assert main(["pii", "mask", str(src), str(out2), "--policy", "open"]) == 0
    assert list(read_csv(out2)[0]) == ["备注"]


def test_unknown_column_with_identifiers_is_treated_as_free_text(tmp_path, settings):
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"memo": [TEXTS[0], TEXTS[3]], "n": [1, 2]}), src)
    assert main(["pii", "mask", str(src), str(out), "--policy", "open"]) == 0
    t = pq.read_table(out)
    assert ID not in t.column("memo")[0].as_py()
    assert t.column("memo")[1].as_py() == TEXTS[3]
    assert t.column("n").to_pylist() == [1, 2]


def test_excel_and_text_inputs_and_report(tmp_path, settings):
    src = tmp_path / "in.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "内容"])
    ws.append(["黄伟", TEXTS[1]])
    wb.save(src)
    out, report = tmp_path / "out.xlsx", tmp_path / "report.json"
    args = ["pii", "mask", str(src), str(out), "--policy", "share", "--free-text", "内容"]
    assert main([*args, "--report", str(report)]) == 0
    ws2 = openpyxl.load_workbook(out).active
    assert [c.value for c in ws2[2]] == ["黄*", "银行卡号***************0128已挂失。"]
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert {c["column"] for c in rep["columns"]} == {"姓名", "内容"}
    txt, txt_out = tmp_path / "in.txt", tmp_path / "out.txt"
    txt.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    assert main(["pii", "mask", str(txt), str(txt_out), "--policy", "open"]) == 0
    lines = txt_out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(TEXTS) and ID not in lines[0] and lines[4] == TEXTS[4]


def test_unreadable_input_exits_non_zero_with_a_clear_message(tmp_path, settings, capsys):
    missing = tmp_path / "nope.csv"
    assert main(["pii", "mask", str(missing), str(tmp_path / "o.csv"), "--policy", "open"]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "nope.csv" in err and "no such file" in err
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    assert main(["pii", "mask", str(bad), str(tmp_path / "o.csv"), "--policy", "open"]) == 2
    err = capsys.readouterr().err
    assert f"cannot read {bad}" in err
    assert main(["pii", "mask", str(tmp_path), str(tmp_path / "o3.csv"), "--policy", "open"]) == 2
    assert "not a file" in capsys.readouterr().err
    src = tmp_path / "ok.csv"
    write_csv(src, ["a"], [["x"]])
    argv = [str(src), str(tmp_path / "o4.csv"), "--policy", "open", "--free-text", "b"]
    assert main(["pii", "mask", *argv]) == 2
    assert "--free-text: no column 'b'" in capsys.readouterr().err


def test_formula_cells_are_neutralized_in_csv_and_excel(tmp_path, settings):
    src = tmp_path / "in.csv"
    cells = ['=HYPERLINK("http://evil","点我")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+2", "正常"]
    write_csv(src, ["text"], [[c] for c in cells])
    out = tmp_path / "out.csv"
    assert main(["pii", "mask", str(src), str(out), "--policy", "open", "--free-text", "text"]) == 0
    assert [r["text"] for r in read_csv(out)] == ["'" + c for c in cells[:4]] + ["正常"]
    xlsx = tmp_path / "out.xlsx"
    assert (
        main(["pii", "mask", str(src), str(xlsx), "--policy", "open", "--free-text", "text"]) == 0
    )
    ws = openpyxl.load_workbook(xlsx).active
    assert [c.value for c in ws["A"][1:]] == ["'" + c for c in cells[:4]] + ["正常"]
    assert all(c.data_type == "s" for c in ws["A"][1:])
    parquet = tmp_path / "out.parquet"
    assert (
        main(["pii", "mask", str(src), str(parquet), "--policy", "open", "--free-text", "text"])
        == 0
    )
    assert pq.read_table(parquet).column("text").to_pylist() == cells


# ---- open: the anonymity gate of releases --------------------------------------------------


def _register(n: int = 60) -> list[list[str]]:
    """A household register: half the people registered within days of their birth."""
    import datetime as dt

    from jutong.identifiers.checkdigits import resident_id_check

    rows = []
    for i in range(n):
        birth = dt.date(1960 + (i * 7) % 50, 1 + i % 12, 1 + i % 28)
        body = f"450102{birth:%Y%m%d}{i:03d}"
        registered = birth + dt.timedelta(days=i % 2 * 20 if i % 2 else 365 * 18)
        rows.append(
            [
                body + resident_id_check(body),
                "男" if i % 2 else "女",
                birth.isoformat(),
                ["汉族", "壮族", "瑶族"][i % 3],
                "广西壮族自治区南宁市青秀区民族大道100号",
                registered.isoformat(),
            ]
        )
    return rows


REGISTER_HEADER = ["公民身份号码", "性别", "出生日期", "民族", "户籍地址", "登记日期"]


def test_open_holds_the_file_to_k_anonymity_and_generalizes_birth_revealing_dates(
    tmp_path, settings, capsys
):
    from masking.anonymity import class_sizes

    src, out, rep = tmp_path / "huji.csv", tmp_path / "open.csv", tmp_path / "report.json"
    write_csv(src, REGISTER_HEADER, _register())
    rc = main(["pii", "mask", str(src), str(out), "--policy", "open", "--report", str(rep)])
    assert rc == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "登记日期: birth_year" in printed and "reveals the birth date" in printed
    assert "k-anonymity k=5 over" in printed
    rows = read_csv(out)
    assert "公民身份号码" not in rows[0]
    # never to the day: a year, a band of years or *
    assert all(re.fullmatch(r"[0-9]{4}(-[0-9]{4})?|\*", r["登记日期"]) for r in rows)
    table = pa.table({c: [r[c] for r in rows] for c in ["性别", "出生日期", "民族", "登记日期"]})
    assert (class_sizes(table, table.column_names) >= 5).all()
    report = json.loads(rep.read_text("utf-8"))
    an = report["anonymity"]
    assert an["k"] == 5 and an["rows_out"] == len(rows) == report["rows_out"]
    assert set(an["quasi_identifiers"]) == {"性别", "出生日期", "民族", "户籍地址", "登记日期"}
    assert an["birth_revealing_dates"]["登记日期"]["within_60_days_of_birth"] == 30


def test_open_refuses_what_cannot_be_made_k_anonymous(tmp_path, settings, capsys):
    src, out, rep = tmp_path / "huji.csv", tmp_path / "open.csv", tmp_path / "report.json"
    write_csv(src, REGISTER_HEADER, _register(4))
    args = ["pii", "mask", str(src), str(out), "--policy", "open", "--report", str(rep)]
    assert main([*args, "--max-suppressed", "0"]) == 3
    assert "anonymity gate" in capsys.readouterr().err
    assert not out.exists()
    assert json.loads(rep.read_text("utf-8"))["anonymity"]["passed"] is False


# ---- share: keyed pseudonyms per purpose -------------------------------------------------


def test_share_with_a_purpose_gives_keyed_pseudonyms(tmp_path, settings, monkeypatch, capsys):
    src = tmp_path / "in.csv"
    write_csv(src, ["证件", "备注"], [[ID, "a"], [ID, "b"], ["45010219900101123X", "c"]])
    monkeypatch.setenv("JUTONG_KEY_AUDIT", "11" * 32)
    monkeypatch.setenv("JUTONG_KEY_HEALTH", "22" * 32)
    tokens = {}
    for purpose in ("audit", "health"):
        out = tmp_path / f"{purpose}.csv"
        cmd = ["pii", "mask", str(src), str(out), "--policy", "share", "--purpose", purpose]
        assert main(cmd) == 0, capsys.readouterr().err
        assert f"pseudonyms: purpose {purpose}" in capsys.readouterr().out
        tokens[purpose] = [r["证件"] for r in read_csv(out)]
    a, h = tokens["audit"], tokens["health"]
    assert a[0] == a[1] != a[2] and ID not in a  # one person, one token within a purpose
    assert not set(a) & set(h)  # unrelated across purposes
    # without a purpose: the display mask, as before
    out = tmp_path / "plain.csv"
    assert main(["pii", "mask", str(src), str(out), "--policy", "share"]) == 0
    assert read_csv(out)[0]["证件"] == "1****************8"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--policy", "share", "--purpose", "dir"], "reserved"),
        (["--policy", "share", "--purpose", "nokey"], "no key for purpose 'nokey'"),
        (["--policy", "open", "--purpose", "audit"], "open file drops identifiers"),
    ],
)
def test_purpose_errors(tmp_path, settings, capsys, extra, message):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(src, ["证件"], [[ID]])
    assert main(["pii", "mask", str(src), str(out), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
