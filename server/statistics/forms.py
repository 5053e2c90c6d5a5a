"""The 个体工商户党建信息登记表 for each member of a snapshot, as a printable PDF (fpdf2, A4, one
page a member), laid out like the form at the end of the source document: the title, the date
of filling, the nine fields in the form's order as a ruled grid, the filler's name and phone."""
from __future__ import annotations

from fpdf import FPDF

from server.errors import Conflict
from server.members.models import PLACEMENTS, STANDINGS
from server.pdffonts import FONT, add_cjk

# A form a page: a branch's members print in seconds; a city's 50 000 would be minutes of a web
# worker's thread and gigabytes, and nobody prints them at once. Above this, print each branch's.
PAGES_LIMIT = 1000
LABEL_WIDTH = 62
ROW_HEIGHT = 13


class FormsTooLarge(Conflict):
    code = "forms_too_large"
    message = f"一次最多打印 {PAGES_LIMIT} 份登记表：请打开下级组织的统计分别打印，或只打印一名党员的"


def fields(r: dict) -> list[tuple[str, str]]:
    district = r["household_district"] or ""
    life_org = r["life_org_name"] or ""
    return [
        ("单位名称", r["unit_name"]),
        ("党员姓名", r["name"]),
        ("手机号码", r["mobile"]),
        ("是否业主", "是" if r["is_owner"] else "否"),
        ("户籍所在地", district if district.endswith(("区", "县", "市")) else f"{district}区县(市)"),
        ("组织生活所在辖区党组织", life_org),
        ("组织关系所在地党组织", r["home_org"]),
        ("党员类别", STANDINGS.get(r["standing"], r["standing"]).removesuffix("党员")),
        ("党员分布", PLACEMENTS.get(r["placement"], r["placement"])
         + (f"（{r['market_name']} {r['stall_no'] or ''}）".replace(" ）", "）") if r["market_name"] else "")),
    ]


def build(rows: list[dict], font: str | None = None) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title("个体工商户党建信息登记表")
    add_cjk(pdf, font)
    for r in rows:
        pdf.add_page()
        pdf.set_font(FONT, "B", 20)
        pdf.set_y(28)
        pdf.cell(0, 12, "个体工商户党建信息登记表", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 11)
        filled = r["filled_on"]
        date = f"{filled.year} 年 {filled.month} 月 {filled.day} 日" if filled else "     年    月    日"
        pdf.cell(0, 10, f"填表日期：{date}", align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        value_width = pdf.epw - LABEL_WIDTH
        for label, value in fields(r):
            pdf.set_font(FONT, "B", 12)
            pdf.cell(LABEL_WIDTH, ROW_HEIGHT, label, border=1, align="C")
            pdf.set_font(FONT, "", 12)
            pdf.cell(value_width, ROW_HEIGHT, f"  {value}", border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        pdf.set_font(FONT, "", 11)
        pdf.cell(0, 8, f"填表人姓名：{r['filled_by_name'] or '＿＿＿＿'}        联系电话：{r['filled_by_phone'] or '＿＿＿＿'}",
                 new_x="LMARGIN", new_y="NEXT")
    if not rows:
        pdf.add_page()
        pdf.set_font(FONT, "", 12)
        pdf.cell(0, 10, "这份统计里没有党员。", align="C")
    return bytes(pdf.output())
