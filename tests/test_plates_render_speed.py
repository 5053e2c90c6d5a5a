"""What the renderer's shortcuts must not change: the base page drawn once per batch, the
bisected line breaks and sizes, a phone photo decoded at a reduced scale.

Each shortcut is checked against the slow way done here in the test: every element drawn in
order on a blank page, the line broken character by character, every size tried in turn.
"""
from __future__ import annotations

import io
import random
import sys
from dataclasses import replace

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat
from PIL.JpegImagePlugin import JpegImageFile

from plates import LAYOUTS, MEMBER_CARD, PlateData, draw, find_fonts
from plates.layout import A5_LANDSCAPE, Element, Layout
from plates.render import LINE_PITCH, NO_LINE_START, _fit_text, _wrap, draw_in_order, split

URL = "https://dj.example.cn/p/k7m2x9qr4tzw"
render_module = sys.modules["plates.render"]


def jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **options)
    return out.getvalue()


def picture(size=(600, 800)) -> Image.Image:
    """A photo with detail and an unmistakable top: red band above, blue below."""
    image = Image.effect_mandelbrot(size, (-2, -1.2, 0.8, 1.2), 40).convert("RGB")
    ImageDraw.Draw(image).rectangle((0, 0, size[0], size[1] // 5), fill="#D01010")
    return image


def emblem() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), "#FFD700").save(out, "PNG")
    return out.getvalue()


VARIANTS = {
    "full": dict(photo=jpeg(picture()), emblem=emblem(), stars=4, org="河坊街市场党支部"),
    "bare": dict(photo=None, emblem=None, pledge="", stall="", market=""),
    "long": dict(name="欧阳建国王秀英李" * 3, unit_name="杭州市上城区河坊街王记南北干货批发零售商行" * 2,
                 pledge="诚信经营，明码标价。足斤足两！" * 12, title="共产党员经营户（示范岗）", badge="预备党员"),
}


def plate(**overrides) -> PlateData:
    values = dict(name="王秀英", url=URL, code="k7m2x9qr4tzw", unit_name="杭州上城区王记干货店", market="河坊街市场",
                  stall="A-012", pledge="诚信经营，明码标价，热情服务，接受群众监督。")
    return PlateData(**{**values, **overrides})


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("layout", [*sorted(LAYOUTS), MEMBER_CARD.name])
def test_a_plate_drawn_on_the_base_page_is_the_plate_drawn_element_by_element(layout, variant):
    layout = LAYOUTS.get(layout, MEMBER_CARD)
    fonts = find_fonts()
    data = plate(**VARIANTS[variant])
    assert same(draw(data, layout, fonts), draw_in_order(data, layout, fonts))
    # A second plate of the batch, from the base now cached, is its own plate, not the first's.
    other = replace(data, name="李四", code="zzzzzzzzzzzz", url=URL.replace("k7m2", "zzzz"))
    assert same(draw(other, layout, fonts), draw_in_order(other, layout, fonts))
    assert not same(draw(other, layout, fonts), draw(data, layout, fonts))


def test_the_base_holds_the_fixed_parts_and_every_plates_own_field_is_drawn_per_plate():
    base, own = split(A5_LANDSCAPE)
    assert {e.text for e in base if e.kind == "text"} == {
        "{title}", "{badge}", "亮身份 · 亮承诺 · 亮形象", "我的承诺", "扫码查看 · 评价监督"}
    assert {e.text or e.source for e in own} == {
        "photo", "{name}", "{stars_text}", "{unit_name}", "{place}", "{pledge}", "url", "编号 {code}"}


def test_a_fixed_element_drawn_over_a_plates_own_stays_on_top():
    """A caption laid over the photo must not go under it on the base: it is drawn per plate."""
    caption = Element("text", 10, 80, 45, 10, text="党员示范", size=20, color="#FFFFFF", bold=True, fill="#C8102E")
    layout = Layout("over-photo", 210, 148, (*A5_LANDSCAPE.elements, caption))
    assert caption in split(layout)[1]
    data = plate(**VARIANTS["full"])
    image = draw(data, layout, find_fonts())
    assert same(image, draw_in_order(data, layout, find_fonts()))
    assert image.getpixel((layout.px(10 + 3 + 44), layout.px(80 + 3 + 5))) == (0xC8, 0x10, 0x2E)  # its band, past the text


def test_a_plate_with_another_title_gets_a_base_of_its_own():
    fonts = find_fonts()
    first = draw(plate(), A5_LANDSCAPE, fonts)
    other = plate(title="个体工商户党员示范户")
    drawn = draw(other, A5_LANDSCAPE, fonts)
    assert same(drawn, draw_in_order(other, A5_LANDSCAPE, fonts))
    title_band = (0, 0, A5_LANDSCAPE.pixel_size[0], A5_LANDSCAPE.px(30))
    assert ImageChops.difference(first.crop(title_band), drawn.crop(title_band)).getbbox() is not None
    assert same(draw(plate(), A5_LANDSCAPE, fonts), first)  # and the first title's plates are unchanged


def reference_wrap(text, font, width):
    """The line breaking as it was: one measurement per character."""
    lines = []
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


def reference_fit(text, element, layout, fonts):
    """Every size from the largest down, one point at a time, then the cut character by character."""
    width, height = layout.px(element.w), layout.px(element.h)
    size, floor = element.size, element.min_size or element.size
    while True:
        font = fonts.get(max(round(size / 72 * layout.dpi), 1), element.bold)
        lines = reference_wrap(text, font, width)
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
    return font.size, lines


def texts(count: int, longest: int) -> list[str]:
    rng = random.Random(20261128)
    alphabet = "诚信经营明码标价足斤足两热情服务接受群众监督党员摊位市场" + "，。、；：？！）》」" + "AB-0123 ·" + "\n"
    return ["", "，", "诚信经营", "诚信经营，，，。明码标价", "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 2, "党" * longest,
            *("".join(rng.choice(alphabet) for _ in range(rng.randint(1, longest))) for _ in range(count))]


@pytest.mark.parametrize("width_mm", [2, 12, 40, 136])
def test_bisected_line_breaks_are_the_character_by_character_ones(width_mm):
    font = find_fonts().get(71)
    width = A5_LANDSCAPE.px(width_mm)
    for text in texts(30, 160):
        assert _wrap(text, font, width) == reference_wrap(text, font, width), text


def test_bisected_sizes_and_cuts_are_the_ones_tried_in_turn():
    fonts = find_fonts()
    # Every text box of every layout that can shrink or wrap, and one that does both a lot.
    elements = {replace(e, x=0, y=0, text="", color="", fill=None, align="left")
                for layout in (*LAYOUTS.values(), MEMBER_CARD) for e in layout.elements
                if e.kind == "text" and (e.min_size or e.max_lines > 1)}
    elements.add(Element("text", 0, 0, 30, 20, size=24, min_size=6.5, max_lines=4))
    for text in texts(8, 80):
        for element in elements:
            font, lines = _fit_text(text, element, A5_LANDSCAPE, fonts)
            assert (font.size, lines) == reference_fit(text, element, A5_LANDSCAPE, fonts), (text, element)


def region(image: Image.Image, layout: Layout, element: Element) -> Image.Image:
    left, top = layout.px(element.x + layout.bleed_mm), layout.px(element.y + layout.bleed_mm)
    return image.crop((left, top, left + layout.px(element.w), top + layout.px(element.h)))


def test_a_phone_photo_turned_by_its_exif_tag_is_drawn_upright_from_its_reduced_decode(monkeypatch):
    """A 2 400 × 3 200 photo stored on its side with orientation 6 (as phones save them) is drawn
    upright, like the same picture stored upright, and the decoder was asked for the slot's size."""
    upright = picture((2400, 3200))
    exif = Image.Exif()
    exif[0x0112] = 6  # the viewer turns it a quarter clockwise
    sideways = jpeg(upright.transpose(Image.Transpose.ROTATE_90), exif=exif.tobytes())
    asked = []
    original_draft = JpegImageFile.draft

    def spy(self, mode, size):
        asked.append(size)
        return original_draft(self, mode, size)

    monkeypatch.setattr(JpegImageFile, "draft", spy)
    fonts = find_fonts()
    photo = next(e for e in A5_LANDSCAPE.elements if e.source == "photo")
    turned = region(draw(plate(photo=sideways), A5_LANDSCAPE, fonts), A5_LANDSCAPE, photo)
    straight = region(draw(plate(photo=jpeg(upright)), A5_LANDSCAPE, fonts), A5_LANDSCAPE, photo)
    slot = (A5_LANDSCAPE.px(photo.w), A5_LANDSCAPE.px(photo.h))
    assert slot[::-1] in asked and slot in asked  # the sideways file is asked for the turned size
    assert turned.getpixel((turned.width // 2, 5))[0] > 180  # the red band is at the top
    difference = ImageChops.difference(turned, straight).convert("L")
    assert ImageStat.Stat(difference).mean[0] < 8  # the same picture, up to the JPEG's loss
