"""Workbooks of the roster: the import template (drop-downs for every vocabulary and for the
org and market names the caller may use, an instructions sheet, a version mark) and the
export (the same columns, so an export with full mobiles can be corrected and imported back).
Built in a thread; every text goes in as text (server/xlsx.py)."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation

from server import xlsx
from server.members.roster import COLUMNS, DATE_FORMATS, MAX_ROWS, TEMPLATE_VERSION, YES_NO

WIDTHS = {"text": 16, "mobile": 14, "date": 13, "choice": 12, "yes_no": 9, "org": 24, "market": 18}
HEADER_FILL = PatternFill("solid", fgColor="FFF2CC")


def _header(ws) -> None:
    xlsx.append(ws, [column.header for column in COLUMNS])
    for index, (cell, column) in enumerate(zip(ws[1], COLUMNS), start=1):
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = WIDTHS[column.kind]
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30


def _formats(ws, first_row: int, last_row: int) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if column.kind == "date":
            for (cell,) in ws[f"{letter}{first_row}:{letter}{last_row}"]:
                cell.number_format = "yyyy-mm-dd"
        elif column.kind == "mobile":
            for (cell,) in ws[f"{letter}{first_row}:{letter}{last_row}"]:
                cell.number_format = "@"  # text: a mobile is not a number to Excel


def template(org_names: list[str], market_names: list[str]) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "名册"
    _header(ws)
    _formats(ws, 2, 501)
    options = book.create_sheet("选项")
    lists = {"org": org_names or ["（无）"], "market": market_names or ["（无）"]}
    for row, (org, market) in enumerate(zip(lists["org"] + [None] * len(lists["market"]),
                                            lists["market"] + [None] * len(lists["org"])), start=1):
        if org is None and market is None:
            break
        options.cell(row=row, column=1, value=org)
        options.cell(row=row, column=2, value=market)
    for cells in options.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    options.sheet_state = "hidden"
    sheet = quote_sheetname("选项")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if column.kind in ("choice", "yes_no"):
            labels = list(column.choices.values()) if column.kind == "choice" else list(YES_NO)
            rule = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=not column.required)
        elif column.kind in ("org", "market"):
            source = "A" if column.kind == "org" else "B"
            rule = DataValidation(type="list", formula1=f"{sheet}!${source}$1:${source}${len(lists[column.kind])}",
                                  allow_blank=not column.required)
        else:
            continue
        rule.error, rule.errorTitle = "请从下拉列表中选择", column.header
        rule.showErrorMessage = True
        ws.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    _instructions(book.create_sheet("填写说明"))
    return _saved(book, xlsx.append)


def _instructions(ws) -> None:
    lines = [
        ["党员名册导入说明"],
        [],
        ["1. 在“名册”页每行填一名党员，表头不要改动；红色表头为必填。"],
        ["2. 按手机号识别同一党员：名册里已有的党员会被更新，没有的会新建；同一个文件重复导入不会重复建人。"],
        [f"3. 日期可以写成：{DATE_FORMATS}；日期不能晚于今天。"],
        ["4. 组织生活所在党组织、所属市场请从下拉列表中选择；只能导入到你管辖范围内的组织。"],
        [f"5. 一次最多 {MAX_ROWS} 行、10 MB。上传后先检查，列出每一行将新建、更新、不变或出错（标出行和列），"
         "确认无误后再写入；有错误的文件不会写入任何一行。"],
        ["6. 从系统导出的名册手机号默认打码，不能直接再导入；需要修改后导回时，请导出完整手机号。"],
        [],
        ["列", "是否必填", "填写要求"],
    ]
    for column in COLUMNS:
        rule = column.note
        if column.kind == "choice":
            rule = "只能填：" + "、".join(column.choices.values()) + (f"（{column.note}）" if column.note else "")
        elif column.kind == "date":
            rule = (column.note + "；" if column.note else "") + "日期，如 2026-01-05"
        elif column.kind == "text":
            rule = rule or f"最多 {column.max_length} 个字"
        lines.append([column.header, "必填" if column.required else "选填", rule])
    for line in lines:
        xlsx.append(ws, line)
    ws["A1"].font = Font(size=14, bold=True)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width, ws.column_dimensions["C"].width = 22, 10, 80


def export(rows: list[list], title_note: str) -> bytes:
    """rows: values in COLUMNS order (text, numbers, dates, None). openpyxl writes the header; the
    rows go in as sheet XML (xlsx.RowSpool): 20 000 members took 10 s cell by cell, holding the
    web worker's GIL."""
    book = Workbook(write_only=True)
    ws = book.create_sheet("名册")
    for index, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = WIDTHS[column.kind]
    ws.freeze_panes = "A2"
    header = []
    for column in COLUMNS:  # the template's header, as the template shows it
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font, cell.fill = Font(bold=True, color="C00000" if column.required else "000000"), HEADER_FILL
        header.append(cell)
    ws.append(header)
    day = WriteOnlyCell(ws)
    day.number_format = "yyyy-mm-dd"
    styles = [day.style_id if column.kind == "date" else None for column in COLUMNS]
    spool = xlsx.RowSpool("名册", first_row=2, columns=len(COLUMNS))
    for row in rows:
        spool.append([to_excel(value) if isinstance(value, dt.date) else value for value in row], styles)
    xlsx.append_row(book.create_sheet("说明"), [title_note])
    return xlsx.splice(_saved(book, xlsx.append_row), [spool])


def _saved(book, append) -> bytes:
    """The hidden version mark an import checks, then the file."""
    meta = book.create_sheet("_meta")
    append(meta, [TEMPLATE_VERSION])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
