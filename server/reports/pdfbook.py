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

import plates
from server.clock import SHANGHAI, now
from server.reports.ledger import quorum_text, resolution_text, when

FONT = "cjk"
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
        fonts = plates.find_fonts(font)  # DANGJIAN_PLATE_FONT, else the machine's CJK font
        self.org_name, self.year, self.meetings = org_name, year, 0
        pdf = self.pdf = _Book(format="A4")
        pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        pdf.set_auto_page_break(True, margin=18)
        bold = fonts.bold or fonts.regular
        pdf.add_font(FONT, "", fonts.regular.path, collection_font_number=fonts.regular.index)
        pdf.add_font(FONT, "B", bold.path, collection_font_number=bold.index)
        pdf.set_title(f"{org_name} {year} 年三会一课台账")
        pdf.set_creator("dangjian")
        self._cover(activities)
        entries = len(activities) + (1 if plans else 0)
        per_page = math.floor((297 - 2 * MARGIN_MM - 18 - TOC_HEAD_MM) / TOC_LINE_MM)
        pdf.add_page()
        pdf.insert_toc_placeholder(self._contents, pages=max(1, math.ceil(entries / per_page)))
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
                    every = {"month": "每月", "quarter": "每季度", "year": "每年"}[kind["every"]]
                    row = table.row()
                    for text in (year_plan["org_name"], kind["label"], f"{every}至少 {kind['times']} 次",
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
        with pdf.table(col_widths=(24, 50, 24, 76), line_height=6.5, first_row_as_headings=False) as table:
            for pair in (("会议类别", page["kind_label"], "会议名称", page["title"]),
                         ("时间", when(page), "地点", page["place"]),
                         ("主持人", page["host"], "记录人", page["recorder"]),
                         ("主讲人", page["speaker"], "列席人员", page["guests"]),
                         ("应到人数", str(page["expected"]), "实到人数", str(page["present"])),
                         ("请假人数", str(page["leave"]), "缺席人数",
                          f"{absent}（其中未签到 {page['unrecorded']}）" if page["unrecorded"] else str(absent))):
                row = table.row()
                for index, text in enumerate(pair):
                    row.cell(text or "", style=LABEL if index % 2 == 0 else None)
            wide = []
            if page["quorum"] is not None:
                wide.append(("法定人数", quorum_text(page["quorum"]), not page["quorum"]["met"]))
            if page["status"] == "cancelled":
                wide.append(("状态", "已取消", True))
            wide.append(("缺席人员及原因", page["absentees"] or "无", False))
            for label, text, alert in wide:
                row = table.row()
                row.cell(label, style=LABEL)
                row.cell(text, colspan=3, style=FontFace(emphasis="BOLD", color=RED) if alert else None)
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

    def _attendance(self, page: dict) -> None:
        pdf = self.pdf
        pdf.ln(4)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 7, "参会情况", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 9.5)
        with pdf.table(col_widths=(10, 24, 20, 18, 22, 30, 50), line_height=5.5, headings_style=LABEL,
                       repeat_headings=1) as table:
            table.row(["序号", "姓名", "党员类别", "签到情况", "记录方式", "记录时间", "原因或备注"])
            for number, person in enumerate(page["people"], start=1):
                recorded = person["recorded_at"].astimezone(SHANGHAI).strftime("%m-%d %H:%M") if person["recorded_at"] else ""
                table.row([str(number), person["name"], person["category"], person["status"], person["method"],
                           recorded, person["note"]])

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
