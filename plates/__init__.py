"""The 三亮 plate renderer: layout as data, plain data in, bytes out.

A library with no HTTP and no database in it (DESIGN.md §4): the server hands it a
`PlateData` and a `Layout` and stores or sends what comes back.

    from plates import PlateData, render
    filename, mimetype, body = render(PlateData(name="张三", url="https://…/p/abc…", code="abc…"), "png")

`write_pdf` streams many plates into one PDF a page at a time (batch printing).
"""
from __future__ import annotations

import io
from typing import BinaryIO, Iterable

from plates.data import PlateData
from plates.fonts import FontMissing, FontSet, find_fonts
from plates.layout import DEFAULT_LAYOUT, LAYOUTS, MEMBER_CARD, PHOTO_PX, Element, Layout
from plates.pdf import PdfWriter
from plates.render import draw, qr_image, qr_png

__all__ = ["PlateData", "Layout", "Element", "LAYOUTS", "DEFAULT_LAYOUT", "MEMBER_CARD", "PHOTO_PX", "FontMissing", "FontSet", "find_fonts",
           "render", "render_jpeg", "write_pdf", "PdfWriter", "qr_image", "qr_png", "draw"]

JPEG_QUALITY = 92


def render_jpeg(data: PlateData, layout: Layout = DEFAULT_LAYOUT, fonts: FontSet | None = None) -> bytes:
    """One page as JPEG, the form a PDF embeds. No chroma subsampling: red text stays crisp."""
    page = draw(data, layout, fonts or find_fonts())
    out = io.BytesIO()
    page.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0, dpi=(layout.dpi, layout.dpi))
    return out.getvalue()


def add_page(writer: PdfWriter, jpeg: bytes, layout: Layout) -> None:
    width, height = layout.pixel_size
    writer.add_jpeg_page(jpeg, width, height, layout.dpi, bleed_px=layout.px(layout.bleed_mm))


def write_pdf(plates: Iterable[PlateData], out: BinaryIO, layout: Layout = DEFAULT_LAYOUT,
              fonts: FontSet | None = None) -> int:
    """Write one page per plate to `out`, each page leaving memory once written. Returns the page count."""
    fonts = fonts or find_fonts()
    writer = PdfWriter(out)
    for data in plates:
        add_page(writer, render_jpeg(data, layout, fonts), layout)
    writer.close()
    return writer.pages


def render(data: PlateData, fmt: str = "png", layout: Layout = DEFAULT_LAYOUT,
           fonts: FontSet | None = None) -> tuple[str, str, bytes]:
    """(filename, mimetype, bytes) of one plate, like pretix's ticket outputs."""
    fonts = fonts or find_fonts()
    if fmt == "pdf":
        out = io.BytesIO()
        write_pdf([data], out, layout, fonts)
        return f"plate-{data.code}.pdf", "application/pdf", out.getvalue()
    if fmt == "png":
        out = io.BytesIO()
        draw(data, layout, fonts).save(out, "PNG", dpi=(layout.dpi, layout.dpi), compress_level=3)
        return f"plate-{data.code}.png", "image/png", out.getvalue()
    raise ValueError(f"unknown plate format {fmt!r}")
