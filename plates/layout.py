"""Plate layouts as data.

A layout is a page size, a bleed, a resolution and a list of elements drawn in order, each
placed in millimetres from the trim box's top-left corner (negative values reach into the
bleed). Text elements are templates over the fields of `PlateData`; an element whose fields
are all empty is left out, so a plate without a photo or emblem still renders cleanly.
Layouts convert to and from plain dicts (JSON), like pretix's PDF ticket layouts.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

KINDS = ("rect", "text", "image", "qr")


@dataclass(frozen=True)
class Element:
    kind: str  # rect | text | image | qr
    x: float
    y: float
    w: float
    h: float
    # rect: fill colour; text: background behind the text box (None = transparent)
    fill: str | None = None
    radius: float = 0.0  # rect corners, mm
    # text: a template over PlateData fields, e.g. "{name}"; image/qr: the field holding the
    # image bytes or the URL to encode
    text: str = ""
    source: str = ""
    size: float = 12.0  # text size, pt
    min_size: float | None = None  # shrink down to this before cutting with "…"
    color: str = "#222222"
    bold: bool = False
    align: str = "left"  # left | center | right
    max_lines: int = 1
    fit: str = "cover"  # image: cover (crop to fill) | contain

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown element kind {self.kind!r}")
        if self.align not in ("left", "center", "right"):
            raise ValueError(f"unknown alignment {self.align!r}")


@dataclass(frozen=True)
class Layout:
    name: str
    width_mm: float  # trim size
    height_mm: float
    elements: tuple[Element, ...]
    bleed_mm: float = 3.0
    dpi: int = 300
    description: str = ""

    @property
    def pixel_size(self) -> tuple[int, int]:
        """Page size in pixels, bleed included."""
        return (self.px(self.width_mm + 2 * self.bleed_mm), self.px(self.height_mm + 2 * self.bleed_mm))

    def px(self, mm: float) -> int:
        return round(mm / 25.4 * self.dpi)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Layout":
        known = {f.name for f in fields(Element)}
        elements = tuple(Element(**{k: v for k, v in e.items() if k in known}) for e in data["elements"])
        return cls(**{**{k: v for k, v in data.items() if k != "elements"}, "elements": elements})


RED = "#C8102E"
GOLD = "#FFE08A"
INK = "#222222"
GREY = "#666666"

A5_LANDSCAPE = Layout(
    name="a5-landscape",
    description="A5 横版（210×148 毫米，出血 3 毫米），摊位立牌",
    width_mm=210, height_mm=148,
    elements=(
        Element("rect", -3, -3, 216, 154, fill="#FFFFFF"),
        Element("rect", -3, -3, 216, 33, fill=RED),
        Element("image", 8, 4, 22, 22, source="emblem", fit="contain"),
        Element("text", 34, 2.5, 170, 16, text="{title}", size=36, min_size=24, color="#FFFFFF", bold=True),
        Element("text", 34, 19, 170, 8, text="亮身份 · 亮承诺 · 亮形象", size=16, color=GOLD),
        Element("rect", 10, 37, 45, 60, fill="#EFEFEF", radius=1.5),
        Element("image", 10, 37, 45, 60, source="photo"),
        Element("text", 62, 36, 84, 16, text="{name}", size=36, min_size=22, color=INK, bold=True),
        Element("text", 62, 54, 26, 8, text="{badge}", size=16, color="#FFFFFF", bold=True, align="center", fill=RED),
        Element("text", 91, 54, 55, 8, text="{stars_text}", size=16, color=RED),
        Element("text", 62, 64, 84, 8, text="{unit_name}", size=17, min_size=12, color=INK),
        Element("text", 62, 74, 84, 8, text="{place}", size=17, min_size=12, color=GREY),
        Element("rect", 10, 102, 136, 0.6, fill=RED),
        Element("text", 10, 105, 40, 7, text="我的承诺", size=15, color=RED, bold=True),
        Element("text", 10, 113, 136, 30, text="{pledge}", size=17, min_size=12, color=INK, max_lines=3),
        Element("qr", 152, 36, 54, 54, source="url"),
        Element("text", 150, 92, 58, 7, text="扫码查看 · 评价监督", size=14, color=INK, bold=True, align="center"),
        Element("text", 150, 100, 58, 6, text="编号 {code}", size=10, color=GREY, align="center"),
        Element("rect", -3, 146, 216, 5, fill=RED),
    ),
)

A6_PORTRAIT = Layout(
    name="a6-portrait",
    description="A6 竖版（105×148 毫米，出血 3 毫米），台卡",
    width_mm=105, height_mm=148,
    elements=(
        Element("rect", -3, -3, 111, 154, fill="#FFFFFF"),
        Element("rect", -3, -3, 111, 27, fill=RED),
        Element("image", 5, 3, 16, 16, source="emblem", fit="contain"),
        Element("text", 23, 2, 78, 12, text="{title}", size=26, min_size=16, color="#FFFFFF", bold=True),
        Element("text", 23, 14.5, 78, 6, text="亮身份 · 亮承诺 · 亮形象", size=11, color=GOLD),
        Element("rect", 6, 30, 30, 40, fill="#EFEFEF", radius=1),
        Element("image", 6, 30, 30, 40, source="photo"),
        Element("text", 40, 29, 60, 13, text="{name}", size=28, min_size=16, color=INK, bold=True),
        Element("text", 40, 44, 22, 7, text="{badge}", size=12, color="#FFFFFF", bold=True, align="center", fill=RED),
        Element("text", 64, 44, 37, 7, text="{stars_text}", size=11, min_size=8, color=RED),
        Element("text", 40, 53, 60, 7, text="{unit_name}", size=12, min_size=9, color=INK),
        Element("text", 40, 61, 60, 7, text="{place}", size=12, min_size=9, color=GREY),
        Element("text", 6, 74, 93, 20, text="承诺：{pledge}", size=12, min_size=9, color=INK, max_lines=3),
        Element("qr", 30, 96, 45, 45, source="url"),
        Element("text", 6, 140, 93, 5, text="扫码查看 · 评价监督  编号 {code}", size=9, color=GREY, align="center"),
    ),
)

LAYOUTS = {layout.name: layout for layout in (A5_LANDSCAPE, A6_PORTRAIT)}
DEFAULT_LAYOUT = A5_LANDSCAPE

# A member's sign-in card, wallet size (ISO/IEC 7810 ID-1): the QR holds the member code's URL,
# which the secretary's phone scans, offline if need be. Not a plate layout (LAYOUTS): it
# carries a member code, not a plate's.
MEMBER_CARD = Layout(
    name="member-card",
    description="党员签到卡（85.6×54 毫米，出血 2 毫米）",
    width_mm=85.6, height_mm=54, bleed_mm=2,
    elements=(
        Element("rect", -2, -2, 89.6, 58, fill="#FFFFFF"),
        Element("rect", -2, -2, 89.6, 12, fill=RED),
        Element("image", 3, 0.5, 8, 8, source="emblem", fit="contain"),
        Element("text", 12, 0.8, 70, 7, text="{title}", size=15, min_size=11, color="#FFFFFF", bold=True),
        Element("rect", 3, 13, 18, 24, fill="#EFEFEF", radius=0.8),
        Element("image", 3, 13, 18, 24, source="photo"),
        Element("text", 24, 12.5, 34, 9, text="{name}", size=19, min_size=12, color=INK, bold=True),
        Element("text", 24, 22, 34, 8.5, text="{org}", size=8.5, min_size=7, color=INK, max_lines=2),
        Element("text", 24, 31, 34, 6, text="{unit_name}", size=7.5, min_size=6.5, color=GREY),
        Element("qr", 59, 11.5, 25, 25, source="url"),
        Element("text", 57, 37, 29, 4, text="{code}", size=7, color=GREY, align="center"),
        Element("rect", 3, 42.5, 79.6, 0.3, fill=RED),
        Element("text", 3, 44, 79.6, 8, text="开会时出示此卡，由书记扫码签到（无网络也可）。遗失请找书记补办，旧卡作废。",
                size=7, min_size=6, color=GREY, max_lines=2),
    ),
)


def _photo_slots():
    for layout in (*LAYOUTS.values(), MEMBER_CARD):
        for element in layout.elements:
            if element.kind == "image" and element.source == "photo":
                yield layout.px(element.w), layout.px(element.h)


# A profile photo is kept at the largest photo slot's pixels (3:4, 45 × 60 mm at 300 dpi): the A5
# plate pastes it as it is, the smaller slots scale it down, and the public page (a 96 × 128 box)
# downloads some 60 KB instead of a phone's megabyte.
PHOTO_PX: tuple[int, int] = max(_photo_slots())
