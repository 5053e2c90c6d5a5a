"""The plates/ library on its own: no server, no database.

QR codes are read back with zxing-cpp, a decoder this project did not write, from the full
page and from a phone-like copy (a quarter of the size, blurred). PDFs are read with pypdf.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageFilter

from plates import LAYOUTS, PHOTO_PX, FontMissing, PlateData, draw, find_fonts, render, write_pdf
from plates.layout import A5_LANDSCAPE, Element, Layout
from plates.render import _fit_text

URL = "https://dj.example.cn/p/k7m2x9qr4tzw"
ROOT = Path(__file__).resolve().parent.parent


def photo_bytes(colour="#3366AA", size=(600, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def plate(**overrides) -> PlateData:
    values = dict(name="王秀英", url=URL, code="k7m2x9qr4tzw", unit_name="杭州上城区王记干货店", market="河坊街市场",
                  stall="A-012", pledge="诚信经营，明码标价，热情服务，接受群众监督。", photo=photo_bytes())
    return PlateData(**{**values, **overrides})


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def phone_photo(image: Image.Image) -> Image.Image:
    small = image.resize((image.width // 4, image.height // 4), Image.LANCZOS)
    return small.filter(ImageFilter.GaussianBlur(1.2))


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_qr_decodes_to_the_exact_url_full_size_and_as_a_phone_sees_it(layout):
    _, mimetype, body = render(plate(), "png", LAYOUTS[layout])
    assert mimetype == "image/png"
    image = Image.open(io.BytesIO(body))
    assert image.size == LAYOUTS[layout].pixel_size
    assert decode(image) == [URL]
    assert decode(phone_photo(image)) == [URL]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_stars_of_the_last_evaluation_are_a_row_of_the_plate_and_the_qr_still_reads(layout):
    plain = Image.open(io.BytesIO(render(plate(), "png", LAYOUTS[layout])[2])).convert("RGB")
    starred = Image.open(io.BytesIO(render(plate(stars=4), "png", LAYOUTS[layout])[2])).convert("RGB")
    changed = ImageChops.difference(plain, starred).getbbox()
    assert changed is not None  # the row is drawn...
    width, height = plain.size
    assert changed[1] > height * 0.2 and changed[3] < height * 0.45  # ...beside the badge, under the name
    assert decode(starred) == [URL]


def test_a5_page_is_landscape_a5_with_bleed_at_300_dpi():
    width, height = A5_LANDSCAPE.pixel_size
    # 216 × 154 mm (210 × 148 plus 3 mm bleed on every side) at 300 DPI.
    assert (width, height) == (2551, 1819)
    _, _, body = render(plate(), "png")
    assert Image.open(io.BytesIO(body)).info["dpi"] == pytest.approx((300, 300), abs=0.5)


def test_pdf_has_trim_and_bleed_boxes_and_a_readable_qr():
    _, mimetype, body = render(plate(), "pdf")
    assert mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    mm = 72 / 25.4
    assert float(page.mediabox.width) == pytest.approx(216 * mm, abs=0.5)
    assert float(page.trimbox.width) == pytest.approx(210 * mm, abs=0.5)
    assert float(page.trimbox.height) == pytest.approx(148 * mm, abs=0.5)
    [picture] = page.images
    assert decode(picture.image) == [URL]


def test_batch_pdf_has_one_page_per_plate_in_order():
    codes = [f"code{i:08d}" for i in range(3)]
    out = io.BytesIO()
    pages = write_pdf((plate(code=c, url=f"https://dj.example.cn/p/{c}", name=f"党员{i}") for i, c in enumerate(codes)), out)
    assert pages == 3
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()), strict=True)
    assert [decode(p.images[0].image) for p in reader.pages] == [[f"https://dj.example.cn/p/{c}"] for c in codes]


def test_batch_pdf_memory_stays_flat(tmp_path):
    """40 A5 pages would hold about 560 MB of page images if kept; written one at a time the
    process stays near one page's worth above its baseline."""
    script = f"""
from plates import PlateData, write_pdf
with open({str(tmp_path / 'batch.pdf')!r}, 'wb') as out:
    write_pdf((PlateData(name='党员%d' % i, url='https://x.cn/p/%012d' % i, code='%012d' % i) for i in range(40)), out)
# VmHWM: this process image's peak RSS (ru_maxrss would carry over the forking parent's peak).
print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) // 1024)
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    peak_mb = int(result.stdout.strip())
    assert peak_mb < 250, f"peak {peak_mb} MB for 40 pages"
    assert len(pypdf.PdfReader(tmp_path / "batch.pdf").pages) == 40


def test_without_photo_or_emblem_the_plate_still_renders_and_scans():
    image = draw(plate(photo=None, emblem=None, pledge="", stall="", market=""), A5_LANDSCAPE, find_fonts())
    assert decode(image) == [URL]
    # The photo frame is left as its light placeholder, not a black hole.
    x, y = A5_LANDSCAPE.px(10 + 3 + 20), A5_LANDSCAPE.px(37 + 3 + 30)
    assert image.getpixel((x, y)) == (0xEF, 0xEF, 0xEF)


def test_operator_emblem_is_drawn_in_its_slot():
    emblem = io.BytesIO()
    Image.new("RGB", (200, 200), "#FFD700").save(emblem, "PNG")
    image = draw(plate(emblem=emblem.getvalue()), A5_LANDSCAPE, find_fonts())
    slot_centre = (A5_LANDSCAPE.px(8 + 3 + 11), A5_LANDSCAPE.px(4 + 3 + 11))
    assert image.getpixel(slot_centre) == (0xFF, 0xD7, 0x00)
    bare = draw(plate(), A5_LANDSCAPE, find_fonts())
    assert bare.getpixel(slot_centre) != (0xFF, 0xD7, 0x00)


def test_long_pledge_shrinks_then_is_cut_with_an_ellipsis():
    fonts = find_fonts()
    element = next(e for e in A5_LANDSCAPE.elements if e.text == "{pledge}")
    font, lines = _fit_text("诚信经营明码标价" * 40, element, A5_LANDSCAPE, fonts)
    assert len(lines) == element.max_lines
    assert lines[-1].endswith("…")
    assert font.size == round(element.min_size / 72 * 300)
    width = A5_LANDSCAPE.px(element.w)
    assert all(font.getlength(line) <= width for line in lines)
    short_font, short = _fit_text("诚信经营", element, A5_LANDSCAPE, fonts)
    assert short == ["诚信经营"] and short_font.size == round(element.size / 72 * 300)


def test_no_line_starts_with_closing_punctuation():
    fonts = find_fonts()
    element = Element("text", 0, 0, 30, 60, text="{pledge}", size=12, max_lines=10)
    _, lines = _fit_text("诚信经营，明码标价。热情服务，接受监督！" * 3, element, A5_LANDSCAPE, fonts)
    assert len(lines) > 1
    assert not any(line[0] in "，。！" for line in lines)


def test_layout_is_plain_data_that_round_trips_through_json():
    again = Layout.from_dict(json.loads(json.dumps(A5_LANDSCAPE.to_dict())))
    assert again == A5_LANDSCAPE
    fonts = find_fonts()
    assert draw(plate(), again, fonts).tobytes() == draw(plate(), A5_LANDSCAPE, fonts).tobytes()


def test_unknown_field_or_kind_in_a_layout_is_refused():
    with pytest.raises(ValueError):
        Element("circle", 0, 0, 1, 1)
    bad = Layout("bad", 100, 100, (Element("text", 0, 0, 50, 10, text="{mobile}"),))
    with pytest.raises(KeyError, match="mobile"):
        draw(plate(), bad, find_fonts())


def test_a_font_without_chinese_glyphs_is_refused_with_what_to_install():
    with pytest.raises(FontMissing) as refused:
        find_fonts("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    assert "fonts-noto-cjk" in str(refused.value)
    with pytest.raises(FontMissing):
        find_fonts("/nonexistent/font.ttc")


def test_the_font_found_draws_chinese_not_boxes():
    fonts = find_fonts()
    font = fonts.get(48)
    assert bytes(font.getmask("党")) != bytes(font.getmask("\U000F0000"))
    assert bytes(font.getmask("党")) != bytes(font.getmask("员"))


def test_a_photo_stored_at_the_slots_size_is_printed_pixel_for_pixel():
    """A profile photo is kept at PHOTO_PX, which must be the A5 slot's size to the pixel: then it
    is printed as it is. Were the two a pixel apart, the photo would be resampled, and one-pixel
    stripes would come out grey."""
    stripes = Image.new("RGB", PHOTO_PX, "white")
    for x in range(0, PHOTO_PX[0], 2):
        stripes.paste((0, 0, 0), (x, 0, x + 1, PHOTO_PX[1]))
    out = io.BytesIO()
    stripes.save(out, "PNG")  # lossless, so the decoded photo is exactly these pixels
    page = draw(plate(photo=out.getvalue()), A5_LANDSCAPE, find_fonts())
    [slot] = [e for e in A5_LANDSCAPE.elements if e.kind == "image" and e.source == "photo"]
    left, top = A5_LANDSCAPE.px(slot.x + A5_LANDSCAPE.bleed_mm), A5_LANDSCAPE.px(slot.y + A5_LANDSCAPE.bleed_mm)
    printed = page.convert("RGB").crop((left, top, left + PHOTO_PX[0], top + PHOTO_PX[1]))
    assert ImageChops.difference(printed, stripes).getbbox() is None
