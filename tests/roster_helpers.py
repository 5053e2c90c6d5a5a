"""Roster workbooks for the import tests: the template's header and rows of values."""
from __future__ import annotations

import io

from openpyxl import Workbook

from server.members.roster import HEADERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def row(**values) -> dict:
    """One member by header, good unless overridden."""
    base = {"党员姓名": "赵一", "手机号码": "13900001001", "性别": "男", "单位名称": "赵一百货", "是否业主": "是",
            "户籍所在地（区县）": "上城区", "组织生活所在党组织": None, "组织关系所在地党组织": "上城区个私协会党委",
            "党员类别": "隶属党员", "正式/预备": "正式党员", "党员分布": "个体工商户", "所属市场": None, "摊位号": None,
            "入党日期": "2005-07-01", "转正日期": "2006-07-01", "经营状态": None, "外出经营开始日期": None,
            "列入名册日期": "2020-01-01"}
    base.update(values)
    return base


def workbook(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "名册"
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(header) for header in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
