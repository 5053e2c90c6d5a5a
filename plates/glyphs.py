"""Text drawn from glyphs rasterised once: what Pillow's `ImageDraw.text` draws, faster.

Pillow rasterises every glyph of a string twice each time it draws it (once to find the
string's extent, once to draw), and a plate's text is most of its drawing time: the pledge's
forty characters at 71 px took 4 ms. The characters of a batch repeat (the market's name, the
common characters of names and pledges), so each glyph's bitmap is kept, keyed by its font and
character, and a line is drawn by pasting them.

The result is Pillow's, pixel for pixel, by construction:
- fonts use Pillow's basic layout (`FontSet.get`), where each advance is a whole number of
  pixels, so a glyph's place is the sum of the advances before it, and Pillow places a glyph's
  bitmap, rendered alone, at exactly that place;
- Pillow paints each glyph's coverage where no glyph painted before and blends only where two
  glyphs' inked pixels meet; a line whose glyphs' inked boxes meet (an italic "f" reaching over
  the next letter) is therefore handed to Pillow whole, as is a font with a 'kern' table (a
  glyph's place is then not the sum of the advances before it) and stroked (fake bold) text;
- the line is anchored as Pillow anchors it: by half or all of its advance, rounded as
  FreeType's 26.6 fixed point is, and by the font's middle.
Measuring (`length`, what line breaking and shrinking ask a hundred times a plate) is the sum
of the cached advances under the same conditions, else `font.getlength`.
`tests/test_plates_glyphs.py` draws random lines both ways and compares every pixel.
"""
from __future__ import annotations

import functools
import struct

from PIL import Image, ImageDraw, ImageFont


# Inked pixels only: about 4 KB a glyph at the pledge's 71 px, 20 KB at the name's 150 px, so
# 10 to 40 MB for the 2 048 a worker keeps.
@functools.lru_cache(maxsize=2048)
def glyph(font: ImageFont.FreeTypeFont, char: str) -> tuple[Image.Image, int, int] | None:
    """(coverage, left, top) of one character's inked pixels, placed from its pen position on
    the baseline; None for a character that inks nothing (a space)."""
    mask, (left, top) = font.getmask2(char, "L", anchor="ls")
    image = Image.Image()._new(mask)
    inked = image.getbbox()
    if inked is None:
        return None
    return image.crop(inked), left + inked[0], top + inked[1]


@functools.lru_cache(maxsize=4096)
def advance(font: ImageFont.FreeTypeFont, char: str) -> int | None:
    """The character's advance in whole pixels, or None where it is not whole (a layout that
    positions glyphs at fractions of a pixel: the line goes to Pillow)."""
    length = font.getlength(char)
    return int(length) if length == int(length) else None


@functools.lru_cache(maxsize=64)
def _middle(font: ImageFont.FreeTypeFont) -> int:
    """How far above the baseline Pillow's vertical anchor 'm' lies for this font (the middle
    of its ascender and descender)."""
    return font.getbbox("x", anchor="lm")[1] - font.getbbox("x", anchor="ls")[1]


@functools.lru_cache(maxsize=16)
def _has_kern_table(path: str, index: int) -> bool:
    """Whether the face carries a 'kern' table: the only kerning Pillow's basic layout applies
    (FreeType's FT_HAS_KERNING). Read from the file's table directory; a file this cannot read
    counts as kerning, which only means Pillow measures and draws its lines."""
    try:
        with open(path, "rb") as file:
            head = file.read(12)
            offset = 0
            if head[:4] == b"ttcf":  # a collection: the offset of face `index`'s directory
                file.seek(12 + 4 * index)
                (offset,) = struct.unpack(">I", file.read(4))
                file.seek(offset)
                head = file.read(12)
            (tables,) = struct.unpack(">H", head[4:6])
            directory = file.read(16 * tables)
    except (OSError, struct.error):
        return True
    if len(directory) < 16 * tables:
        return True
    return any(directory[16 * i:16 * i + 4] == b"kern" for i in range(tables))


@functools.lru_cache(maxsize=64)
def _kerns(font: ImageFont.FreeTypeFont) -> bool:
    return font.layout_engine != ImageFont.Layout.BASIC or _has_kern_table(str(font.path), font.index)


def length(font: ImageFont.FreeTypeFont, text: str) -> float:
    """`font.getlength(text)`, from the cached advances where the font has no kerning (the
    measuring of line breaks and sizes asks it a hundred times a plate)."""
    if not _kerns(font):
        total = 0
        for char in text:
            step = advance(font, char)
            if step is None:
                break
            total += step
        else:
            return total
    return font.getlength(text)


def _placements(font: ImageFont.FreeTypeFont, line: str) -> tuple[list[tuple[Image.Image, int, int]], int] | None:
    """Each inked glyph with its place from the line's pen origin, and the line's advance; None
    when the line must be drawn by Pillow (see the module's docstring)."""
    placed: list[tuple[Image.Image, int, int]] = []
    pen = 0
    inked_right = None  # one past the rightmost inked column so far
    for char in line:
        step = advance(font, char)
        if step is None:
            return None
        drawn = glyph(font, char)
        if drawn is not None:
            image, left, top = drawn
            x = pen + left
            if inked_right is not None and x < inked_right:
                return None  # inked pixels might meet: Pillow blends them
            inked_right = x + image.width
            placed.append((image, x, top))
        pen += step
    if _kerns(font):
        return None  # kerning between pairs: a glyph's place is not the sum of the advances before it
    return placed, pen


def _pixel(value: int) -> int:
    """FreeType's 26.6 fixed point to whole pixels, rounded as Pillow rounds it."""
    return (value + 32) >> 6


def draw_line(page: Image.Image, xy: tuple[int, int], line: str, font: ImageFont.FreeTypeFont,
              color: tuple[int, int, int], anchor: str) -> None:
    """`ImageDraw.Draw(page).text(xy, line, font=font, fill=color, anchor=anchor)` for whole-pixel
    `xy` and an anchor of l/m/r then s/m, from cached glyphs where that gives the same pixels,
    else by Pillow itself."""
    found = _placements(font, line)
    if found is None:
        ImageDraw.Draw(page).text(xy, line, font=font, fill=color, anchor=anchor)
        return
    placed, length = found
    # Pillow's anchors: the pen origin lies left of xy by half or all of the line's advance
    # (in 26.6, halved before rounding), and the baseline below xy by the font's middle.
    x_anchor = {"l": 0, "m": _pixel(length * 64 // 2), "r": length}[anchor[0]]
    y_anchor = {"s": 0, "m": _middle(font)}[anchor[1]]
    x0, y0 = xy[0] - x_anchor, xy[1] + y_anchor
    for image, x, y in placed:
        left, top = x0 + x, y0 + y
        page.paste(color, (left, top, left + image.width, top + image.height), image)
