"""Text that is not what it claims: UTF-8 in a GBK extract, control characters, a JSON key
given twice — refused with line and column; large fields up to the catalog's limit."""

from __future__ import annotations

import json

import pytest

from jutong.catalog import load_catalog
from jutong.ingest import ContractError, ingest_file
from jutong.ingest.textcheck import _in_gb2312, rare_char, utf8_in_legacy
from tests.ingest.extracts import HUJI_ROWS, deliver_csv, raw_rows, snapshot_id


@pytest.fixture()
def huji(settings, catalog):
    """gongan.huji with one published batch."""
    entry = catalog.get("gongan.huji")
    ingest_file(settings, entry, deliver_csv(settings, entry, "first.csv", HUJI_ROWS[:1]))
    return entry


def _refused(settings, entry, path, *fragments) -> str:
    before = (snapshot_id(settings, entry), len(raw_rows(settings, entry)))
    with pytest.raises(ContractError) as exc:
        ingest_file(settings, entry, path)
    msg = str(exc.value)
    for f in fragments:
        assert f in msg, msg
    assert (snapshot_id(settings, entry), len(raw_rows(settings, entry))) == before
    assert not path.exists()
    (reason,) = (settings.quarantine_dir / entry.department / entry.dataset).glob(
        f"*_{path.name}.reason.json"
    )
    assert fragments[0] in json.loads(reason.read_text(encoding="utf-8"))["reason"]
    return msg


def test_a_utf8_name_in_a_gbk_extract_is_refused_with_its_line(settings, huji):
    path = deliver_csv(settings, huji, "mixed.csv", HUJI_ROWS[1:])
    # one name written in UTF-8, the rest of the row in GBK
    utf8_row = "450102199003071250,{},男,1990-03-07,汉族,南宁市青秀区,\r\n".encode("gbk")
    path.write_bytes(path.read_bytes() + utf8_row.replace(b"{}", "李四".encode()))
    assert "李四".encode().decode("gbk") == "鏉庡洓"  # what would have been stored
    msg = _refused(
        settings, huji, path, "row 3 (line 4), column '姓名': the bytes are UTF-8, not gbk"
    )
    assert "鏉庡洓" not in msg and "李四" not in msg


def test_genuine_gbk_names_that_happen_to_be_valid_utf8_are_kept():
    # about 1 % of GBK names are valid UTF-8 bytes too, yet the text is real GBK
    for name in ("谭萍", "叶倩", "薛志强", "农梅"):
        assert name.encode("gbk").decode("utf-8")
        assert not utf8_in_legacy(name, "gbk")
    assert not utf8_in_legacy("韦小宝", "gbk") and not utf8_in_legacy("abc", "gbk")
    assert utf8_in_legacy("鏉庡洓", "gbk")


def test_the_rare_character_pattern_is_gb2312s_complement_over_the_bmp():
    """Ingestion searches whole rows with ``rare_char`` instead of encoding each character:
    for every code point it must say what encoding says."""
    rare = rare_char()
    for cp in range(0x10000):
        ch = chr(cp)
        assert (rare.search(ch) is not None) == (cp > 0x7F and not _in_gb2312(ch)), hex(cp)
    assert rare.search("\U0001f600") and rare.search("𠀀")  # beyond the BMP: never GB 2312


def test_mojibake_anywhere_in_a_row_names_its_column(settings, huji):
    """The row-level search finds the value wherever it sits (here the address, after
    values that are genuine GBK and valid UTF-8 by chance)."""
    path = deliver_csv(settings, huji, "addr.csv", HUJI_ROWS[1:])
    row = "450102199003071250,谭萍,男,1990-03-07,汉族,{},\r\n".encode("gbk")
    path.write_bytes(path.read_bytes() + row.replace(b"{}", "桂林市七星区".encode()))
    _refused(
        settings, huji, path, "row 3 (line 4), column '户籍地址': the bytes are UTF-8, not gbk"
    )


@pytest.mark.parametrize(
    ("value", "code"), [("\x00凌龙", "U+0000"), ("凌\x1b龙", "U+001B"), ("凌龙\x7f", "U+007F")]
)
def test_control_characters_are_refused(settings, huji, value, code):
    row = [HUJI_ROWS[1][0], value, *HUJI_ROWS[1][2:]]
    path = deliver_csv(settings, huji, "ctrl.csv", [HUJI_ROWS[2], row])
    _refused(settings, huji, path, f"row 2 (line 3), column '姓名': control character {code}")


def test_control_characters_in_json_and_a_key_given_twice_are_refused(settings, catalog):
    entry = catalog.get("renshe.shebao")
    folder = settings.landing_dir / "renshe" / "shebao"
    folder.mkdir(parents=True)
    path = folder / "nul.jsonl"
    path.write_text(
        '{"sfzh": "450102199003071234", "xm": "\\u0000凌龙", "xz": "失业保险", "cbrq": "2020-01-01"}\n',
        encoding="utf-8",
    )
    _refused(settings, entry, path, "row 1 (line 1), column 'xm': control character U+0000")
    path = folder / "dup.jsonl"
    path.write_text(
        '{"sfzh": "1", "xm": "韦小宝", "xm": "莫小红", "xz": "失业保险", "cbrq": "2020-01-01"}\n',
        encoding="utf-8",
    )
    _refused(settings, entry, path, "row 1 (line 1): key(s) 'xm' given twice in one object")


def _parcel(entry, wkt_chars: int) -> list[str]:
    values = {it.column: "" for it in entry.items}
    ring = "POLYGON((" + ",".join(f"108.{i:07d} 22.8" for i in range(wkt_chars // 18)) + "))"
    values.update({"宗地面积": "1234.5", "界址WKT": f'"{ring}"'})
    for it in entry.items:
        if it.required and not values[it.column]:
            values[it.column] = "x"
    return list(values.values())


def test_a_parcel_geometry_over_the_csv_modules_default_is_ingested(settings, catalog):
    entry = catalog.get("ziranziyuan.zongdi")
    row = _parcel(entry, 400_000)
    assert len(row[[it.column for it in entry.items].index("界址WKT")]) > 131_072
    path = deliver_csv(settings, entry, "zongdi.csv", [row])
    assert ingest_file(settings, entry, path).rows == 1
    (got,) = raw_rows(settings, entry)
    assert len(got["geometry_wkt"]) > 131_072


def test_the_catalogs_field_limit_is_the_one_used(settings):
    yaml_path = settings.catalog_dir / "ziranziyuan" / "zongdi.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(
        text.replace(
            '  file_pattern: "*.csv"\n', '  file_pattern: "*.csv"\n  field_size_limit: 1000\n'
        ),
        encoding="utf-8",
    )
    entry = load_catalog(settings.catalog_dir).get("ziranziyuan.zongdi")
    assert entry.extract.field_size_limit == 1000
    path = deliver_csv(settings, entry, "zongdi.csv", [_parcel(entry, 5_000)])
    _refused(
        settings, entry, path, "row 1 (line 2), column '界址WKT':", "more than the limit of 1,000"
    )
