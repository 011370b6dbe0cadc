"""Excel as departments send it: the catalog's sheet, other sheets refused unless listed,
merged cells, formulas without a saved value and numbers in text columns refused with sheet
and cell, date serials read as dates — and nothing published changes after a refusal."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from jutong.catalog import load_catalog
from jutong.ingest import ContractError, ingest_file
from tests.ingest.extracts import raw_rows, snapshot_id

OFFICE = "南宁市兴宁区民政局婚姻登记处"


def _row(i: int, **change) -> list:
    row = {
        "登记证字号": f"J450102-2020-{i:06d}",
        "登记类型": "结婚",
        "男方姓名": "韦小宝",
        "男方身份证号": "450102199003071234",
        "女方姓名": "莫小红",
        "女方身份证号": "450102199105082345",
        "登记日期": dt.datetime(2020, 5, 20),
        "登记机关": OFFICE,
    }
    row.update(change)
    return list(row.values())


def _workbook(entry, sheets: dict[str, list[list]]) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        ws.append([it.column for it in entry.items])
        for r in rows:
            ws.append(r)
    return wb


def _save(settings, entry, wb, name: str):
    folder = settings.landing_dir / entry.department / entry.dataset
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


@pytest.fixture()
def hunyin(settings, catalog):
    """minzheng.hunyin with one published batch."""
    entry = catalog.get("minzheng.hunyin")
    wb = _workbook(entry, {entry.extract.sheet: [_row(1)]})
    ingest_file(settings, entry, _save(settings, entry, wb, "first.xlsx"))
    return entry


def _refused(settings, entry, path, *fragments) -> str:
    before = (snapshot_id(settings, entry), raw_rows(settings, entry))
    with pytest.raises(ContractError) as exc:
        ingest_file(settings, entry, path)
    msg = str(exc.value)
    for f in fragments:
        assert f in msg, msg
    assert (snapshot_id(settings, entry), raw_rows(settings, entry)) == before
    (reason,) = (settings.quarantine_dir / entry.department / entry.dataset).glob(
        f"*_{path.name}.reason.json"
    )
    assert fragments[0] in json.loads(reason.read_text(encoding="utf-8"))["reason"]
    return msg


def test_a_second_sheet_with_data_is_refused(settings, hunyin):
    wb = _workbook(hunyin, {hunyin.extract.sheet: [_row(2)], "补录": [_row(3)]})
    wb.create_sheet("空白")  # an empty sheet is no problem
    path = _save(settings, hunyin, wb, "two_sheets.xlsx")
    _refused(
        settings,
        hunyin,
        path,
        "sheet(s) '补录' hold data, but catalog entry minzheng.hunyin reads only '婚姻登记'",
    )


def test_sheets_listed_in_the_catalog_are_ingested_with_their_name(settings):
    yaml_path = settings.catalog_dir / "minzheng" / "hunyin.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(
        text.replace("  sheet: 婚姻登记\n", "  sheet: 婚姻登记\n  sheets: [补录]\n"),
        encoding="utf-8",
    )
    entry = load_catalog(settings.catalog_dir).get("minzheng.hunyin")
    wb = _workbook(entry, {"婚姻登记": [_row(1), _row(2)], "补录": [_row(3)]})
    result = ingest_file(settings, entry, _save(settings, entry, wb, "both.xlsx"))
    assert result.rows == 3
    rows = raw_rows(settings, entry)
    assert [r["certificate_no"][-1] for r in rows] == ["1", "2", "3"]
    assert [r["_row_number"] for r in rows] == [1, 2, 3]
    base = f"raw/minzheng/hunyin/{result.batch_id}/both.xlsx"
    assert [r["_source_file"] for r in rows] == [f"{base}#sheet=婚姻登记"] * 2 + [
        f"{base}#sheet=补录"
    ]


def test_merged_cells_are_refused_with_sheet_and_cells(settings, hunyin):
    wb = _workbook(hunyin, {hunyin.extract.sheet: [_row(2), _row(3, 登记机关=None)]})
    wb.active.merge_cells("H2:H3")
    path = _save(settings, hunyin, wb, "merged.xlsx")
    _refused(settings, hunyin, path, "sheet '婚姻登记' cells H2:H3: merged cells (only H2 holds")


def test_a_formula_without_a_saved_value_is_refused(settings, hunyin):
    wb = _workbook(hunyin, {hunyin.extract.sheet: [_row(2, 登记机关='=CONCAT("南宁","市")')]})
    path = _save(settings, hunyin, wb, "formula.xlsx")
    _refused(settings, hunyin, path, "sheet '婚姻登记' cell H2: a formula without a saved value")


def test_an_identifier_stored_as_a_number_is_refused_with_its_cell(settings, hunyin):
    rows = [_row(2), _row(3, 男方身份证号=450102199003071234)]
    path = _save(settings, hunyin, _workbook(hunyin, {hunyin.extract.sheet: rows}), "num.xlsx")
    msg = _refused(
        settings,
        hunyin,
        path,
        "sheet '婚姻登记' cell D3 (column '男方身份证号'): a number where text is expected",
    )
    assert "450102199003071234" not in msg and "4.501" not in msg


def test_date_serials_are_read_as_dates_where_the_catalog_says_date(settings, hunyin):
    rows = [_row(2, 登记日期=43971), _row(3, 登记日期=43971.0), _row(4, 登记日期="2020-05-21")]
    path = _save(settings, hunyin, _workbook(hunyin, {hunyin.extract.sheet: rows}), "d.xlsx")
    result = ingest_file(settings, hunyin, path)
    assert result.rows == 3
    rows = raw_rows(settings, hunyin)
    got = [r["registered_on"] for r in rows if r["_batch_id"] == result.batch_id]
    assert got == ["2020-05-20", "2020-05-20", "2020-05-21"]
