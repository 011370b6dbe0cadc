"""Ingestion into the raw zone: real files, real pyiceberg tables, no Airflow (see tests/orchestration)."""

import datetime as dt
import json
import os
import stat
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from jutong.ingest import ContractError, discover, ingest_file, manifests
from jutong.ingest.status import dataset_status
from jutong.lake import AuditError, Lake
from tests.ingest.extracts import HUJI_ROWS, deliver_csv, raw_rows, snapshot_id


def test_gbk_csv_lands_unchanged_with_provenance(settings, catalog):
    entry = catalog.get("gongan.huji")
    path = deliver_csv(settings, entry, "huji_20261101.csv", HUJI_ROWS)
    original = path.read_bytes()
    result = ingest_file(settings, entry, path)

    assert result.status == "published" and result.rows == 3
    rows = raw_rows(settings, entry)
    assert [r["_row_number"] for r in rows] == [1, 2, 3]
    # values exactly as delivered: spaces, full-width digits, lowercase x kept in raw
    assert rows[0]["name"] == "韦 小宝"
    assert rows[1]["id_number"] == "45010219900307123x"
    assert rows[2]["id_number"] == "４５０１０２８５０３０７１２３"
    assert rows[1]["registered_on"] == ""
    assert {r["_batch_id"] for r in rows} == {result.batch_id}
    assert {r["_department"] for r in rows} == {"gongan"} and {r["_dataset"] for r in rows} == {
        "huji"
    }

    (m,) = manifests(settings, entry)
    assert m.rows == 3 and m.encoding == "gbk" and m.size_bytes == len(original)
    raw_copy = settings.lake_root / m.raw_path
    assert raw_copy.read_bytes() == original
    assert not raw_copy.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert rows[0]["_source_file"] == m.raw_path
    assert not path.exists()  # landing cleared


def test_xlsx_and_jsonl_typed_cells_become_text(settings, catalog):
    hunyin = catalog.get("minzheng.hunyin")
    folder = settings.landing_dir / "minzheng" / "hunyin"
    folder.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = hunyin.extract.sheet
    ws.append([it.column for it in hunyin.items])
    ws.append(
        [
            "J450102-2020-000001",
            "结婚",
            "韦小宝",
            "450102199003071234",
            "莫小红",
            "450102199105082345",
            dt.datetime(2020, 5, 20),
            "南宁市兴宁区民政局婚姻登记处",
        ]
    )
    ws.append(
        [
            "J450102-2020-000002",
            "结婚",
            "黄一",
            "450102198801011111",
            "覃二",
            "450102198902022222",
            43971,
            "南宁市兴宁区民政局婚姻登记处",
        ]
    )
    wb.save(folder / "hunyin_202611.xlsx")
    assert ingest_file(settings, hunyin, folder / "hunyin_202611.xlsx").rows == 2
    rows = raw_rows(settings, hunyin)
    # a date cell and a date stored as an Excel serial (the catalog says date) both read as dates
    assert rows[0]["registered_on"] == "2020-05-20" and rows[1]["registered_on"] == "2020-05-20"

    shebao = catalog.get("renshe.shebao")
    sfolder = settings.landing_dir / "renshe" / "shebao"
    sfolder.mkdir(parents=True)
    recs = [
        {
            "sfzh": "450102199003071234",
            "xm": "韦小宝",
            "xb": "1",
            "csrq": "1990-03-07",
            "lxdh": "13800138000",
            "czdz": "广西南宁",
            "dwtyxydm": None,
            "dwmc": None,
            "xz": "失业保险",
            "cbrq": "2015-01-01",
            "jfjs": 4500.5,
        },
        {
            "sfzh": "450102199105082345",
            "xm": "莫小红",
            "xz": "工伤保险",
            "cbrq": "2016/2/1",
            "jfjs": "3000",
            "xb": "2",
            "csrq": None,
            "lxdh": None,
            "czdz": None,
            "dwtyxydm": "91450100MA5K00000X",
            "dwmc": "某公司",
        },
    ]
    (sfolder / "shebao.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8"
    )
    assert ingest_file(settings, shebao, sfolder / "shebao.jsonl").rows == 2
    rows = raw_rows(settings, shebao)
    assert rows[0]["monthly_base"] == "4500.5" and rows[0]["employer_uscc"] is None
    assert rows[1]["monthly_base"] == "3000" and rows[1]["birth_date"] is None


def test_same_file_twice_creates_no_second_batch(settings, catalog):
    entry = catalog.get("gongan.huji")
    first = ingest_file(settings, entry, deliver_csv(settings, entry, "huji_a.csv", HUJI_ROWS))
    snap = snapshot_id(settings, entry)
    # the department sends the same content again, even under another name
    again = ingest_file(
        settings, entry, deliver_csv(settings, entry, "huji_a_resend.csv", HUJI_ROWS)
    )
    assert again.status == "duplicate" and again.batch_id == first.batch_id
    assert snapshot_id(settings, entry) == snap
    assert len(raw_rows(settings, entry)) == 3
    (m,) = manifests(settings, entry)
    assert [r["file_name"] for r in m.redeliveries] == ["huji_a_resend.csv"]
    assert discover(settings, entry) == []


def test_new_content_is_a_new_batch(settings, catalog):
    entry = catalog.get("gongan.huji")
    a = ingest_file(settings, entry, deliver_csv(settings, entry, "d1.csv", HUJI_ROWS[:2]))
    b = ingest_file(settings, entry, deliver_csv(settings, entry, "d2.csv", HUJI_ROWS[2:]))
    assert a.batch_id != b.batch_id
    rows = raw_rows(settings, entry)
    assert len(rows) == 3 and {r["_batch_id"] for r in rows} == {a.batch_id, b.batch_id}
    status = {s.dataset: s for s in dataset_status(settings, catalog)}["gongan.huji"]
    assert (status.batches, status.rows, status.manifest_rows, status.quarantined) == (2, 3, 3, 0)


def _assert_refused(settings, entry, path, *fragments):
    before = snapshot_id(settings, entry)
    rows_before = len(raw_rows(settings, entry))
    with pytest.raises(ContractError) as exc:
        ingest_file(settings, entry, path)
    msg = str(exc.value)
    assert path.name in msg
    for f in fragments:
        assert f in msg, msg
    # moved to quarantine with a reason; nothing published changed
    assert not path.exists()
    qdir = settings.quarantine_dir / entry.department / entry.dataset
    reasons = [json.loads(p.read_text(encoding="utf-8")) for p in qdir.glob("*.reason.json")]
    assert any(r["file"] == path.name and fragments[0] in r["reason"] for r in reasons)
    assert snapshot_id(settings, entry) == before
    assert len(raw_rows(settings, entry)) == rows_before
    assert manifests(settings, entry) == [] or all(
        m.file_name != path.name for m in manifests(settings, entry)
    )
    return msg


def test_undecodable_bytes_are_refused_with_line(settings, catalog):
    entry = catalog.get("gongan.huji")
    ingest_file(settings, entry, deliver_csv(settings, entry, "good.csv", HUJI_ROWS))
    path = deliver_csv(settings, entry, "corrupt.csv", HUJI_ROWS[:1])
    data = path.read_bytes() + b"450102199003071234,\x81\xff\xfe,x,1990-01-01,,addr,\r\n"
    path.write_bytes(data)
    _assert_refused(settings, entry, path, "line 3", "not valid gbk")


def test_missing_and_unknown_columns_are_refused(settings, catalog):
    entry = catalog.get("gongan.huji")
    header = [it.column for it in entry.items]
    path = deliver_csv(
        settings,
        entry,
        "no_minzu.csv",
        [r[:4] + r[5:] for r in HUJI_ROWS],
        header=[h for h in header if h != "民族"],
    )
    _assert_refused(settings, entry, path, "missing column(s) '民族'")
    path = deliver_csv(
        settings, entry, "extra.csv", [r + ["x"] for r in HUJI_ROWS], header=header + ["备注"]
    )
    _assert_refused(settings, entry, path, "unknown column(s) '备注'")


def test_ragged_row_wrong_type_and_empty_extract_are_refused(settings, catalog):
    entry = catalog.get("gongan.huji")
    path = deliver_csv(settings, entry, "ragged.csv", [HUJI_ROWS[0], HUJI_ROWS[1][:5]])
    _assert_refused(settings, entry, path, "row 2 (line 3): 5 fields, the header has 7")

    qiye = catalog.get("shichang.qiye")
    row = [
        "91450100MA5K00000X",
        "",
        "某公司",
        "有限责任公司",
        "张三",
        "",
        "广西南宁",
        "一百万",
        "2020-01-01",
        "存续",
    ]
    path = deliver_csv(settings, qiye, "qiye.csv", [row])
    _assert_refused(
        settings,
        qiye,
        path,
        "row 1 (line 2), column '注册资本（万元）': '一百万' is not a valid decimal",
    )

    path = deliver_csv(settings, entry, "empty.csv", [])
    _assert_refused(settings, entry, path, "no data rows")


def test_jsonl_nested_value_and_unknown_key_are_refused(settings, catalog):
    entry = catalog.get("renshe.shebao")
    folder = settings.landing_dir / "renshe" / "shebao"
    folder.mkdir(parents=True)
    path = folder / "bad.jsonl"
    path.write_text(
        '{"sfzh": {"a": 1}, "xm": "x", "xz": "失业保险", "cbrq": "2020-01-01"}\n', encoding="utf-8"
    )
    _assert_refused(
        settings, entry, path, "row 1 (line 1), key 'sfzh': a dict where string is expected"
    )
    path.write_text(
        '{"sfzh": "1", "xm": "x", "xz": "失业保险", "cbrq": "2020-01-01", "ssn": 1}\n',
        encoding="utf-8",
    )
    _assert_refused(settings, entry, path, "unknown key(s) 'ssn'")


def test_broken_xlsx_is_refused(settings, catalog):
    entry = catalog.get("minzheng.hunyin")
    folder = settings.landing_dir / "minzheng" / "hunyin"
    folder.mkdir(parents=True)
    path = folder / "hunyin.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    _assert_refused(settings, entry, path, "not a readable .xlsx workbook")


def test_crash_after_commit_is_recovered_without_second_batch(settings, catalog):
    entry = catalog.get("gongan.huji")
    path = deliver_csv(settings, entry, "huji.csv", HUJI_ROWS)
    content = path.read_bytes()
    first = ingest_file(settings, entry, path)
    # simulate a crash after the Iceberg commit: manifest and raw copy lost, file still in landing
    bdir = settings.raw_dir / "gongan" / "huji" / first.batch_id
    for p in bdir.iterdir():
        os.chmod(p, 0o644)
        p.unlink()
    path.write_bytes(content)
    again = ingest_file(settings, entry, path)
    assert again.status == "published" and again.batch_id == first.batch_id and again.rows == 3
    assert len(raw_rows(settings, entry)) == 3
    assert (bdir / "manifest.json").exists() and (bdir / "huji.csv").read_bytes() == content


def test_failed_audit_leaves_published_table_as_it_was(settings):
    lake = Lake(settings)
    schema = pa.schema([pa.field("v", pa.string()), pa.field("_batch_id", pa.string())])
    table = lake.ensure_table("staging", "t", schema, partition_by=["_batch_id"])

    def write(batch, n):
        import pyarrow.parquet as pq

        uri = lake.new_data_path(table, f"_batch_id={batch}")
        fs, p = lake.filesystem(uri)
        fs.create_dir(p.rsplit("/", 1)[0], recursive=True)
        pq.write_table(
            pa.table({"v": ["x"] * n, "_batch_id": [batch] * n}, schema=schema), p, filesystem=fs
        )
        return uri, p

    uri, _ = write("b1", 4)
    lake.publish_files(table, [uri], properties={"jutong.batch_id": "b1"}, audit=lambda t, s: None)
    published = table.refresh().current_snapshot().snapshot_id
    seen_on_branch = []

    def refuse(t, sid):
        seen_on_branch.append(t.scan(snapshot_id=sid).to_arrow().num_rows)
        assert t.scan().to_arrow().num_rows == 4  # readers of main do not see the write
        raise AuditError("refused")

    uri, path = write("b2", 3)
    with pytest.raises(AuditError):
        lake.publish_files(table, [uri], properties={"jutong.batch_id": "b2"}, audit=refuse)
    table = table.refresh()
    assert seen_on_branch == [7]
    assert table.current_snapshot().snapshot_id == published
    assert table.scan().to_arrow().num_rows == 4
    assert [r for r in table.refs()] == ["main"]
    assert not Path(path).exists()


def test_discover_skips_partial_and_hidden_files(settings, catalog):
    entry = catalog.get("gongan.huji")
    folder = settings.landing_dir / "gongan" / "huji"
    folder.mkdir(parents=True)
    for name in ["a.csv", "b.csv.part", ".c.csv", "d.txt", "_e.csv"]:
        (folder / name).write_text("x", encoding="utf-8")
    assert [p.name for p in discover(settings, entry)] == ["a.csv"]
