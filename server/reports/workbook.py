"""The year's 台账 as an .xlsx workbook, laid out the way an association files it:

- 会议一览: one line per meeting with its headcounts and, for a 支部党员大会, whether it had its
  quorum (a meeting without it is marked in red, never left out);
- 计划完成情况: per org and kind, the periods done, due and overdue;
- 签到明细: every expected or recorded person of every meeting, one per line, for filtering;
- then one sheet per meeting laid out as a printed record page (党支部工作记录): the header block
  (kind, name, time, place, host, recorder, speaker, guests, 应到/实到/请假/缺席), the absentees
  with their reasons, topics, minutes and resolutions with votes, the attendance table, and
  lines for the chair's and recorder's signatures.

Print-ready: A4 portrait, fitted to the page width, the title row repeated on every page, long
text wrapped in rows tall enough for it, Chinese fonts named (宋体 for text, 黑体 for titles).
Written in openpyxl's write-only mode, a meeting at a time as the pages come from the database
(server/reports/ledger.py); the calls are made in a thread, never on the event loop. The many
rows (签到明细, 会议一览, each page's attendance table) are spooled as sheet XML and spliced into
the saved book (xlsx.RowSpool): a city's year is 100 000 of them. Every text goes in as text
(server/xlsx.py): titles, names, reasons and minutes are typed by people.
"""
from __future__ import annotations

import datetime as dt
import io
import math

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from server import xlsx
from server.activities.plan import PLAN_EVERY
from server.clock import SHANGHAI
from server.reports.ledger import PAGES_LIMIT, quorum_text, resolution_text, when

TEXT_FONT, TITLE_FONT = "宋体", "黑体"
SUMMARY_COLUMNS = [("序号", 6), ("日期", 11), ("时间", 12), ("类型", 11), ("会议名称", 26), ("组织", 20), ("地点", 16),
                   ("主持人", 8), ("记录人", 8), ("计入培训", 6), ("应到", 6), ("实到", 6), ("请假", 6), ("缺席", 6),
                   ("出席率", 7), ("法定人数", 10), ("状态", 7), ("台账页", 16)]
PLAN_COLUMNS = [("组织", 24), ("会议类型", 12), ("要求", 12), ("应开期数", 9), ("已完成", 8), ("本期待开", 9),
                ("逾期未开", 9), ("未到期", 8), ("逾期的期", 40)]
DETAIL_COLUMNS = [("日期", 11), ("会议", 26), ("组织", 20), ("姓名", 10), ("党员类别", 10), ("签到情况", 9),
                  ("记录方式", 10), ("记录时间", 17), ("原因或备注", 26)]
# The record page: seven columns whose widths add up to an A4 page's width at 11 pt.
PAGE_COLUMNS = [("序号", 9), ("姓名", 12), ("党员类别", 10), ("签到情况", 9), ("记录方式", 10), ("记录时间", 17),
                ("原因或备注", 24)]
PAGE_WIDTH = sum(width for _, width in PAGE_COLUMNS)
LINE_HEIGHT = 15  # points per wrapped line of 11 pt text
MAX_LINES_PER_ROW = 24  # Excel caps a row at 409 pt; longer text goes on in the next row
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _line_count(paragraph: str, width: float) -> int:
    """Lines a paragraph takes in a cell `width` characters wide (a Chinese character is two):
    row heights follow, since Excel does not grow merged rows by itself."""
    used = sum(1 if ord(char) < 0x2E80 else 2 for char in paragraph)
    return max(1, math.ceil(used / max(width - 1, 1)))


def _chunks(text: str, width: float) -> list[tuple[str, int]]:
    """The text in pieces of at most MAX_LINES_PER_ROW lines, each with its line count: cut
    between paragraphs, and inside one only when it alone is longer than a row can be. The
    pieces joined again are the text: no line break is added."""
    pieces: list[tuple[str, int]] = []
    current: list[str] = []
    lines = 0
    per_row = int(width - 1) * MAX_LINES_PER_ROW  # width units a full row holds
    for paragraph in text.split("\n"):
        while _line_count(paragraph, width) > MAX_LINES_PER_ROW:  # a paragraph too long for one row
            if current:
                pieces.append(("\n".join(current), lines))
                current, lines = [], 0
            used, cut = 0, 0
            for cut, char in enumerate(paragraph):
                used += 1 if ord(char) < 0x2E80 else 2
                if used > per_row:
                    break
            pieces.append((paragraph[:cut], MAX_LINES_PER_ROW))
            paragraph = paragraph[cut:]
        count = _line_count(paragraph, width)
        if current and lines + count > MAX_LINES_PER_ROW:
            pieces.append(("\n".join(current), lines))
            current, lines = [], 0
        current.append(paragraph)
        lines += count
    pieces.append(("\n".join(current), lines))
    return pieces


class _Minutes(dict):
    """When a sign-in was recorded, to the minute in Shanghai time, formatted once a minute: a
    meeting's hundreds of scans fall in a few minutes (emptied for each meeting)."""

    def __missing__(self, minute: int) -> str:
        text = self[minute] = dt.datetime.fromtimestamp(minute * 60, SHANGHAI).strftime("%Y-%m-%d %H:%M")
        return text

    def of(self, person: dict) -> str:
        recorded_at = person["recorded_at"]
        return self[int(recorded_at.timestamp()) // 60] if recorded_at else ""


def sheet_name(page: dict) -> str:
    return f"{page['number']:03d} {page['starts_at'].astimezone(SHANGHAI):%m-%d} {page['kind_label']}"


class LedgerBook:
    def __init__(self, org_name: str, year: int, with_pages: bool = True) -> None:
        self.org_name, self.year, self.with_pages = org_name, year, with_pages
        self.book = Workbook(write_only=True)
        self.summary: list[list] = []
        self._styles: dict[tuple, StyleArray] = {}
        self._minutes = _Minutes()
        # 签到明细 is a city's 100 000 rows: openpyxl writes its title and header, the rows are spooled.
        self._table("签到明细", f"{org_name} {year} 年签到明细", DETAIL_COLUMNS, index=0)
        self.details = xlsx.RowSpool("签到明细", first_row=3, columns=len(DETAIL_COLUMNS))
        self.pages: list[xlsx.RowSpool] = []

    # -- cells ---------------------------------------------------------------------------------
    def _cell(self, ws, value, *, bold=False, size=11, font=TEXT_FONT, align=None, border=True, color=None):
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever it starts with
        # A style is registered with the workbook once; later cells copy its indices (hashing
        # the font, alignment and border objects for every cell was a third of the time).
        key = (bold, size, font, id(align), border, color)
        known = self._styles.get(key)
        if known is not None:
            cell._style = StyleArray(known)
            return cell
        cell.font = Font(name=font, size=size, bold=bold, color=color)
        cell.alignment = align or WRAP
        if border:
            cell.border = BOX
        self._styles[key] = StyleArray(cell._style)
        return cell

    def _style(self, ws, **options) -> int:
        """The workbook's id of a style `_cell` gives (for spooled rows)."""
        return self._cell(ws, None, **options).style_id

    def _print_setup(self, ws, landscape: bool = False) -> None:
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    def _title(self, ws, text: str, columns: int) -> None:
        ws.row_dimensions[1].height = 30
        ws.append([self._cell(ws, text, bold=True, size=16, font=TITLE_FONT, align=CENTER, border=False)])
        ws.merged_cells.add(f"A1:{get_column_letter(columns)}1")

    def _table(self, name: str, title: str, columns, index: int | None = None):
        ws = self.book.create_sheet(name, index)
        for number, (_, width) in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(number)].width = width
        ws.freeze_panes = "A3"
        self._print_setup(ws, landscape=True)
        ws.print_title_rows = "1:2"
        self._title(ws, title, len(columns))
        ws.append([self._cell(ws, name, bold=True, align=CENTER) for name, _ in columns])
        return ws

    # -- one meeting ---------------------------------------------------------------------------
    def meeting(self, page: dict) -> None:
        """A meeting's line in 会议一览, its people in 签到明细 and (with_pages) its record page."""
        starts = page["starts_at"].astimezone(SHANGHAI)
        day = f"{starts:%Y-%m-%d}"
        self._minutes.clear()
        for person in page["people"]:
            self.details.append([day, page["title"], page["org__name"], person["name"], person["category"],
                                 person["status"], person["method"], self._minutes.of(person), person["note"]])
        if self.with_pages:
            self._page(page)
        absent = page["absent"] + page["unrecorded"]
        quorum = page["quorum"]
        rate = f"{page['present'] / page['expected']:.0%}" if page["expected"] else ""
        self.summary.append([
            page["number"], f"{starts:%Y-%m-%d}", f"{starts:%H:%M}-{page['ends_at'].astimezone(SHANGHAI):%H:%M}",
            page["kind_label"], page["title"], page["org__name"], page["place"], page["host"], page["recorder"],
            "是" if page["counts_as_training"] else "否", page["expected"], page["present"], page["leave"], absent,
            rate, "" if quorum is None else ("达到" if quorum["met"] else "未达到"),
            "已取消" if page["status"] == "cancelled" else "", sheet_name(page) if self.with_pages else "按组织下载"])

    def _page(self, page: dict) -> None:
        ws = self.book.create_sheet(sheet_name(page))
        for number, (_, width) in enumerate(PAGE_COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(number)].width = width
        self._print_setup(ws)
        ws.print_title_rows = "1:1"
        self._title(ws, f"{page['org__name']}　{page['kind_label']}记录", len(PAGE_COLUMNS))
        self.row = 1
        absent = page["absent"] + page["unrecorded"]
        self._pair(ws, "会议类别", page["kind_label"], "会议名称", page["title"])
        self._pair(ws, "时间", when(page), "地点", page["place"])
        self._pair(ws, "主持人", page["host"], "记录人", page["recorder"])
        self._pair(ws, "主讲人", page["speaker"], "列席人员", page["guests"])
        self._pair(ws, "应到人数", page["expected"], "实到人数", page["present"])
        self._pair(ws, "请假人数", page["leave"], "缺席人数",
                   f"{absent}（其中未签到 {page['unrecorded']}）" if page["unrecorded"] else absent)
        if page["quorum"] is not None:
            self._wide(ws, "法定人数", quorum_text(page["quorum"]), alert=not page["quorum"]["met"])
        if page["status"] == "cancelled":
            self._wide(ws, "状态", "已取消", alert=True)
        self._wide(ws, "缺席人员及原因", page["absentees"] or "无")
        self._wide(ws, "会议议题", "\n".join(f"{i}. {t}" for i, t in enumerate(page["topics"], start=1)))
        self._wide(ws, "会议内容", page["minutes"])
        if page["kind"] in ("party_congress", "committee") or page["resolutions"]:
            self._wide(ws, "会议决议", "\n".join(f"{i}. {resolution_text(r)}"
                                               for i, r in enumerate(page["resolutions"], start=1)))
        ws.append([])
        ws.append([self._cell(ws, name, bold=True, align=CENTER) for name, _ in PAGE_COLUMNS])
        # The attendance table and the signature line follow, spooled (a branch's year: 26 000 rows).
        rows = xlsx.RowSpool(ws.title, first_row=self.row + 3, columns=len(PAGE_COLUMNS))  # after those two
        for number, person in enumerate(page["people"], start=1):
            rows.append([number, person["name"], person["category"], person["status"], person["method"],
                         self._minutes.of(person), person["note"]])
        rows.append([])
        signature = self._style(ws, border=False)
        rows.append(["主持人签字：", None, None, "记录人签字："], [signature, None, None, signature])
        self.pages.append(rows)
        ws.close()  # its rows go to disk now: a thousand open sheets would hold a thousand files

    def _pair(self, ws, label_a, value_a, label_b, value_b) -> None:
        self.row += 1
        lines = max(sum(_line_count(p, 21) for p in str(value_a).split("\n")),
                    sum(_line_count(p, 50) for p in str(value_b).split("\n")))
        ws.row_dimensions[self.row].height = max(20, LINE_HEIGHT * min(lines, MAX_LINES_PER_ROW))
        ws.append([self._cell(ws, label_a, bold=True, align=CENTER), self._cell(ws, value_a), self._cell(ws, None),
                   self._cell(ws, label_b, bold=True, align=CENTER), self._cell(ws, value_b), self._cell(ws, None),
                   self._cell(ws, None)])
        ws.merged_cells.add(f"B{self.row}:C{self.row}")
        ws.merged_cells.add(f"E{self.row}:G{self.row}")

    def _wide(self, ws, label: str, text: str, alert: bool = False) -> None:
        """A label and a text across the page, continued on further rows when it is long."""
        parts = _chunks(text, PAGE_WIDTH - PAGE_COLUMNS[0][1])
        first = self.row + 1
        for part, lines in parts:
            self.row += 1
            ws.row_dimensions[self.row].height = max(20, LINE_HEIGHT * lines)
            value = self._cell(ws, part, bold=alert, color="C00000" if alert else None)
            ws.append([self._cell(ws, label if self.row == first else None, bold=True, align=CENTER), value]
                      + [self._cell(ws, None) for _ in range(len(PAGE_COLUMNS) - 2)])
            ws.merged_cells.add(f"B{self.row}:{get_column_letter(len(PAGE_COLUMNS))}{self.row}")
        if len(parts) > 1:
            ws.merged_cells.add(f"A{first}:A{self.row}")

    # -- the overview sheets, written last and put first ----------------------------------------
    def finish(self, plans: list[dict]) -> bytes:
        # A line a meeting: for a city 2 000, spooled like 签到明细 (each cell boxed and wrapped).
        sheet = self._table("会议一览", f"{self.org_name} {self.year} 年三会一课台账", SUMMARY_COLUMNS, index=0)
        summary = xlsx.RowSpool("会议一览", first_row=3, columns=len(SUMMARY_COLUMNS))
        plain = [self._style(sheet)] * len(SUMMARY_COLUMNS)
        alerted = [*plain[:15], self._style(sheet, bold=True, color="C00000"), *plain[16:]]  # 法定人数 未达到
        for row in self.summary:
            summary.append(row, alerted if row[15] == "未达到" else plain)
        if not self.summary:
            summary.append(["本年度没有会议记录"], plain[:1])
        if not self.with_pages:
            summary.append([f"会议超过 {PAGES_LIMIT} 次：每次会议的记录页在各组织自己的台账里，请在计划与台账中选择该组织下载。"],
                           [self._style(sheet, bold=True, border=False)])
        alert = Font(name=TEXT_FONT, size=11, bold=True, color="C00000")
        overview = self._table("计划完成情况", f"{self.org_name} {self.year} 年三会一课计划完成情况", PLAN_COLUMNS, index=1)
        for year_plan in plans:
            for kind in year_plan["kinds"]:
                if not kind["periods"]:
                    continue
                count = {s: [p for p in kind["periods"] if p["status"] == s] for s in ("done", "due", "overdue", "upcoming")}
                cells = [self._cell(overview, value) for value in (
                    year_plan["org_name"], kind["label"], f"{PLAN_EVERY[kind['every']]}至少 {kind['times']} 次",
                    len(kind["periods"]), len(count["done"]), len(count["due"]), len(count["overdue"]),
                    len(count["upcoming"]), "、".join(p["label"] for p in count["overdue"]))]
                if count["overdue"]:
                    cells[6].font = cells[8].font = alert
                overview.append(cells)
        out = io.BytesIO()
        self.book.save(out)
        return xlsx.splice(out.getvalue(), [summary, self.details, *self.pages])
