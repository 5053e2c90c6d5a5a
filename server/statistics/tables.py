"""The two market tables and the members' roster as Excel, laid out like the paper forms: title,
填报单位 and dates, the header rows as printed (groups merged over their columns), a 合计 row,
the signature line; borders, landscape, fitted to the page's width. Text cells are text
(as server.xlsx does). Made from a snapshot's frozen figures, off the event loop: openpyxl's
write-only mode writes the title and the header, the rows are spooled as sheet XML and spliced in."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from server import xlsx
from server.markets.models import MARKET_KINDS, ORG_FORMS, ORG_LEVELS
from server.members.models import CATEGORIES, PLACEMENTS, STANDINGS

THIN = Side(style="thin")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
TITLE = Font(name="黑体", size=16, bold=True)
BOLD = Font(bold=True)
CENTRE = Alignment(wrap_text=True, vertical="center", horizontal="center")
LEFT = Alignment(wrap_text=True, vertical="center", horizontal="left")
YES = {True: "有", False: "无"}
STARS = "一二三四五"

# (group printed above, column label): the market party-building table (商品交易市场党建情况统计表).
MARKET_COLUMNS = [
    (None, "序号"), (None, "市场名称"), (None, "市场类型"), (None, "星级"), (None, "市场地址"), (None, "举办者"),
    (None, "举办者联系人"), (None, "属六化范围"), (None, "经营户数"), (None, "市场内党员数"),
    ("组织关系所在", "协会隶属"), ("组织关系所在", "市场"), ("组织关系所在", "属地"), ("组织关系所在", "流动"),
    ("党员成分", "业主"), ("党员成分", "从业人员"), ("党员类别", "正式"), ("党员类别", "预备"),
    ("市场党组织", "组建方式"), ("市场党组织", "建制"), ("市场党组织", "党组织名称"), ("市场党组织", "书记"),
    ("党建保障", "党务工作者"), ("党建保障", "党员活动室"), ("党建保障", "党务公开栏"), ("党建保障", "经费（元/年）"),
    ("三亮牌", "已发放"), ("三亮牌", "抽查悬挂"), (None, "六化达标"), (None, "备注"),
]
MARKET_SUMMED = ("vendor_count", "members", "association", "market", "local", "floating", "owners", "employees", "full",
                 "probationary", "funds_yuan", "plates_issued", "plates_hung")

COUNT_COLUMNS = [
    (None, "序号"), (None, "区县"), (None, "市场总数"),
    *(("按类型", label) for label in MARKET_KINDS.values()),
    *(("按星级", f"{STARS[n]}星") for n in range(5)),
    (None, "属六化范围"), (None, "六化达标"),
    ("已建党组织", "小计"), ("已建党组织", "单独组建"), ("已建党组织", "联合或区域性"),
    ("党组织建制", "党委"), ("党组织建制", "党总支"), ("党组织建制", "党支部"),
    (None, "有3名以上正式党员未建党组织"), (None, "有党员但不足3名"), (None, "无党员"),
    (None, "经营户数（户）"), (None, "党员数（人）"), (None, "党组织覆盖率（%）"),
]
COUNT_KEYS = ("markets", *(f"kind_{k}" for k in MARKET_KINDS), *(f"stars_{n}" for n in range(1, 6)), "in_scope", "met",
              "with_org", "single", "joint", "committee", "general_branch", "branch", "enough_no_org", "under_three",
              "no_members", "vendors", "members")

ROSTER_COLUMNS = [(None, label) for label in (
    "序号", "单位名称", "党员姓名", "手机号码", "是否业主", "户籍所在地（区县）", "组织生活所在辖区党组织", "组织关系所在地党组织",
    "党员类别", "党员分布", "所属市场", "摊位号", "党员身份", "填表人", "填表人电话", "填表日期")]


def _cell(ws, value, *, bold: bool = False, boxed: bool = True, centre: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = TYPE_STRING  # text stays text, even "=..."
    if boxed:
        cell.border = BOX
    cell.alignment = CENTRE if centre or isinstance(value, (int, float)) else LEFT
    if bold:
        cell.font = BOLD
    return cell


def _layout(book: Workbook, name: str, title: str, info: str, columns: list[tuple[str | None, str]], rows, total: list | None,
            footer: str, widths: dict[int, int]) -> xlsx.RowSpool:
    """One sheet in a write-only workbook: openpyxl writes the title and the header, the rows
    stream into a spool as they are made (a city's roster of 50 000 members never sits in memory
    as cells); `_save` splices them in."""
    ws = book.create_sheet(name)
    width = len(columns)
    for index in range(1, width + 1):  # before the first row, or write-only mode ignores them (and the page's fit)
        ws.column_dimensions[get_column_letter(index)].width = widths.get(index, 9)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    heading = WriteOnlyCell(ws, value=title)
    heading.font, heading.alignment = TITLE, Alignment(horizontal="center")
    ws.append([heading])
    ws.merged_cells.add(f"A1:{get_column_letter(width)}1")
    ws.append([_cell(ws, info, boxed=False)])
    ws.merged_cells.add(f"A2:{get_column_letter(width)}2")
    two_rows = any(group for group, _ in columns)
    for header_row in (3, 4) if two_rows else (3,):  # before the rows: labels wrap onto a second line
        ws.row_dimensions[header_row].height = 30
    ws.append([_cell(ws, group or label, bold=True, centre=True) for group, label in columns])
    header_end = 3
    if two_rows:
        ws.append([_cell(ws, label if group else None, bold=True, centre=True) for group, label in columns])
        header_end = 4
        start = 1
        while start <= width:
            group = columns[start - 1][0]
            end = start
            while group and end < width and columns[end][0] == group:
                end += 1
            last = get_column_letter(end) if group else get_column_letter(start)
            ws.merged_cells.add(f"{get_column_letter(start)}3:{last}{3 if group else 4}")
            start = end + 1
    # The rows, the 合计 and the signature line go in as sheet XML (xlsx.RowSpool): a city's roster
    # is 800 000 cells, and openpyxl styling and writing each one took three times a bare workbook.
    spool = xlsx.RowSpool(name, first_row=header_end + 1, columns=width)
    plain, bold = ({number: _cell(ws, 0 if number else "", bold=heavy).style_id for number in (False, True)}
                   for heavy in (False, True))
    for row in rows:
        spool.append(row, [plain[isinstance(value, (int, float))] for value in row])
    if total is not None:
        spool.append(total, [bold[isinstance(value, (int, float))] for value in total])
        ws.merged_cells.add(f"A{spool.rows}:B{spool.rows}")
    spool.append([footer], [_cell(ws, footer, boxed=False).style_id])
    ws.merged_cells.add(f"A{spool.rows}:{get_column_letter(width)}{spool.rows}")  # as wide as the table, as the 填报 line
    ws.print_title_rows = f"3:{header_end}"
    return spool


def _info(figures: dict, filed_on: str) -> str:
    return f"填报单位：{figures['org_name']}    统计日期：{figures['as_of']}    填报日期：{filed_on}    单位：个、人"


def _save(book: Workbook, spool: xlsx.RowSpool) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return xlsx.splice(out.getvalue(), [spool])


def market_row(index: int, m: dict) -> list:
    return [
        index, m["name"], MARKET_KINDS.get(m["kind"], m["kind"]), f"{STARS[m['stars'] - 1]}星" if m["stars"] else "",
        m["address"], m["operator_name"], m["operator_contact"], "是" if m["in_scope"] else "否", m["vendor_count"],
        m["members"], m["association"], m["market"], m["local"], m["floating"], m["owners"], m["employees"],
        m["full"], m["probationary"], ORG_FORMS.get(m["org_form"], "未建"), ORG_LEVELS.get(m["org_level"], ""),
        m["org_name"], m["secretary"], "、".join(m["workers"]), YES[m["has_room"]], YES[m["has_board"]],
        m["funds_yuan"] or 0, m["plates_issued"], m["plates_hung"], "是" if m["met"] else "否", _remark(m),
    ]


def _remark(m: dict) -> str:
    if not m["org_form"] and m["full"] >= 3:
        return "有3名以上正式党员，未建党组织"
    if 0 < m["members"] < 3:
        return "有党员但不足3名"
    return "无党员" if m["members"] == 0 else ""


def markets_workbook(figures: dict, filed_on: str) -> bytes:
    book = Workbook(write_only=True)
    rows = [market_row(i, m) for i, m in enumerate(figures["markets"], 1)]
    sums = {key: sum(m[key] or 0 for m in figures["markets"]) for key in MARKET_SUMMED}
    total = ["合计", None, None, None, None, None, None, sum(m["in_scope"] for m in figures["markets"]),
             sums["vendor_count"], sums["members"], sums["association"], sums["market"], sums["local"],
             sums["floating"], sums["owners"], sums["employees"], sums["full"], sums["probationary"],
             sum(m["org_form"] is not None for m in figures["markets"]), None, None, None, None,
             sum(m["has_room"] for m in figures["markets"]), sum(m["has_board"] for m in figures["markets"]),
             sums["funds_yuan"], sums["plates_issued"], sums["plates_hung"], sum(m["met"] for m in figures["markets"]), None]
    spool = _layout(book, "党建情况统计表", "商品交易市场（含农贸市场）党建情况统计表", _info(figures, filed_on), MARKET_COLUMNS, rows, total,
            "填表人：＿＿＿＿    联系电话：＿＿＿＿    审核人：＿＿＿＿", {2: 20, 5: 22, 6: 18, 7: 16, 21: 16, 23: 14, 30: 24})
    return _save(book, spool)


def counts_workbook(figures: dict, filed_on: str) -> bytes:
    book = Workbook(write_only=True)
    rows = []
    for i, d in enumerate(figures["districts"], 1):
        rows.append([i, d["district"], *(d[key] for key in COUNT_KEYS), coverage(d)])
    total_row = {key: sum(d[key] for d in figures["districts"]) for key in COUNT_KEYS}
    total = ["合计", None, *(total_row[key] for key in COUNT_KEYS), coverage(total_row)]
    spool = _layout(book, "数量统计表", "商品交易市场（含农贸市场）数量统计表", _info(figures, filed_on), COUNT_COLUMNS, rows, total,
            "填表人：＿＿＿＿    联系电话：＿＿＿＿    填报日期：＿＿＿＿", {2: 14, 21: 14, 22: 12})
    return _save(book, spool)


def coverage(row: dict) -> float:
    return round(100 * row["with_org"] / row["markets"], 1) if row["markets"] else 0.0


def roster_row(index: int, r: dict) -> list:
    return [index, r["unit_name"], r["name"], r["mobile"], "是" if r["is_owner"] else "否", r["household_district"],
            r["life_org_name"], r["home_org"], STANDINGS.get(r["standing"], r["standing"]).removesuffix("党员"),
            PLACEMENTS.get(r["placement"], r["placement"]), r["market_name"] or "", r["stall_no"] or "",
            CATEGORIES.get(r["category"], r["category"]), r["filled_by_name"] or "", r["filled_by_phone"] or "",
            r["filled_on"].isoformat() if r["filled_on"] else ""]


def roster_workbook(figures: dict, rows: list[dict], filed_on: str) -> bytes:
    book = Workbook(write_only=True)
    spool = _layout(book, "党建信息登记表", "个体工商户党建信息登记表（汇总）", _info(figures, filed_on).removesuffix("    单位：个、人"), ROSTER_COLUMNS,
            (roster_row(i, r) for i, r in enumerate(rows, 1)), None, "填表人：＿＿＿＿    联系电话：＿＿＿＿",
            {2: 20, 3: 10, 4: 13, 6: 12, 7: 20, 8: 24, 10: 16, 11: 18, 13: 10, 16: 11})
    return _save(book, spool)
