"""The ledger as an .xlsx workbook, laid out the way an association files it: a title row,
one row per activity with its headcounts, and a second sheet with every attendance record."""
from __future__ import annotations

import io

from openpyxl import Workbook
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


def _sheet(ws, title: str, columns, rows) -> None:
    # Every text goes in as text (server/xlsx.py): titles, names, reasons and minutes are typed
    # by people and must never become formulas.
    xlsx.append(ws, [title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws["A1"].font, ws["A1"].alignment = Font(size=14, bold=True), Alignment(horizontal="center")
    xlsx.append(ws, [name for name, _ in columns])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        xlsx.append(ws, row)
    for index, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"


def build(data: dict) -> bytes:
    workbook = Workbook()
    activities = workbook.active
    activities.title = "活动台账"
    rows = []
    for number, a in enumerate(data["activities"], start=1):
        starts, ends = a["starts_at"].astimezone(SHANGHAI), a["ends_at"].astimezone(SHANGHAI)
        rate = f"{a['present'] / a['expected']:.0%}" if a["expected"] else ""
        rows.append([number, starts.strftime("%Y-%m-%d"), f"{starts:%H:%M}-{ends:%H:%M}", a["kind_label"], a["title"],
                     a["org__name"], a["place"], "是" if a["counts_as_training"] else "否", a["expected"],
                     a["present"], a["leave"], a["absent"], rate, a["minutes"][:500],
                     "已取消" if a["status"] == "cancelled" else ""])
    _sheet(activities, f"{data['org_name']} {data['year']} 年党员活动台账", ACTIVITY_COLUMNS, rows)

    details = workbook.create_sheet("签到明细")
    _sheet(details, f"{data['org_name']} {data['year']} 年签到明细", ATTENDANCE_COLUMNS, [
        [r["activity__starts_at"].astimezone(SHANGHAI).strftime("%Y-%m-%d"), r["activity__title"], r["member__name"],
         CATEGORIES.get(r["member__category"], r["member__category"]), ATTENDANCE_STATUSES.get(r["status"], r["status"]),
         ATTENDANCE_METHODS.get(r["method"], r["method"]),
         r["recorded_at"].astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"), r["note"]]
        for r in data["attendance"]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
