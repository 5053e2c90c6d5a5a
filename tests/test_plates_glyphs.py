"""Text drawn from cached glyphs is Pillow's text, pixel for pixel, and measures as Pillow does."""
from __future__ import annotations

import random
import struct

import pytest
from PIL import Image, ImageChops, ImageDraw

from plates import find_fonts
from plates import glyphs
from plates.glyphs import draw_line, length

CHINESE = "诚信经营明码标价足斤足两不卖假冒伪劣商品热情服务每一位顾客接受群众监督河坊街市场建国南北货商行王摊"
PUNCTUATION = "，。、；：？！（）《》“”…·★☆"
LATIN = "ABCfijVWTo0123456789-. gy"
SIZES = (25, 42, 50, 67, 71, 100, 150)  # the plates' text sizes at 300 dpi, and a few more


def lines(count: int, alphabet: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))) for _ in range(count)]


def both_ways(font, line: str, anchor: str, color=(176, 16, 16), xy=(900, 160)) -> tuple[Image.Image, Image.Image]:
    pillow = Image.new("RGB", (1800, 320), "#FFF7E0")
    ours = pillow.copy()
    ImageDraw.Draw(pillow).text(xy, line, font=font, fill=color, anchor=anchor)
    draw_line(ours, xy, line, font, color, anchor)
    return pillow, ours


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("anchor", ["lm", "mm", "rm", "ls"])
def test_a_line_from_cached_glyphs_is_pillows_line_pixel_for_pixel(bold, anchor):
    fonts = find_fonts()
    rng = random.Random(f"{bold}{anchor}")
    cached = 0
    for line in lines(40, CHINESE + PUNCTUATION + LATIN, seed=len(anchor) + bold) + lines(20, CHINESE + PUNCTUATION, seed=7):
        font = fonts.get(rng.choice(SIZES), bold)
        pillow, ours = both_ways(font, line, anchor, xy=(rng.randint(880, 920), rng.randint(150, 170)))
        assert ImageChops.difference(pillow, ours).getbbox() is None, (font.size, line)
        cached += glyphs._placements(font, line) is not None
    assert cached >= 40  # Chinese lines, at least, are drawn from the cache rather than by Pillow


def test_chinese_text_takes_the_cached_way_and_overlapping_glyphs_go_to_pillow():
    font = find_fonts().get(71)
    assert glyphs._placements(font, "诚信经营，明码标价，足斤足两。") is not None
    # A line whose glyphs' inked pixels might meet cannot be pasted glyph by glyph: Pillow
    # blends them. Whichever pair of this font overlaps, the line still comes out as Pillow's.
    overlapping = [pair for pair in ("fj", "ff", "Tj", "VA", "WA", "jj", "yj") if glyphs._placements(font, pair) is None]
    assert overlapping  # Noto Sans CJK's "f" and "j" reach over their neighbours
    for pair in overlapping:
        pillow, ours = both_ways(font, pair, "lm")
        assert ImageChops.difference(pillow, ours).getbbox() is None, pair


def test_measured_lengths_are_pillows():
    fonts = find_fonts()
    for size in SIZES:
        for bold in (False, True):
            font = fonts.get(size, bold)
            for text in ["", "党", *lines(30, CHINESE + PUNCTUATION + LATIN, seed=size)]:
                assert length(font, text) == font.getlength(text), (size, text)


def sfnt(tags: list[bytes]) -> bytes:
    """A font file's header and table directory naming `tags` (the tables themselves absent)."""
    head = b"OTTO" + struct.pack(">HHHH", len(tags), 0, 0, 0)
    return head + b"".join(tag + bytes(12) for tag in tags)


def test_a_kern_table_is_found_in_a_single_font_and_in_a_collection(tmp_path):
    plain, kerned = sfnt([b"cmap", b"glyf", b"head"]), sfnt([b"cmap", b"kern", b"head"])
    (tmp_path / "plain.otf").write_bytes(plain)
    (tmp_path / "kerned.otf").write_bytes(kerned)
    first = 12 + 8  # a collection of two faces: plain first, then kerned
    collection = b"ttcf" + struct.pack(">HHI", 1, 0, 2) + struct.pack(">II", first, first + len(plain)) + plain + kerned
    (tmp_path / "both.ttc").write_bytes(collection)
    (tmp_path / "cut.otf").write_bytes(kerned[:20])
    found = glyphs._has_kern_table.__wrapped__
    assert not found(str(tmp_path / "plain.otf"), 0)
    assert found(str(tmp_path / "kerned.otf"), 0)
    assert not found(str(tmp_path / "both.ttc"), 0)
    assert found(str(tmp_path / "both.ttc"), 1)
    assert found(str(tmp_path / "cut.otf"), 0)  # unreadable: counted as kerning, so Pillow draws
    assert found(str(tmp_path / "missing.otf"), 0)


def test_a_font_that_kerns_is_measured_and_drawn_by_pillow(monkeypatch):
    font = find_fonts().get(67)
    monkeypatch.setattr(glyphs, "_kerns", lambda font: True)
    asked = []
    real = type(font).getlength
    monkeypatch.setattr(type(font), "getlength", lambda self, text, *a, **k: asked.append(text) or real(self, text, *a, **k))
    assert length(font, "诚信经营") == real(font, "诚信经营") and asked == ["诚信经营"]
    assert glyphs._placements(font, "诚信经营") is None
    pillow, ours = both_ways(font, "诚信经营AV", "mm")
    assert ImageChops.difference(pillow, ours).getbbox() is None
