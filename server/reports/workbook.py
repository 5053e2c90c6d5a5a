"""The ledger as an .xlsx workbook, laid out the way an association files it: a title row,
one row per activity with its headcounts, and a second sheet with every attendance record.

Written in openpyxl's write-only mode, sheet after sheet and the attendance in chunks as they
come from the database (LedgerBook), so a city's year (100 000 sign-ins) keeps memory flat; the
calls are made in a thread (server/reports/routes.py), never on the event loop.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from server import xlsx
from server.activities.models import ATTENDANCE_METHODS, ATTENDANCE_STATUSES
from server.clock import SHANGHAI
from server.members.models import CATEGORIES

ACTIVITY_COLUMNS = [("序号", 6), ("日期", 12), ("时间", 13), ("类型", 12), ("主题", 28), ("组织", 22), ("地点", 20),
                    ("计入培训", 9), ("应到", 7), ("出席", 7), ("请假", 7), ("缺席", 7), ("出席率", 8),
                    ("会议记录", 40), ("状态", 8)]
ATTENDANCE_COLUMNS = [("日期", 12), ("活动", 28), ("姓名", 10), ("党员类别", 10), ("签到情况", 9), ("记录方式", 10),
                      ("记录时间", 18), ("备注", 24)]
# The attendance rows LedgerBook.attendance takes, as the service reads them (values_list).
ATTENDANCE_FIELDS = ("activity__starts_at", "activity__title", "member__name", "member__category", "status", "method",
                     "recorded_at", "note")


class LedgerBook:
    def __init__(self, org_name: str, year: int) -> None:
        self.org_name, self.year = org_name, year
        self.book = Workbook(write_only=True)
        self.details = None

    def _sheet(self, name: str, title: str, columns):
        # Every text goes in as text (server/xlsx.py): titles, names, reasons and minutes are typed
        # by people and must never become formulas.
        ws = self.book.create_sheet(name)
        for index, (_, width) in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A3"
        heading = WriteOnlyCell(ws, value=title)
        heading.font, heading.alignment = Font(size=14, bold=True), Alignment(horizontal="center")
        heading.data_type = "s"
        ws.append([heading])
        ws.merged_cells.add(f"A1:{get_column_letter(len(columns))}1")
        header = []
        for name, _ in columns:
            cell = WriteOnlyCell(ws, value=name)
            cell.font, cell.data_type = Font(bold=True), "s"
            header.append(cell)
        ws.append(header)
        return ws

    def activities(self, activities: list[dict]) -> None:
        ws = self._sheet("活动台账", f"{self.org_name} {self.year} 年党员活动台账", ACTIVITY_COLUMNS)
        for number, a in enumerate(activities, start=1):
            starts, ends = a["starts_at"].astimezone(SHANGHAI), a["ends_at"].astimezone(SHANGHAI)
            rate = f"{a['present'] / a['expected']:.0%}" if a["expected"] else ""
            xlsx.append_row(ws, [
                number, starts.strftime("%Y-%m-%d"), f"{starts:%H:%M}-{ends:%H:%M}", a["kind_label"], a["title"],
                a["org__name"], a["place"], "是" if a["counts_as_training"] else "否", a["expected"], a["present"],
                a["leave"], a["absent"], rate, a["minutes"][:500], "已取消" if a["status"] == "cancelled" else ""])
        self.details = self._sheet("签到明细", f"{self.org_name} {self.year} 年签到明细", ATTENDANCE_COLUMNS)

    def attendance(self, rows) -> None:
        """A chunk of attendance rows (ATTENDANCE_FIELDS order), after activities()."""
        for starts_at, title, name, category, status, method, recorded_at, note in rows:
            xlsx.append_row(self.details, [
                starts_at.astimezone(SHANGHAI).strftime("%Y-%m-%d"), title, name, CATEGORIES.get(category, category),
                ATTENDANCE_STATUSES.get(status, status), ATTENDANCE_METHODS.get(method, method),
                recorded_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"), note])

    def finish(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()
