"""The CJK font in an fpdf2 document: the plates' font discovery (DANGJIAN_PLATE_FONT, else the
machine's Noto Sans CJK or WenQuanYi), regular and bold, embedded as subsets of the glyphs used."""
from __future__ import annotations

from fpdf import FPDF

import plates

FONT = "cjk"


def add_cjk(pdf: FPDF, explicit: str | None = None) -> None:
    fonts = plates.find_fonts(explicit)
    bold = fonts.bold or fonts.regular
    pdf.add_font(FONT, "", fonts.regular.path, collection_font_number=fonts.regular.index)
    pdf.add_font(FONT, "B", bold.path, collection_font_number=bold.index)
