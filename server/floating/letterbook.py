"""The batch's PDF: for each member the 函 to the home branch with its detachable 回执 (QR and
short URL) on the first page, and the 《个体工商户和商品交易市场流动党员双重管理反馈表》 on the
second (FORMS.md §4.1, reconstructed). Text is text in the plates' CJK font; called in a thread."""
from __future__ import annotations

import io

from fpdf import FPDF

import plates
from server.activities.models import ACTIVITY_KINDS
from server.floating.models import COMMENT_GRADES
from server.members.models import GENDERS
from server.pdffonts import FONT, add_cjk

MARGIN = 20.0
LINE = 8.0
ITEMS_SHOWN = 12


def _addressed(org: str) -> str:
    """歙县徽城镇党委 as it is; 歙县徽城镇 → 歙县徽城镇党组织."""
    return org if org.endswith(("党委", "党组织", "支部", "总支", "党工委", "党组")) else f"{org}党组织"


def _day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "____年__月__日"


class LetterBook:
    def __init__(self, org_name: str, year: int, font: str | None = None) -> None:
        self.org_name, self.year = org_name, year
        pdf = self.pdf = FPDF(format="A4")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=15)
        add_cjk(pdf, font)
        pdf.set_title(f"{org_name} {year} 年流动党员双重管理反馈函")
        pdf.set_creator("dangjian")

    def _text(self, text: str, size: float = 12, bold: bool = False, align: str = "L", height: float = LINE) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.multi_cell(0, height, text, align=align, new_x="LMARGIN", new_y="NEXT")

    def letter(self, p: dict) -> None:
        self._covering_letter(p)
        self._form(p)

    def _covering_letter(self, p: dict) -> None:
        pdf = self.pdf
        pdf.add_page()
        self._text(f"关于{p['name']}同志在我{'市场' if p['place'] != p['unit_name'] else '辖区'}参加组织生活情况的函", 16, True, "C", 10)
        self._text(p["letter_no"], 11, align="R")
        pdf.ln(2)
        self._text(f"{_addressed(p['home_org'])}：")
        self._text(
            f"　　贵单位党员{p['name']}同志（身份证号 {p['id_number']}）现在{p['place']}从事经营，"
            f"自{_day(p['inflow_on'])}起纳入我{self.org_name}双重管理。现将其{self.year}年度参加组织生活、"
            "发挥作用情况和我方评语随函反馈（见所附《个体工商户和商品交易市场流动党员双重管理反馈表》），请查收。"
            "收到后请用手机扫描下方回执上的二维码确认，或填写回执盖章后寄回我方。", height=LINE)
        pdf.ln(6)
        self._text(f"{self.org_name}（盖章）", align="R")
        self._text(_day(p["sent_on"]), align="R")
        signer = p["comment"].writer_name
        self._text(f"联系人：{signer or '________'}　　电话：________________", 11)
        # The 回执, below a cut line: what the home branch sends back.
        top = max(pdf.get_y() + 8, 185.0)
        pdf.set_dash_pattern(dash=2, gap=2)
        pdf.line(MARGIN, top, 210 - MARGIN, top)
        pdf.set_dash_pattern()
        pdf.set_font(FONT, "", 9)
        pdf.set_xy(MARGIN, top + 1)
        pdf.cell(0, 5, "✂ 沿此线剪下，回执寄回", align="C")
        pdf.set_xy(MARGIN, top + 8)
        self._text("回　执", 15, True, "C", 9)
        pdf.set_right_margin(MARGIN + 50)
        self._text(f"{self.org_name}：", 12)
        self._text(f"　　贵单位{p['letter_no']}函已收悉。{p['name']}同志系我单位党员，组织关系在我处。特此回复。", 12)
        pdf.ln(4)
        self._text("收件单位（盖章）：____________________", 11)
        self._text("收件人：____________　　日期：____年__月__日", 11)
        pdf.set_right_margin(MARGIN)
        qr = plates.qr_png(p["receipt_url"], 360)
        pdf.image(io.BytesIO(qr), x=210 - MARGIN - 42, y=top + 18, w=40, h=40)
        pdf.set_font(FONT, "", 8)
        pdf.set_xy(210 - MARGIN - 62, top + 60)
        pdf.multi_cell(62, 4, f"扫码在线确认收到，或在浏览器打开\n{p['receipt_url']}", align="C")

    def _row(self, cells: list[tuple[str, float, bool]], height: float = LINE) -> None:
        """One row of the form: (text, width, is label); wrapped cells make the row taller."""
        pdf = self.pdf
        pdf.set_font(FONT, "", 10.5)
        lines = [len(pdf.multi_cell(w, height, text, dry_run=True, output="LINES")) for text, w, _ in cells]
        tall = max(lines) * height
        x, y = pdf.get_x(), pdf.get_y()
        if y + tall > pdf.page_break_trigger:
            pdf.add_page()
            x, y = pdf.get_x(), pdf.get_y()
        for text, width, label in cells:
            if label:
                pdf.set_fill_color(242, 242, 242)
            pdf.rect(x, y, width, tall, style="DF" if label else "D")
            pdf.set_xy(x, y)
            pdf.set_font(FONT, "B" if label else "", 10.5)
            pdf.multi_cell(width, height, text, align="C" if label else "L")
            x += width
        pdf.set_xy(MARGIN, y + tall)

    def _form(self, p: dict) -> None:
        pdf = self.pdf
        pdf.add_page()
        self._text("个体工商户和商品交易市场流动党员双重管理反馈表", 15, True, "C", 10)
        self._text(f"（{self.year}年度）　　{p['letter_no']}", 10, align="C")
        pdf.ln(2)
        w = (210 - 2 * MARGIN)
        label, value = 30.0, (w - 60) / 2
        gender = GENDERS.get(p["gender"] or "", "")
        self._row([("姓名", label, True), (p["name"], value, False), ("性别", label, True), (gender, value, False)])
        self._row([("身份证号", label, True), (p["id_number"], value, False), ("手机", label, True), (p["mobile"], value, False)])
        self._row([("原籍党组织", label, True), (p["home_org"], w - label, False)])
        self._row([("联系人", label, True), (p["home_contact"], value, False), ("电话", label, True), (p["home_phone"], value, False)])
        self._row([("经营场所", label, True), (p["place"], value, False), ("流入时间", label, True), (_day(p["inflow_on"]), value, False)])
        self._row([("纳入管理党组织", label, True), (self.org_name, value, False), ("活动证编号", label, True),
                   (p["activity_card_no"] or "—", value, False)])
        f = p["figures"]
        done = [f"{i['starts_at'].month}月{i['starts_at'].day}日 {i['title']}（{ACTIVITY_KINDS.get(i['kind'], '')}）"
                for i in p["items"][:ITEMS_SHOWN]]
        more = len(p["items"]) - ITEMS_SHOWN
        record = (f"全年出席组织生活 {f['attended']} 次、教育培训 {f['trainings']} 次，请假 {f['leave']} 次，缺席 {f['absent']} 次。\n"
                  + "\n".join(done) + (f"\n……另有 {more} 次" if more > 0 else ""))
        self._row([("参加组织生活情况", label, True), (record, w - label, False)], 6.5)
        stars = f"先锋指数考评 {'★' * p['stars']}（{p['stars']} 星）" if p["stars"] else "先锋指数考评：本年度暂无结果"
        self._row([("发挥作用情况", label, True), (f"亮身份、承诺践诺、诚信经营。{stars}", w - label, False)], 6.5)
        comment = p["comment"]
        opinion = (f"评定等次：{COMMENT_GRADES[comment.grade]}\n{comment.text}\n\n"
                   f"书记：{comment.writer_name or '________'}　　{_day(comment.updated_at)}　　（盖章）")
        self._row([("流入地党组织意见", label, True), (opinion, w - label, False)], 6.5)
        self._row([("流出地党组织意见", label, True), ("\n\n\n　　　　　　　　　　　　　　　　（盖章）　　____年__月__日", w - label, False)], 6.5)

    def finish(self) -> bytes:
        return bytes(self.pdf.output())
