"""The roster workbook: its columns (those of the 个体工商户党建信息登记表 and the member's status
and dates), reading an uploaded file safely, and turning each row into checked values.

Nothing here touches the database: `read` runs in a thread (a workbook is CPU work), `check_row`
is a pure function. What a row means for the roster (created, updated...) is decided in
server/members/imports.py.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from server.members.models import BUSINESS_STATUSES, CATEGORIES, GENDERS, PLACEMENTS, STANDINGS

TEMPLATE_VERSION = "dangjian-roster-v1"
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 60
MAX_UNPACKED = 200 * 1024 * 1024  # what the file may unpack to: a zip bomb stops here, unread
YES_NO = {"是": True, "否": False}


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool
    kind: str = "text"  # text | mobile | date | choice | yes_no | org | market
    max_length: int = 100
    choices: dict | None = None
    note: str = ""


COLUMNS = [
    Column("党员姓名", "name", True, max_length=50),
    Column("手机号码", "mobile", True, "mobile", note="11 位大陆手机号；按手机号识别同一党员"),
    Column("性别", "gender", False, "choice", choices=GENDERS),
    Column("单位名称", "unit_name", True, max_length=100),
    Column("是否业主", "is_owner", True, "yes_no", note="是 / 否（否为从业人员）"),
    Column("户籍所在地（区县）", "household_district", True, max_length=50),
    Column("组织生活所在党组织", "life_org", True, "org", note="从下拉列表中选择你管辖范围内的基层分会或党支部"),
    Column("组织关系所在地党组织", "home_org", True, max_length=100),
    Column("党员类别", "category", True, "choice", choices=CATEGORIES),
    Column("正式/预备", "standing", True, "choice", choices=STANDINGS),
    Column("党员分布", "placement", True, "choice", choices=PLACEMENTS),
    Column("所属市场", "market", False, "market", note="市场内个体工商户必填"),
    Column("摊位号", "stall_no", False, max_length=30, note="市场内个体工商户必填"),
    Column("入党日期", "joined_party_on", False, "date"),
    Column("转正日期", "full_member_on", False, "date"),
    Column("经营状态", "business_status", False, "choice", choices=BUSINESS_STATUSES, note="不填为正常经营"),
    Column("外出经营开始日期", "away_since", False, "date", note="在本地经营则不填"),
    Column("列入名册日期", "on_roster_since", False, "date", note="新党员从哪天起计入名册；不填为导入当天"),
]
HEADERS = [column.header for column in COLUMNS]
DATE_FORMATS = "Excel 日期、2026/1/5、2026-01-05、2026年1月5日"


class RosterFileError(Exception):
    """The file as a whole cannot be read as a roster: code, Chinese message, and details."""

    def __init__(self, code: str, message: str, **details) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


def _check_package(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise RosterFileError("import_too_large", f"文件太大：名册文件最大 {MAX_BYTES // 1024 // 1024} MB")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = package.namelist()
        unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise RosterFileError("not_xlsx", "这不是 Excel 文件（.xlsx），请用模板填写后上传") from None
    if "xl/workbook.xml" not in names:
        raise RosterFileError("not_xlsx", "这不是 Excel 文件（.xlsx），请用模板填写后上传")
    if unpacked > MAX_UNPACKED:
        raise RosterFileError("import_too_large", "文件解压后过大，请只保留名册数据后再上传")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read(data: bytes) -> list[tuple[int, dict[str, object]]]:
    """The data rows of the first sheet as (row number in Excel, {header: raw value}). Blank rows
    are skipped. Runs in a thread."""
    from openpyxl import load_workbook

    _check_package(data)
    try:
        # read_only streams the sheet; formulas come back as their text ("=…"), never evaluated.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 — openpyxl raises many kinds for a damaged package: one answer
        raise RosterFileError("not_xlsx", "Excel 文件已损坏或不是 .xlsx 格式，请另存为 .xlsx 后上传") from None
    try:
        if "_meta" in book.sheetnames:
            version = _text(next(book["_meta"].iter_rows(max_row=1, max_col=1, values_only=True), [None])[0])
            if version and version != TEMPLATE_VERSION:
                raise RosterFileError("template_version", f"模板版本不对（{version[:40]}），请下载新模板重新填写",
                                      expected=TEMPLATE_VERSION)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_text(v) for v in next(rows, ())[:MAX_COLUMNS + 1]]
        while header and not header[-1]:
            header.pop()
        if len(header) > MAX_COLUMNS:
            raise RosterFileError("template_mismatch", "表头列数过多，请使用名册模板")
        missing = [h for h in HEADERS if h not in header]
        unknown = [h for h in header if h and h not in HEADERS]
        if missing or unknown:
            raise RosterFileError("template_mismatch", "表头与名册模板不一致，请下载模板，按模板的列填写",
                                  missing=missing, unknown=unknown)
        positions = {h: header.index(h) for h in HEADERS}
        found = []
        for number, values in enumerate(rows, start=2):
            values = values[:len(header)]
            if not any(_text(v) for v in values):
                continue
            if len(found) >= MAX_ROWS:
                raise RosterFileError("too_many_rows", f"一次最多导入 {MAX_ROWS} 行，请分成几个文件", limit=MAX_ROWS)
            found.append((number, {h: (values[i] if i < len(values) else None) for h, i in positions.items()}))
        return found
    finally:
        book.close()


def read_checked(data: bytes, today: dt.date) -> list[tuple[int, dict, list[dict]]]:
    """read() and check_row() of every row: (row number, values, errors). Runs in a thread."""
    return [(number, *check_row(raw, today)) for number, raw in read(data)]


_DATE_TEXT = [re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
              re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")]
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value) -> dt.date:
    """An Excel date (a cell formatted as a date, or its serial number) or 2026/1/5, 2026-01-05,
    2026.1.5, 2026年1月5日. ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value <= 2_958_465:
            raise ValueError
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = _text(value).split(" ")[0]
    for pattern in _DATE_TEXT:
        match = pattern.match(text)
        if match:
            return dt.date(*(int(part) for part in match.groups()))
    if text.isdigit():
        return parse_date(int(text))
    raise ValueError


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def check_row(raw: dict[str, object], today: dt.date) -> tuple[dict, list[dict]]:
    """The row's values by field, and its errors [{column, message}] (empty when it is good).
    org and market stay names here; imports.py resolves them."""
    values, errors = {}, []

    def fail(column: Column, message: str) -> None:
        errors.append({"column": column.header, "message": message})

    for column in COLUMNS:
        value = raw.get(column.header)
        text = _text(value)
        if not text:
            if column.required:
                fail(column, "必填")
            values[column.field] = None
            continue
        if column.kind == "date":
            try:
                day = parse_date(value)
            except (ValueError, OverflowError):
                fail(column, f"看不懂的日期「{text[:20]}」，可以写成 {DATE_FORMATS}")
                continue
            if day > today:
                fail(column, "日期不能晚于今天")
            values[column.field] = day
        elif column.kind == "mobile":
            if not _MOBILE.match(text):
                fail(column, "手机号应为 11 位数字，以 1 开头")
            values[column.field] = text
        elif column.kind == "choice":
            by_label = {label: key for key, label in column.choices.items()}
            key = by_label.get(text) or (text if text in column.choices else None)
            if key is None:
                fail(column, "只能填：" + "、".join(column.choices.values()))
            values[column.field] = key
        elif column.kind == "yes_no":
            if text not in YES_NO:
                fail(column, "只能填：是、否")
            values[column.field] = YES_NO.get(text)
        else:  # text, org and market names
            if len(text) > column.max_length:
                fail(column, f"最多 {column.max_length} 个字")
            values[column.field] = text
    if not errors:
        _check_together(values, fail)
    return values, errors


def _check_together(values: dict, fail) -> None:
    by_field = {column.field: column for column in COLUMNS}
    if values["placement"] == "in_market" and not (values["market"] and values["stall_no"]):
        fail(by_field["market" if not values["market"] else "stall_no"], "市场内个体工商户须填写所属市场和摊位号")
    if values["placement"] == "standalone" and values["market"]:
        fail(by_field["market"], "个体工商户（不在市场内）不填所属市场")
    joined = values["joined_party_on"]
    if joined and values["full_member_on"] and values["full_member_on"] < joined:
        fail(by_field["full_member_on"], "转正日期不能早于入党日期")
    if joined and values["away_since"] and values["away_since"] < joined:
        fail(by_field["away_since"], "外出经营开始日期不能早于入党日期")
