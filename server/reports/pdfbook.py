"""The year's 台账 as a printable PDF book: a cover, a contents page with page numbers, the plan's
status, then one section per meeting laid out as a record page (the header grid of 党支部工作记录,
absentees and reasons, topics, minutes, resolutions with votes, the attendance table, signature
lines) followed by its photos; page numbers on every page.

Text is text (selectable, searchable, a few KB a page) in the CJK font the plates use
(plates.find_fonts), embedded as a subset of the glyphs used. Meetings are added as their pages
come from the database; what stays in memory until the end is the pages' drawing commands
(small) and the photos, each reduced first to its printed size (PHOTO_PX, about 60 KB) and at
most PHOTOS_PER_MEETING of them. The calls are made in a thread, never on the event loop.
"""
from __future__ import annotations

import io
import math

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos
from PIL import Image, ImageOps

from server.activities.plan import PLAN_EVERY
from server.clock import SHANGHAI, now
from server.pdffonts import FONT, add_cjk
from server.reports.ledger import quorum_text, resolution_text, when

PHOTOS_PER_MEETING = 6
PHOTO_PX = 900  # the long side: 7.5 cm printed at 300 dpi
TOC_LINE_MM, TOC_HEAD_MM = 7.0, 20.0
MARGIN_MM = 18.0
RED = (192, 0, 0)
LABEL = FontFace(emphasis="BOLD", fill_color=(242, 242, 242))


class _Book(FPDF):
    def footer(self) -> None:
        if self.page_no() == 1:
            return  # the cover has no number
        self.set_y(-12)
        self.set_font(FONT, size=9)
        self.cell(0, 6, f"第 {self.page_no()} 页，共 {{nb}} 页", align="C")


def photo_for_print(jpeg: bytes) -> bytes | None:
    """A stored photo reduced to its printed size; None if it cannot be read (never fatal)."""
    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((PHOTO_PX, PHOTO_PX))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


class LedgerPdf:
    def __init__(self, org_name: str, year: int, activities: list[dict], plans: list[dict],
                 font: str | None = None) -> None:
        self.org_name, self.year, self.meetings = org_name, year, 0
        pdf = self.pdf = _Book(format="A4")
        pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        pdf.set_auto_page_break(True, margin=18)
        add_cjk(pdf, font)  # DANGJIAN_PLATE_FONT, else the machine's CJK font
        pdf.set_title(f"{org_name} {year} 年三会一课台账")
        pdf.set_creator("dangjian")
        self._cover(activities)
        entries = len(activities) + (1 if plans else 0)
        pdf.add_page()
        # The contents' pages are reserved now and written at the end, so their number must be
        # known: the first holds the heading and fewer lines. _contents pads to exactly this.
        room = pdf.page_break_trigger - pdf.t_margin
        first, rest = math.floor((room - TOC_HEAD_MM) / TOC_LINE_MM), math.floor(room / TOC_LINE_MM)
        self._toc_pages = 1 + max(0, math.ceil((entries - first) / rest))
        self._toc_first = pdf.page
        pdf.insert_toc_placeholder(self._contents, pages=self._toc_pages)
        self._fresh = True  # the placeholder has turned to an empty page already
        if plans:
            self._plans(plans)

    # -- front matter --------------------------------------------------------------------------
    def _cover(self, activities: list[dict]) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.set_y(80)
        pdf.set_font(FONT, "B", 28)
        pdf.cell(0, 16, "三会一课台账", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 18)
        pdf.multi_cell(0, 11, self.org_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.cell(0, 11, f"{self.year} 年度", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(200)
        pdf.set_font(FONT, "", 12)
        held = [a for a in activities if a["status"] != "cancelled"]
        pdf.cell(0, 8, f"共 {len(held)} 次会议和活动" + (f"（另有 {len(activities) - len(held)} 次已取消）"
                                                          if len(held) < len(activities) else ""),
                 align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.cell(0, 8, f"生成日期：{now().astimezone(SHANGHAI):%Y 年 %m 月 %d 日}", align="C")

    def _contents(self, pdf: FPDF, outline) -> None:
        pdf.set_font(FONT, "B", 16)
        pdf.cell(0, TOC_HEAD_MM - 6, "目　录", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(6)
        pdf.set_font(FONT, "", 10.5)
        width = pdf.epw - 16
        for section in outline:
            name = section.name
            while pdf.get_string_width(name) > width - 4 and len(name) > 2:
                name = name[:-2] + "…"
            pdf.cell(width, TOC_LINE_MM, name)
            pdf.cell(16, TOC_LINE_MM, str(section.page_number), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        while pdf.page < self._toc_first + self._toc_pages - 1:
            pdf.add_page()  # never fewer pages than were reserved

    def _heading(self, text: str) -> None:
        self.pdf.set_font(FONT, "B", 16)
        self.pdf.multi_cell(0, 10, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(3)

    def _new_page(self) -> None:
        if self._fresh:
            self._fresh = False
        else:
            self.pdf.add_page()

    def _plans(self, plans: list[dict]) -> None:
        pdf = self.pdf
        self._new_page()
        pdf.start_section("计划完成情况")
        self._heading(f"{self.year} 年三会一课计划完成情况")
        pdf.set_font(FONT, "", 9.5)
        with pdf.table(col_widths=(38, 20, 26, 14, 16, 16, 44), line_height=6, headings_style=LABEL,
                       repeat_headings=1) as table:
            table.row(["组织", "会议类型", "要求", "已完成", "本期待开", "逾期未开", "逾期的期"])
            for year_plan in plans:
                for kind in year_plan["kinds"]:
                    if not kind["periods"]:
                        continue
                    periods = kind["periods"]
                    overdue = [p["label"] for p in periods if p["status"] == "overdue"]
                    row = table.row()
                    for text in (year_plan["org_name"], kind["label"], f"{PLAN_EVERY[kind['every']]}至少 {kind['times']} 次",
                                 f"{sum(p['status'] == 'done' for p in periods)}/{len(periods)}",
                                 str(sum(p["status"] == "due" for p in periods)), str(len(overdue))):
                        row.cell(text)
                    row.cell("、".join(overdue) or "—", style=FontFace(color=RED) if overdue else None)

    # -- one meeting ---------------------------------------------------------------------------
    def meeting(self, page: dict, photos: list[bytes]) -> None:
        pdf = self.pdf
        self.meetings += 1
        self._new_page()
        starts = page["starts_at"].astimezone(SHANGHAI)
        pdf.start_section(f"{page['number']:03d}　{starts:%m-%d}　{page['kind_label']}　{page['title']}")
        self._heading(f"{page['org__name']}　{page['kind_label']}记录")
        absent = page["absent"] + page["unrecorded"]
        pdf.set_font(FONT, "", 10.5)
        pairs = (24, 50, 24, 76)
        for pair in (("会议类别", page["kind_label"], "会议名称", page["title"]),
                     ("时间", when(page), "地点", page["place"]),
                     ("主持人", page["host"], "记录人", page["recorder"]),
                     ("主讲人", page["speaker"], "列席人员", page["guests"]),
                     ("应到人数", str(page["expected"]), "实到人数", str(page["present"])),
                     ("请假人数", str(page["leave"]), "缺席人数",
                      f"{absent}（其中未签到 {page['unrecorded']}）" if page["unrecorded"] else str(absent))):
            self._row(pairs, pair, 6.5, labels=(0, 2))
        if page["quorum"] is not None:
            self._row((24, 150), ("法定人数", quorum_text(page["quorum"])), 6.5, labels=(0,),
                      alert=not page["quorum"]["met"])
        if page["status"] == "cancelled":
            self._row((24, 150), ("状态", "已取消"), 6.5, labels=(0,), alert=True)
        self._block("缺席人员及原因", page["absentees"] or "无")
        self._block("会议议题", "\n".join(f"{i}. {t}" for i, t in enumerate(page["topics"], start=1)))
        self._block("会议内容", page["minutes"])
        if page["kind"] in ("party_congress", "committee") or page["resolutions"]:
            self._block("会议决议", "\n".join(f"{i}. {resolution_text(r)}" for i, r in enumerate(page["resolutions"], 1)))
        self._attendance(page)
        pdf.ln(8)
        pdf.set_font(FONT, "", 10.5)
        pdf.cell(pdf.epw / 2, 8, "主持人签字：")
        pdf.cell(pdf.epw / 2, 8, "记录人签字：", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._photos([p for p in (photo_for_print(j) for j in photos[:PHOTOS_PER_MEETING]) if p])

    def _block(self, label: str, text: str) -> None:
        pdf = self.pdf
        pdf.ln(4)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 7, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 10.5)
        pdf.multi_cell(0, 6, text or "（未填写）", border="T", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _row(self, widths, texts, line_height: float, *, labels=(), alert: bool = False, header=None) -> None:
        """One row of ruled cells, as tall as its tallest cell; on a new page when it does not
        fit (after `header`, the table's heading row, drawn again). fpdf2's table() does the
        same at about 8 ms a row; this is a tenth of that."""
        pdf = self.pdf
        lines = []
        for width, text in zip(widths, texts):
            fits = "\n" not in text and pdf.get_string_width(text) <= width - 2 * pdf.c_margin
            lines.append(1 if fits else len(pdf.multi_cell(width, line_height, text, dry_run=True, output="LINES")))
        height = line_height * max(lines)
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            if header:
                header()
        x, top = pdf.l_margin, pdf.get_y()
        for index, (width, text, count) in enumerate(zip(widths, texts, lines)):
            is_label = index in labels
            pdf.set_fill_color(242, 242, 242)
            pdf.rect(x, top, width, height, style="DF" if is_label else "D")
            pdf.set_font(FONT, "B" if is_label or (alert and not is_label) else "", pdf.font_size_pt)
            if alert and not is_label:
                pdf.set_text_color(*RED)
            pdf.set_xy(x, top)
            if count == 1:
                pdf.cell(width, line_height, text)
            else:
                pdf.multi_cell(width, line_height, text, new_x=XPos.RIGHT, new_y=YPos.TOP)
            pdf.set_text_color(0, 0, 0)
            x += width
        pdf.set_font(FONT, "", pdf.font_size_pt)
        pdf.set_xy(pdf.l_margin, top + height)

    def _attendance(self, page: dict) -> None:
        pdf = self.pdf
        pdf.ln(4)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 7, "参会情况", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        widths = (10, 24, 20, 18, 22, 30, 50)

        def header() -> None:
            pdf.set_font(FONT, "", 9.5)
            self._row(widths, ("序号", "姓名", "党员类别", "签到情况", "记录方式", "记录时间", "原因或备注"), 5.5,
                      labels=range(len(widths)))

        header()
        room = [w - 2 * pdf.c_margin for w in widths]
        for number, person in enumerate(page["people"], start=1):
            recorded = person["recorded_at"].astimezone(SHANGHAI).strftime("%m-%d %H:%M") if person["recorded_at"] else ""
            texts = (str(number), person["name"], person["category"], person["status"], person["method"], recorded,
                     person["note"])
            # Most rows are one line of short words: ruled and written directly (a tenth of a
            # millisecond a row against one with cell(); 20 000 rows are a few seconds).
            # Only a long name or note goes through the general row.
            if (pdf.get_y() + 5.5 <= pdf.page_break_trigger and pdf.get_string_width(person["name"]) <= room[1]
                    and "\n" not in person["note"] and pdf.get_string_width(person["note"]) <= room[6]):
                x, top = pdf.l_margin, pdf.get_y()
                for width, text in zip(widths, texts):
                    pdf.rect(x, top, width, 5.5)
                    pdf.text(x + pdf.c_margin, top + 3.9, text)
                    x += width
                pdf.set_y(top + 5.5)
            else:
                self._row(widths, texts, 5.5, header=header)

    def _photos(self, photos: list[bytes]) -> None:
        """Two photos to a row, each row on one page."""
        pdf = self.pdf
        if not photos:
            return
        width = (pdf.epw - 6) / 2
        pdf.ln(6)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 7, "会议照片", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for first in range(0, len(photos), 2):
            row = []
            for jpeg in photos[first:first + 2]:
                with Image.open(io.BytesIO(jpeg)) as image:
                    row.append((jpeg, width * image.height / image.width))
            tallest = max(height for _, height in row)
            if pdf.get_y() + tallest > pdf.h - 20:
                pdf.add_page()
            top = pdf.get_y()
            for column, (jpeg, height) in enumerate(row):
                pdf.image(io.BytesIO(jpeg), x=pdf.l_margin + column * (width + 6), y=top, w=width, h=height)
            pdf.set_y(top + tallest + 4)

    def finish(self) -> bytes:
        if not self.meetings:
            self._new_page()
            self._heading("本年度没有会议记录")
        return bytes(self.pdf.output())
