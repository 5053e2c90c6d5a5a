"""Finding a font that has Chinese glyphs.

Plates are Chinese text; a font without CJK glyphs draws tofu boxes, which must never reach a
printer. So the search checks that a candidate really draws 党 (not its missing-glyph box) and
fails loudly, naming what to install, when nothing on the machine does.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

# (regular, bold or None). Noto Sans CJK is preferred: it has a real bold weight.
CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/System/Library/Fonts/PingFang.ttc", None),
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc"),
)
PROBE = "党"
INSTALL_HINT = (
    "没有找到中文字体，无法生成三亮牌（不会用方框代替汉字）。"
    "请安装 Noto Sans CJK 或文泉驿正黑：Debian/Ubuntu 执行 `apt-get install fonts-noto-cjk`"
    "（或 fonts-wqy-zenhei），或把 DANGJIAN_PLATE_FONT 设为一个含中文字形的 .ttf/.otf/.ttc 文件。"
    " / No CJK font found: install fonts-noto-cjk or fonts-wqy-zenhei, or set DANGJIAN_PLATE_FONT."
)


class FontMissing(RuntimeError):
    """No usable CJK font; the message names what to install."""


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int


@dataclass(frozen=True)
class FontSet:
    regular: FontFace
    bold: FontFace | None  # None: bold is drawn with a stroke

    @functools.lru_cache(maxsize=64)
    def get(self, size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        """The face at a pixel size, with Pillow's basic layout: Chinese needs no shaping, and
        its whole-pixel advances let `plates.glyphs` draw lines from cached glyphs."""
        face = self.bold if bold and self.bold else self.regular
        return ImageFont.truetype(face.path, size_px, index=face.index, layout_engine=ImageFont.Layout.BASIC)


def _draws_cjk(font: ImageFont.FreeTypeFont) -> bool:
    glyph = font.getmask(PROBE)
    missing = font.getmask("\U000F0000")  # a private-use code point no font here defines
    return glyph.getbbox() is not None and bytes(glyph) != bytes(missing)


def _face(path: str) -> FontFace | None:
    """The face in this file that draws Chinese, preferring Simplified Chinese in a collection."""
    if not Path(path).is_file():
        return None
    usable: list[tuple[int, str]] = []
    for index in range(12):
        try:
            font = ImageFont.truetype(path, 24, index=index)
        except OSError:
            break
        if _draws_cjk(font):
            usable.append((index, font.getname()[0] or ""))
    if not usable:
        return None
    # Simplified Chinese glyph shapes first, proportional before monospaced.
    usable.sort(key=lambda item: (" SC" not in item[1], "Mono" in item[1], item[0]))
    return FontFace(path, usable[0][0])


def _fontconfig_guess() -> str | None:
    if not shutil.which("fc-match"):
        return None
    result = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=10)
    return result.stdout.strip() or None


@functools.lru_cache(maxsize=8)
def find_fonts(explicit: str | None = None) -> FontSet:
    """The CJK font to draw with: `explicit` if given (it must work), else the first candidate
    found on this machine, else whatever fontconfig offers for Chinese. FontMissing otherwise."""
    if explicit:
        face = _face(explicit)
        if face is None:
            raise FontMissing(f"{explicit} 不存在或不含中文字形。" + INSTALL_HINT)
        return FontSet(face, None)
    for regular, bold in CANDIDATES:
        face = _face(regular)
        if face is not None:
            bold_face = _face(bold) if bold else None
            return FontSet(face, bold_face)
    guess = _fontconfig_guess()
    face = _face(guess) if guess else None
    if face is not None:
        return FontSet(face, None)
    raise FontMissing(INSTALL_HINT)
