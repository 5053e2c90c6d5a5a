"""Drawing a layout onto a page: PlateData in, a Pillow image out. Pure: no I/O but fonts."""
from __future__ import annotations

import functools
import io
import string

import qrcode
from PIL import Image, ImageColor, ImageDraw, ImageOps
from qrcode.constants import ERROR_CORRECT_H

from plates.data import PlateData
from plates.fonts import FontSet
from plates.glyphs import draw_line, length
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
    spaces), keeping closing punctuation off the start of a line: it hangs at the end of the
    line before. Explicit newlines are kept. Each line's end is found by bisection over its
    length (a string's width grows with every character), a few measurements a line."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        start = 0
        while True:
            rest = paragraph[start:]
            if length(font, rest) <= width:
                lines.append(rest)
                break
            fits, over = 1, len(rest)  # the first character always goes, even alone too wide
            while over - fits > 1:
                middle = (fits + over) // 2
                if length(font, rest[:middle]) <= width:
                    fits = middle
                else:
                    over = middle
            while fits < len(rest) and rest[fits] in NO_LINE_START:
                fits += 1
            lines.append(rest[:fits])
            start += fits
            if start == len(paragraph):
                break
    return lines


LINE_PITCH = 1.25  # line distance as a multiple of the font size


def _sizes(element: Element) -> list[float]:
    """The sizes to try, largest first: `size`, a point less each time, down to `min_size`."""
    size, floor = element.size, element.min_size or element.size
    sizes = [size]
    while sizes[-1] > floor:
        sizes.append(max(sizes[-1] - 1, floor))
    return sizes


def _longest_prefix(text: str, font, width: int, suffix: str = "") -> int:
    """How many of text's first characters fit in `width` followed by `suffix` (0 when none)."""
    fits, over = 0, len(text) + 1
    while over - fits > 1:
        middle = (fits + over) // 2
        if length(font, text[:middle] + suffix) <= width:
            fits = middle
        else:
            over = middle
    return fits


def _fit_text(text: str, element: Element, layout: Layout, fonts: FontSet):
    """(font, lines) that fit the box: the largest size from `size` down to `min_size` at which
    the text fits (a smaller size never fits less, so the sizes are bisected), else the smallest
    cut with '…'."""
    width, height = layout.px(element.w), layout.px(element.h)

    def at(size: float):
        font = fonts.get(max(round(size / 72 * layout.dpi), 1), element.bold)
        lines = _wrap(text, font, width)
        return font, lines, len(lines) <= element.max_lines and len(lines) * font.size * LINE_PITCH <= height

    sizes = _sizes(element)
    font, lines, fits = at(sizes[0])
    if not fits and len(sizes) > 1:
        font, lines, fits = smallest = at(sizes[-1])
        fitting, failing = len(sizes) - 1, 0  # indexes into sizes: one that fits, one that does not
        while fits and fitting - failing > 1:
            middle = (fitting + failing) // 2
            tried = at(sizes[middle])
            if tried[2]:
                fitting, smallest = middle, tried
            else:
                failing = middle
        if fits:
            font, lines, _ = smallest
    if not fits:
        keep = max(1, min(element.max_lines, int(height // (font.size * LINE_PITCH))))
        cut = len(lines) > keep
        lines = lines[:keep]
        last = lines[-1]
        if cut or length(font, last) > width:
            lines[-1] = last[:_longest_prefix(last, font, width, "…")] + "…"
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
    # The block of lines sits in the middle of the box; each line is placed by its middle, on
    # whole pixels (where cached glyphs and Pillow draw the same).
    y = top + ((bottom - top) - pitch * len(lines)) / 2 + pitch / 2
    stroke = max(1, font.size // 28) if element.bold and fonts.bold is None else 0  # fake bold
    x, anchor = {"left": (left, "lm"), "center": ((left + right) // 2, "mm"), "right": (right, "rm")}[element.align]
    color = ImageColor.getcolor(element.color, page.mode)
    for line in lines:
        if stroke:
            draw.text((x, round(y)), line, font=font, fill=color, anchor=anchor, stroke_width=stroke, stroke_fill=color)
        else:
            draw_line(page, (x, round(y)), line, font, color, anchor)
        y += pitch


def _draw_rect(page: Image.Image, element: Element, layout: Layout) -> None:
    left, top, right, bottom = _box(element, layout)
    bottom = max(bottom, top + 1)
    ImageDraw.Draw(page).rounded_rectangle((left, top, right, bottom), radius=layout.px(element.radius), fill=element.fill)


TRANSPOSED = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter


def _draw_image(page: Image.Image, element: Element, data: PlateData, layout: Layout) -> None:
    payload = data.field(element.source)
    if not payload:
        return
    left, top, right, bottom = _box(element, layout)
    size = (right - left, bottom - top)
    with Image.open(io.BytesIO(payload)) as source:
        # A JPEG decodes at 1/2, 1/4 or 1/8 scale when that still covers the box: a phone's
        # photo (up to 2 560 px a side once uploaded) has many times the slot's pixels.
        orientation = source.getexif().get(0x0112, 1)
        source.draft("RGB", size[::-1] if orientation in TRANSPOSED else size)
        if orientation != 1:
            source = ImageOps.exif_transpose(source)
        if element.fit == "contain":
            picture = ImageOps.contain(source.convert("RGBA"), size, Image.LANCZOS)
            offset = (left + (size[0] - picture.width) // 2, top + (size[1] - picture.height) // 2)
            page.paste(picture, offset, picture)
        else:
            picture = source if source.mode == "RGB" else source.convert("RGB")
            if picture.size != size:  # a profile photo is stored at PHOTO_PX: the A5 slot's size
                # Bicubic: at 300 dpi no eye tells it from Lanczos on a photo, at two thirds the time.
                picture = ImageOps.fit(picture, size, Image.BICUBIC)
            page.paste(picture, (left, top))


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


# Fields that are usually the same on every plate of a batch. An element that draws nothing
# else (the bands, the fixed captions, the title, the badge, the operator's emblem) goes on a
# base page drawn once and copied for each plate; its values are part of the base's key, so a
# plate whose title differs gets a base of its own, never another's.
SHARED_FIELDS = frozenset({"title", "badge", "emblem"})
MARGIN_MM = 1.0  # room around a box for a glyph's overhang, a stroke or hanging punctuation


def _fields_of(element: Element) -> frozenset[str]:
    if element.kind == "text":
        return frozenset(_template_fields(element.text))
    return frozenset({element.source}) if element.kind in ("image", "qr") else frozenset()


def _overlap(a: Element, b: Element) -> bool:
    return (a.x - MARGIN_MM < b.x + b.w and b.x - MARGIN_MM < a.x + a.w
            and a.y - MARGIN_MM < b.y + b.h and b.y - MARGIN_MM < a.y + a.h)


@functools.lru_cache(maxsize=16)
def split(layout: Layout) -> tuple[tuple[Element, ...], tuple[Element, ...]]:
    """(base, per plate): an element goes on the base when it draws only shared fields and no
    per-plate element drawn before it touches its box, so drawing it first changes no pixel."""
    base: list[Element] = []
    own: list[Element] = []
    for element in layout.elements:
        if _fields_of(element) <= SHARED_FIELDS and not any(_overlap(element, earlier) for earlier in own):
            base.append(element)
        else:
            own.append(element)
    return tuple(base), tuple(own)


def _draw_element(page: Image.Image, element: Element, data: PlateData, layout: Layout, fonts: FontSet) -> None:
    if element.kind == "rect":
        _draw_rect(page, element, layout)
    elif element.kind == "text":
        _draw_text(page, element, data, layout, fonts)
    elif element.kind == "image":
        _draw_image(page, element, data, layout)
    else:
        _draw_qr(page, element, data, layout)


def _shared_values(elements: tuple[Element, ...], data: PlateData) -> tuple:
    names = sorted(frozenset().union(*(_fields_of(element) for element in elements)))
    return tuple((name, data.field(name)) for name in names)


# Two bases (about 14 MB each at A5, 300 dpi): the layouts or titles of the batches at hand.
@functools.lru_cache(maxsize=2)
def _base(layout: Layout, fonts: FontSet, shared: tuple) -> Image.Image:
    data = PlateData(name="", url="", code="", **dict(shared))
    page = Image.new("RGB", layout.pixel_size, "#FFFFFF")
    for element in split(layout)[0]:
        _draw_element(page, element, data, layout, fonts)
    return page


def draw(data: PlateData, layout: Layout, fonts: FontSet) -> Image.Image:
    """The whole page, bleed included, as an RGB image: a copy of the layout's base page with
    this plate's own elements drawn on it in the layout's order."""
    base, own = split(layout)
    page = _base(layout, fonts, _shared_values(base, data)).copy()
    for element in own:
        _draw_element(page, element, data, layout, fonts)
    return page


def draw_in_order(data: PlateData, layout: Layout, fonts: FontSet) -> Image.Image:
    """Every element in the layout's order on a blank page, no base: what `draw` must equal."""
    page = Image.new("RGB", layout.pixel_size, "#FFFFFF")
    for element in layout.elements:
        _draw_element(page, element, data, layout, fonts)
    return page
