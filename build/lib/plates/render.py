"""Drawing a layout onto a page: PlateData in, a Pillow image out. Pure: no I/O but fonts."""
from __future__ import annotations

import io
import string

import qrcode
from PIL import Image, ImageDraw, ImageOps
from qrcode.constants import ERROR_CORRECT_H

from plates.data import PlateData
from plates.fonts import FontSet
from plates.layout import Element, Layout

# A line must not start with closing punctuation (Chinese typesetting rule 避头点).
NO_LINE_START = set("，。、；：？！）》」』】’”…,.;:?!)")


def _template_fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _fill_template(template: str, data: PlateData) -> str:
    names = _template_fields(template)
    values = {name: data.field(name) for name in names}
    if names and not any(values.values()):
        return ""  # every field empty: leave the element out
    return template.format_map({k: "" if v is None else str(v) for k, v in values.items()})


def _wrap(text: str, font, width: int) -> list[str]:
    """Break text into lines no wider than `width`, character by character (Chinese has no
    spaces), keeping closing punctuation off the start of a line. Explicit newlines are kept."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if line and font.getlength(line + char) > width and char not in NO_LINE_START:
                lines.append(line)
                line = char
            else:
                line += char
        lines.append(line)
    return lines


LINE_PITCH = 1.25  # line distance as a multiple of the font size


def _fit_text(text: str, element: Element, layout: Layout, fonts: FontSet):
    """(font, lines) that fit the box: shrink from `size` to `min_size`, then cut with '…'."""
    width, height = layout.px(element.w), layout.px(element.h)
    size = element.size
    floor = element.min_size or element.size
    while True:
        font = fonts.get(max(round(size / 72 * layout.dpi), 1), element.bold)
        lines = _wrap(text, font, width)
        fits = len(lines) <= element.max_lines and len(lines) * font.size * LINE_PITCH <= height
        if fits or size <= floor:
            break
        size = max(size - 1, floor)
    if not fits:
        keep = max(1, min(element.max_lines, int(height // (font.size * LINE_PITCH))))
        cut = len(lines) > keep
        lines = lines[:keep]
        last = lines[-1]
        if cut or font.getlength(last) > width:
            while last and font.getlength(last + "…") > width:
                last = last[:-1]
            lines[-1] = last + "…"
    return font, lines


def _box(element: Element, layout: Layout) -> tuple[int, int, int, int]:
    left = layout.px(element.x + layout.bleed_mm)
    top = layout.px(element.y + layout.bleed_mm)
    return left, top, left + layout.px(element.w), top + layout.px(element.h)


def _draw_text(page: Image.Image, element: Element, data: PlateData, layout: Layout, fonts: FontSet) -> None:
    text = _fill_template(element.text, data)
    if not text.strip():
        return
    draw = ImageDraw.Draw(page)
    left, top, right, bottom = _box(element, layout)
    if element.fill:
        draw.rounded_rectangle((left, top, right, bottom), radius=layout.px(1), fill=element.fill)
    font, lines = _fit_text(text, element, layout, fonts)
    pitch = font.size * LINE_PITCH
    # The block of lines sits in the middle of the box; each line is placed by its middle.
    y = top + ((bottom - top) - pitch * len(lines)) / 2 + pitch / 2
    stroke = max(1, font.size // 28) if element.bold and fonts.bold is None else 0  # fake bold
    x, anchor = {"left": (left, "lm"), "center": ((left + right) / 2, "mm"), "right": (right, "rm")}[element.align]
    for line in lines:
        draw.text((x, y), line, font=font, fill=element.color, anchor=anchor,
                  stroke_width=stroke, stroke_fill=element.color)
        y += pitch


def _draw_rect(page: Image.Image, element: Element, layout: Layout) -> None:
    left, top, right, bottom = _box(element, layout)
    bottom = max(bottom, top + 1)
    ImageDraw.Draw(page).rounded_rectangle((left, top, right, bottom), radius=layout.px(element.radius), fill=element.fill)


def _draw_image(page: Image.Image, element: Element, data: PlateData, layout: Layout) -> None:
    payload = data.field(element.source)
    if not payload:
        return
    left, top, right, bottom = _box(element, layout)
    size = (right - left, bottom - top)
    with Image.open(io.BytesIO(payload)) as source:
        source = ImageOps.exif_transpose(source)
        if element.fit == "contain":
            picture = ImageOps.contain(source.convert("RGBA"), size, Image.LANCZOS)
            offset = (left + (size[0] - picture.width) // 2, top + (size[1] - picture.height) // 2)
            page.paste(picture, offset, picture)
        else:
            page.paste(ImageOps.fit(source.convert("RGB"), size, Image.LANCZOS), (left, top))


def qr_image(url: str, side_px: int) -> Image.Image:
    """The QR code of `url` with error correction H and its 4-module quiet zone, scaled by a
    whole number of pixels per module so every module edge stays sharp."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_H, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    small = Image.new("1", (modules, modules), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    scale = max(1, side_px // modules)
    return small.resize((modules * scale, modules * scale), Image.NEAREST)


def qr_png(url: str, side_px: int = 480) -> bytes:
    """The QR code alone as a PNG: for a screen, such as the secretary's rotating check-in code."""
    out = io.BytesIO()
    qr_image(url, side_px).save(out, "PNG", optimize=True)
    return out.getvalue()


def _draw_qr(page: Image.Image, element: Element, data: PlateData, layout: Layout) -> None:
    url = data.field(element.source)
    if not url:
        raise ValueError("a plate's QR code needs a URL")
    left, top, right, bottom = _box(element, layout)
    side = min(right - left, bottom - top)
    image = qr_image(url, side)
    page.paste(image.convert("RGB"), (left + (side - image.width) // 2, top + (side - image.height) // 2))


def draw(data: PlateData, layout: Layout, fonts: FontSet) -> Image.Image:
    """The whole page, bleed included, as an RGB image."""
    page = Image.new("RGB", layout.pixel_size, "#FFFFFF")
    for element in layout.elements:
        if element.kind == "rect":
            _draw_rect(page, element, layout)
        elif element.kind == "text":
            _draw_text(page, element, data, layout, fonts)
        elif element.kind == "image":
            _draw_image(page, element, data, layout)
        else:
            _draw_qr(page, element, data, layout)
    return page
