"""jutong.workbook: what an .xlsx hides from a reader of cell values, found fast."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from jutong.workbook import _STRUCTURE_TAGS, _may_hold, open_read_only, structure_problems

ROWS = [["证号", "姓名"], *[[f"J{i:05d}", f"姓名{i}"] for i in range(50)]]


def _book(path, write_only: bool, extra=None):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("登记") if write_only else wb.active
    if not write_only:
        ws.title = "登记"
    for row in ROWS:
        ws.append(row)
    if extra:
        extra(ws)
    wb.save(path)
    return path


def _rows(wb):
    return [list(r) for r in wb["登记"].iter_rows(values_only=True)]


def test_sheets_with_and_without_dimension_read_as_openpyxl_reads_them(tmp_path):
    """openpyxl 3.1.5 parses a whole sheet to learn it has no <dimension>; ours stops at
    <sheetData> and gives the same rows (bounds known only where the sheet states them)."""
    for write_only in (False, True):
        path = _book(tmp_path / f"b{write_only}.xlsx", write_only)
        theirs = load_workbook(path, read_only=True, data_only=True)
        ours = open_read_only(path)
        try:
            assert _rows(ours) == _rows(theirs) == ROWS
            assert ours["登记"].max_row == theirs["登记"].max_row
            assert (ours["登记"].max_row is None) == write_only  # write-only: no dimension
        finally:
            ours.close()
            theirs.close()


def test_structure_problems_still_found_and_clean_sheets_skip_the_parse(tmp_path):
    clean = _book(tmp_path / "clean.xlsx", False)
    wb = open_read_only(clean)
    assert structure_problems(clean, wb["登记"]) == ([], 0)
    wb.close()

    def merge_and_formula(ws):
        ws["C2"] = "=A2&B2"  # openpyxl saves no value for a formula
        ws.merge_cells("D3:E3")

    bad = _book(tmp_path / "bad.xlsx", False, merge_and_formula)
    wb = open_read_only(bad)
    found, total = structure_problems(bad, wb["登记"])
    wb.close()
    assert total == 2
    assert any("cell C2: a formula without a saved value" in f for f in found)
    assert any("cells D3:E3: merged cells" in f for f in found)


def test_the_byte_search_sees_a_tag_across_chunks_and_with_a_prefix():
    xml = b"<x:worksheet><x:sheetData><x:row><x:c r='A1'><x:f>1+1</x:f></x:c></x:row>"
    for chunk in (1, 3, 8, 64, 1 << 20):
        assert _may_hold(io.BytesIO(xml), _STRUCTURE_TAGS, chunk=chunk), chunk
    plain = b"<worksheet><sheetData><row><c r='A1'><v>1</v></c><font/><fill/></row>"
    assert not _may_hold(io.BytesIO(plain), _STRUCTURE_TAGS, chunk=5)
    assert _may_hold(io.BytesIO(b"<mergeCells><mergeCell ref='A1:B1'/>"), _STRUCTURE_TAGS)
